"""assistant stage: grounded, cited, safe answers (see docs/ARCHITECTURE.md).

This stage imports no heavy library itself: the retriever (FAISS, the embedder) and the
generators (torch, transformers, llama.cpp) load inside ``index`` and ``generator`` on the
first question, so building an ``Assistant`` is cheap. ``Assistant`` and friends load on first
access from this package.
"""

from __future__ import annotations

import importlib

__all__ = ["Assistant", "Answer", "Citation", "TokenEvent", "FinalEvent", "MODES", "save_rating"]

_LAZY = {
    "Assistant": "assistant.pipeline",
    "Answer": "assistant.answer",
    "Citation": "assistant.answer",
    "TokenEvent": "assistant.answer",
    "FinalEvent": "assistant.answer",
    "MODES": "tenkan.vocab",
    "save_rating": "assistant.feedback",
}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'assistant' has no attribute {name!r}")

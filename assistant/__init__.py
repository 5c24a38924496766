"""assistant stage: grounded, cited, safe answers (see docs/ARCHITECTURE.md).

Nothing heavy is imported here; ``Assistant`` and friends load on first access.
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

"""index stage: Japanese chunking, embedders, FAISS + BM25 + SQLite chunk store, hybrid retrieval,
incremental crash-safe generations, llama-index adapter.

Entry points (see docs/ARCHITECTURE.md)::

    from index import build, open_index
    summary = build(cfg, ws)               # incremental; summary.changed is False when nothing changed
    retriever = open_index(ws, cfg)
    hits = retriever.search("発作が5分以上続いたら？", k=5, method="hybrid")

Nothing heavy is imported here: faiss, bm25s, fugashi and the models load on first use.
"""

from __future__ import annotations

import importlib

__all__ = ["build", "open_index", "has_index", "Retriever", "Chunk", "Hit", "IndexSummary", "IndexConfig",
           "chunk_text", "get_embedder", "rrf"]

_LAZY = {
    "build": "index.builder",
    "open_index": "index.retriever",
    "has_index": "index.generations",
    "Retriever": "index.retriever",
    "Chunk": "index.types",
    "Hit": "index.types",
    "IndexSummary": "index.types",
    "IndexConfig": "index.config",
    "chunk_text": "index.chunking",
    "get_embedder": "index.embedders",
    "rrf": "index.fusion",
}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'index' has no attribute {name!r}")

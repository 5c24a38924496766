"""index stage: Japanese chunking, embedders, FAISS + BM25 + SQLite chunk store, hybrid retrieval,
incremental crash-safe generations, llama-index adapter.

Entry points (see docs/ARCHITECTURE.md)::

    from index import build, open_index
    summary = build(cfg, ws)               # incremental; summary.changed is False when nothing changed
    retriever = open_index(ws, cfg)
    hits = retriever.search("発作が5分以上続いたら？", k=5, method="hybrid")

The index is read only through this package: ``index.generations`` owns ``CURRENT`` and the
generation manifests (``check_generation`` → :class:`GenerationManifest`, ``check_embedder``,
``live_manifest`` for display without loading the index).

Deferred on purpose: faiss, bm25s, fugashi (through ``tenkan.jatext``), sentence-transformers and
the embedding models load inside the functions that first need them, so importing index costs
numpy and the standard library only. ``index.llamaindex`` imports llama-index at its top and is
not imported here: import it where the adapter is wanted.
"""

from __future__ import annotations

from index.builder import build
from index.chunking import chunk_text
from index.config import IndexConfig
from index.embedders import get_embedder
from index.fusion import rrf
from index.generations import GenerationManifest, has_index, live_manifest
from index.retriever import Retriever, open_index
from index.types import Chunk, Hit, IndexSummary

__all__ = ["build", "open_index", "has_index", "live_manifest", "GenerationManifest", "Retriever", "Chunk", "Hit",
           "IndexSummary", "IndexConfig", "chunk_text", "get_embedder", "rrf"]

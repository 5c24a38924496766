"""llama-index integration: use a tenkan index from the llama-index ecosystem.

* :class:`TenkanRetriever` — a llama-index ``BaseRetriever`` over a tenkan
  :class:`~index.retriever.Retriever` (hybrid by default): plug it into a
  ``RetrieverQueryEngine`` or anything that takes a retriever. Nodes carry the
  chunk id as ``node_id`` and url/title/headings as metadata.
* :class:`TenkanEmbedding` — a llama-index ``BaseEmbedding`` over a tenkan
  embedder (e5 prefixes handled), so llama-index never falls back to OpenAI.
* :func:`to_vector_store_index` — the index's own vectors and chunks as a
  llama-index ``VectorStoreIndex`` on a ``FaissVectorStore``
  (``llama-index-vector-stores-faiss``), nothing re-embedded.

llama-index is imported only when this module is (index/__init__ does not import it); faiss
and the FAISS vector store load only in :func:`to_vector_store_index`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from llama_index.core import StorageContext, VectorStoreIndex
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode
from pydantic import PrivateAttr

__all__ = ["TenkanRetriever", "TenkanEmbedding", "to_vector_store_index", "chunk_to_node"]


def chunk_to_node(chunk, embedding=None) -> TextNode:
    return TextNode(
        id_=chunk.chunk_id, text=chunk.text, embedding=embedding,
        metadata={"url": chunk.url, "title": chunk.title, "headings": " / ".join(chunk.headings),
                  "doc_id": chunk.doc_id, "chunk_id": chunk.chunk_id},
        excluded_embed_metadata_keys=["url", "doc_id", "chunk_id"],
        excluded_llm_metadata_keys=["doc_id", "chunk_id"],
    )


class TenkanRetriever(BaseRetriever):
    """llama-index retriever backed by tenkan's hybrid (or bm25 / dense) search."""

    def __init__(self, retriever, k: int | None = None, method: str | None = None, **kwargs: Any) -> None:
        self._tenkan = retriever
        self._k = k
        self._method = method
        super().__init__(**kwargs)

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        hits = self._tenkan.search(query_bundle.query_str, k=self._k, method=self._method)
        out = []
        for h in hits:
            node = TextNode(id_=h.chunk_id, text=h.text,
                            metadata={"url": h.url, "title": h.title, "headings": " / ".join(h.headings),
                                      "doc_id": h.doc_id, "chunk_id": h.chunk_id, "rank": h.rank})
            out.append(NodeWithScore(node=node, score=h.score))
        return out


class TenkanEmbedding(BaseEmbedding):
    """llama-index embedding model over a tenkan embedder (``index.embedders``)."""

    _emb: Any = PrivateAttr()

    def __init__(self, embedder, **kwargs: Any) -> None:
        super().__init__(model_name=embedder.name, **kwargs)
        self._emb = embedder

    @classmethod
    def class_name(cls) -> str:
        return "TenkanEmbedding"

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._emb.embed_query(query).tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._emb.embed_passages([text])[0].tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._emb.embed_passages(list(texts)).tolist()


def to_vector_store_index(retriever):
    """A llama-index ``VectorStoreIndex`` on a ``FaissVectorStore`` holding this index's vectors."""
    import faiss
    from llama_index.vector_stores.faiss import FaissVectorStore

    vectors = np.load(retriever.path / "vectors.npy", mmap_mode="r")
    store = retriever._store  # noqa: SLF001 - same package
    nodes = [chunk_to_node(r.chunk, vectors[r.row].tolist()) for r in store.iter_rows()]
    vs = FaissVectorStore(faiss_index=faiss.IndexFlatIP(retriever.info.dim))
    ctx = StorageContext.from_defaults(vector_store=vs)
    return VectorStoreIndex(nodes, storage_context=ctx, embed_model=TenkanEmbedding(retriever.embedder))

"""``index.open_index`` → :class:`Retriever`: BM25, dense and hybrid search over the live generation.

The index decides its embedding model: the retriever recreates the embedder
recorded in the generation's manifest. A configuration naming another embedder
is refused (``IndexMismatchError``) rather than silently searched with vectors
of a different space; so is a generation whose files do not match their
manifest (``IndexCorruptError``). Both name the rebuild command.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Callable, Iterator, Mapping

import numpy as np

from index.bm25 import BM25Index, tokens_for
from index.chunking import chunk_sentences, sentence_key
from index.config import IndexConfig, IndexSettings, index_config
from index.dense import load_faiss, search_faiss
from index.embedders import Embedder, get_embedder
from index.fusion import rrf
from index.generations import (REBUILD, SENTENCE_FILE, GenerationManifest, check_embedder, check_generation,
                               embedder_desc, live_generation)
from index.store import ChunkStore
from index.types import Chunk, Hit
from tenkan.errors import IndexCorruptError, IndexMismatchError, IndexMissingError
from tenkan.paths import Workspace
from tenkan.vocab import METHODS

__all__ = ["Retriever", "open_index", "Reranker"]

log = logging.getLogger(__name__)

#: (query, hits) -> hits re-ordered (and re-scored); see ``IndexConfig.reranker``
Reranker = Callable[[str, list[Hit]], list[Hit]]


def _cross_encoder(ref: str) -> Reranker:
    from sentence_transformers import CrossEncoder

    model = CrossEncoder(ref, device="cpu")

    def rerank(query: str, hits: list[Hit]) -> list[Hit]:
        if not hits:
            return hits
        scores = model.predict([(query, h.text) for h in hits], show_progress_bar=False)
        order = sorted(range(len(hits)), key=lambda i: -float(scores[i]))
        out = []
        for rank, i in enumerate(order, 1):
            h = hits[i]
            h.ranks = {**h.ranks, "fused": h.rank}
            h.score, h.rank = float(scores[i]), rank
            out.append(h)
        return out

    return rerank


class Retriever:
    """Search one index generation. Thread-safe for concurrent ``search`` calls."""

    def __init__(self, gen_dir: Path, manifest: GenerationManifest, icfg: IndexConfig,
                 reranker: Reranker | None = None, embedder: Embedder | None = None) -> None:
        self.path = gen_dir
        #: the generation's manifest, typed
        self.info = manifest
        #: the same manifest as the JSON object on disk (what ``tenkan index --info`` and the pages show)
        self.manifest = manifest.raw
        self.config = icfg
        self.generation = manifest.generation
        try:
            self._store = ChunkStore(gen_dir / "chunks.sqlite", readonly=True)
            n_rows = self._store.count()
            self._faiss = load_faiss(gen_dir / "faiss.index", hnsw_ef_search=icfg.hnsw_ef_search,
                                     ivf_nprobe=icfg.ivf_nprobe)
            self._bm25 = BM25Index.load(gen_dir / "bm25")
        except IndexCorruptError:
            raise
        except Exception as exc:  # noqa: BLE001 - sqlite/faiss/numpy errors of damaged files
            raise IndexCorruptError(f"index at {gen_dir} cannot be loaded ({exc})", hint=REBUILD) from exc
        dim, chunks = manifest.dim, manifest.chunks
        if self._faiss.d != dim:
            raise IndexMismatchError(f"FAISS index at {gen_dir} has dimension {self._faiss.d}, manifest says {dim}",
                                     hint=REBUILD)
        if not (self._faiss.ntotal == n_rows == chunks == (self._bm25.size if chunks else 0) or
                (chunks == 0 and self._faiss.ntotal == n_rows == 0)):
            raise IndexCorruptError(
                f"index at {gen_dir} is inconsistent: {self._faiss.ntotal} vectors, {n_rows} stored chunks, "
                f"{self._bm25.size} BM25 rows, manifest {chunks}", hint=REBUILD)
        e = manifest.embedder
        self.embedder = embedder or get_embedder(e["name"], e.get("query_prefix", ""), e.get("passage_prefix", ""))
        self._dim_checked = embedder is not None and embedder.dim == dim
        self._lock = threading.Lock()
        self._sentences = None
        self._sentence_owners = None
        self._init_lock = threading.Lock()
        self._query_vectors: dict[str, object] = {}
        self.reranker = reranker
        if self.reranker is None and icfg.reranker:
            self.reranker = _cross_encoder(icfg.reranker[3:])

    # -- contract ---------------------------------------------------------------
    def __len__(self) -> int:
        return self.info.chunks

    def get(self, chunk_id: str) -> Chunk | None:
        with self._lock:
            return self._store.get(chunk_id)

    def page_chunks(self, chunk_id: str) -> list[Chunk]:
        """Every chunk of the document ``chunk_id`` belongs to, in the document's order (empty when
        the chunk is unknown): the rest of a page whose one chunk was retrieved."""
        doc_id = chunk_id.rsplit("#", 1)[0]
        with self._lock:
            rows = self._store.rows_of_docs([doc_id]).get(doc_id, [])
        return [r.chunk for r in rows]

    def iter_chunks(self) -> Iterator[Chunk]:
        with self._lock:
            chunks = list(self._store.iter_chunks())
        return iter(chunks)

    def search(self, query: str, k: int | None = None, method: str | None = None, *,
               terms: Mapping[str, float] | None = None) -> list[Hit]:
        """The ``k`` best chunks for ``query`` by ``method`` ('hybrid', 'bm25' or 'dense').

        ``terms`` (text → weight) replaces ``query`` on the BM25 side: the index tokens of each
        text count with its weight, so a caller that knows which parts of a question matter
        (the question sentence of a long story, words added by a lexicon) weighs them. The
        dense side always embeds ``query``."""
        cfg = self.config
        k = k or cfg.top_k
        method = method or cfg.method
        if method not in METHODS:
            raise ValueError(f"method must be 'hybrid', 'bm25' or 'dense', not {method!r}")
        if not query.strip() or len(self) == 0:
            return []
        want = max(k, cfg.candidates) if method == "hybrid" else k
        if self.reranker is not None:
            want = max(want, cfg.rerank_candidates)
        if cfg.max_per_doc:
            want *= 3
        ranked: list[tuple[int, float, dict]]
        if method == "bm25":
            ranked = [(r, s, {"bm25": i}) for i, (r, s) in enumerate(self.bm25_search(query, want, terms), 1)]
        elif method == "dense":
            ranked = [(r, s, {"dense": i}) for i, (r, s) in enumerate(self.dense_search(query, want), 1)]
        else:
            lists = {"bm25": [r for r, _ in self.bm25_search(query, want, terms)],
                     "dense": [r for r, _ in self.dense_search(query, want)]}
            weights = {"bm25": cfg.bm25_weight, "dense": cfg.dense_weight}
            if cfg.sentence_weight > 0:
                lists["sentence"] = [r for r, _ in self.sentence_search(query, want)]
                weights["sentence"] = cfg.sentence_weight
            ranked = rrf(lists, weights, cfg.rrf_k)
        if cfg.max_per_doc:
            ranked = self._limit_per_doc(ranked, cfg.max_per_doc)
        top = ranked[: max(k, cfg.rerank_candidates) if self.reranker else k]
        with self._lock:
            chunks = self._store.by_rows([r for r, _, _ in top])
        hits = [Hit.from_chunk(chunks[r], s, i, ranks) for i, (r, s, ranks) in enumerate(top, 1) if r in chunks]
        if self.reranker is not None:
            hits = self.reranker(query, hits)
        return hits[:k]

    # -- parts ------------------------------------------------------------------
    def bm25_search(self, query: str, k: int, terms: Mapping[str, float] | None = None) -> list[tuple[int, float]]:
        if terms is None:
            return self._bm25.search(query, k)
        weights: dict[str, float] = {}
        for text, w in terms.items():
            for t in tokens_for(text):
                weights[t] = weights.get(t, 0.0) + float(w)
        return self._bm25.search_terms(weights, k)

    def embed_query(self, query: str):
        """The query's vector (the last few are kept: an answer embeds its question once for
        retrieval and again to score sentences)."""
        v = self._query_vectors.get(query)
        if v is not None:
            return v
        v = self.embedder.embed_query(query)
        if not self._dim_checked:
            if v.shape[-1] != self.info.dim:
                raise IndexMismatchError(
                    f"embedder {self.embedder.name} gives {v.shape[-1]}-d vectors but the index holds "
                    f"{self.info.dim}-d ones", hint=REBUILD)
            self._dim_checked = True
        if len(self._query_vectors) >= 64:
            self._query_vectors.pop(next(iter(self._query_vectors)))
        self._query_vectors[query] = v
        return v

    def _sentence_matrix(self):
        """The generation's sentence vectors (memory-mapped), or False for an index built without them."""
        if self._sentences is None:
            path = self.path / SENTENCE_FILE
            self._sentences = np.load(path, mmap_mode="r") if path.is_file() else False
        return self._sentences

    def sentence_vectors(self, sentences: list[str]) -> dict[str, "object"]:
        """sentence text → its vector, for the sentences of this generation's chunks that have one
        (``index.sentence_vectors``; empty for an index built without them)."""
        self._sentence_matrix()
        if self._sentences is False or not sentences:
            return {}
        keys = {sentence_key(s): s for s in sentences}
        with self._lock:
            rows = self._store.sentence_rows(list(keys))
        return {keys[k]: self._sentences[r] for k, r in rows.items() if r < len(self._sentences)}

    def dense_search(self, query: str, k: int) -> list[tuple[int, float]]:
        return search_faiss(self._faiss, self.embed_query(query), k)

    def _owners(self):
        """(sentence row, chunk row) pairs, one per sentence occurrence in a chunk, as two arrays; built
        on first use from the stored chunks (a sentence two chunks share belongs to both)."""
        with self._init_lock:
            if self._sentence_owners is None:
                vecs = self._sentence_matrix()
                srow, crow = [], []
                if vecs is not False:
                    with self._lock:
                        keys = self._store.sentence_rows()
                        stored = list(self._store.iter_rows())
                    for sr in stored:
                        for sent in chunk_sentences(sr.chunk.text):
                            i = keys.get(sentence_key(sent))
                            if i is not None and i < len(vecs):
                                srow.append(i)
                                crow.append(sr.row)
                self._sentence_owners = (np.asarray(srow, np.int64), np.asarray(crow, np.int64))
            return self._sentence_owners

    def sentence_search(self, query: str, k: int) -> list[tuple[int, float]]:
        """The ``k`` chunks whose closest sentence is closest to ``query`` (cosine of the sentence
        vectors), best first; empty for an index without sentence vectors."""
        srow, crow = self._owners()
        if not len(srow):
            return []
        q = np.asarray(self.embed_query(query), np.float32).reshape(-1)
        sims = (np.asarray(self._sentences) @ q)[srow]
        m = min(len(sims), max(k * 20, 200))
        while True:
            top = np.argpartition(-sims, m - 1)[:m] if m < len(sims) else np.arange(len(sims))
            top = top[np.argsort(-sims[top], kind="stable")]
            out: list[tuple[int, float]] = []
            seen: set[int] = set()
            for i in top:
                c = int(crow[i])
                if c not in seen:
                    seen.add(c)
                    out.append((c, float(sims[i])))
                    if len(out) == k:
                        return out
            if m >= len(sims):
                return out
            m = min(len(sims), m * 4)

    def _limit_per_doc(self, ranked, limit):
        with self._lock:
            chunks = self._store.by_rows([r for r, _, _ in ranked])
        seen: dict[str, int] = {}
        out = []
        for item in ranked:
            c = chunks.get(item[0])
            if c is None:
                continue
            if seen.get(c.doc_id, 0) < limit:
                seen[c.doc_id] = seen.get(c.doc_id, 0) + 1
                out.append(item)
        return out

    def close(self) -> None:
        self._store.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self) -> str:
        return f"<Retriever gen-{self.generation} {len(self)} chunks, {self.info.embedder_name}>"


def open_index(ws: Workspace, cfg: IndexSettings | IndexConfig | None = None, *, reranker: Reranker | None = None,
               embedder: Embedder | None = None, verify: bool = True) -> Retriever:
    """Open the live index generation of workspace ``ws``.

    ``cfg`` (TenkanConfig or IndexConfig; defaults when None) supplies search settings; the embedder
    comes from the index manifest, and a config naming a different one is refused.
    """
    icfg = index_config(cfg) if cfg is not None else IndexConfig()
    gen = live_generation(ws)
    if gen is None:
        raise IndexMissingError(f"no index in {ws.index_dir()}", hint="tenkan index")
    manifest = check_generation(gen, verify_hashes=verify)
    check_embedder(manifest, embedder_desc(icfg) if embedder is None else {"name": embedder.name})
    return Retriever(gen, manifest, icfg, reranker=reranker, embedder=embedder)

"""``index.open_index`` → :class:`Retriever`: BM25, dense and hybrid search over the live generation.

The index decides its embedding model: the retriever recreates the embedder
recorded in the generation's manifest. A configuration naming another embedder
is refused (``IndexMismatchError``) rather than silently searched with vectors
of a different space; so is a generation whose files do not match their
manifest (``IndexCorruptError``). Both name the rebuild command.
"""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path
from typing import Callable, Iterator, Mapping

from index.types import Chunk, Hit
from tenkan.errors import IndexCorruptError, IndexMismatchError, IndexMissingError
from tenkan.vocab import METHODS

__all__ = ["Retriever", "open_index", "check_generation"]

log = logging.getLogger(__name__)

REBUILD = "tenkan index --full"

#: (query, hits) -> hits re-ordered (and re-scored); see ``IndexConfig.reranker``
Reranker = Callable[[str, list[Hit]], list[Hit]]


def check_generation(gen_dir: Path, verify_hashes: bool = True) -> dict:
    """Read and check a generation's manifest and files; return the manifest."""
    from index.builder import FORMAT, verify_files

    mpath = gen_dir / "manifest.json"
    if not gen_dir.is_dir() or not mpath.is_file():
        raise IndexCorruptError(f"index generation {gen_dir} is missing or has no manifest", hint=REBUILD)
    try:
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
        manifest["embedder"]["name"], int(manifest["dim"]), int(manifest["chunks"])  # noqa: B018
    except (ValueError, KeyError, TypeError) as exc:
        raise IndexCorruptError(f"index manifest {mpath} is unreadable ({exc})", hint=REBUILD) from exc
    if manifest.get("format") != FORMAT:
        raise IndexMismatchError(
            f"index at {gen_dir} has format {manifest.get('format')!r}, this version reads {FORMAT}", hint=REBUILD)
    verify_files(gen_dir, manifest, verify_hashes)
    return manifest


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

    def __init__(self, gen_dir: Path, manifest: dict, icfg, reranker: Reranker | None = None,
                 embedder=None) -> None:
        from index.bm25 import BM25Index
        from index.dense import load_faiss
        from index.embedders import get_embedder
        from index.store import ChunkStore

        self.path = gen_dir
        self.manifest = manifest
        self.config = icfg
        self.generation = int(manifest.get("generation", 0))
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
        dim, chunks = int(manifest["dim"]), int(manifest["chunks"])
        if self._faiss.d != dim:
            raise IndexMismatchError(f"FAISS index at {gen_dir} has dimension {self._faiss.d}, manifest says {dim}",
                                     hint=REBUILD)
        if not (self._faiss.ntotal == n_rows == chunks == (self._bm25.size if chunks else 0) or
                (chunks == 0 and self._faiss.ntotal == n_rows == 0)):
            raise IndexCorruptError(
                f"index at {gen_dir} is inconsistent: {self._faiss.ntotal} vectors, {n_rows} stored chunks, "
                f"{self._bm25.size} BM25 rows, manifest {chunks}", hint=REBUILD)
        e = manifest["embedder"]
        self.embedder = embedder or get_embedder(e["name"], e.get("query_prefix", ""), e.get("passage_prefix", ""))
        self._dim_checked = embedder is not None and embedder.dim == dim
        self._lock = threading.Lock()
        self._sentences = None
        self._query_vectors: dict[str, object] = {}
        self.reranker = reranker
        if self.reranker is None and icfg.reranker:
            self.reranker = _cross_encoder(icfg.reranker[3:])

    # -- contract ---------------------------------------------------------------
    def __len__(self) -> int:
        return int(self.manifest["chunks"])

    def get(self, chunk_id: str) -> Chunk | None:
        with self._lock:
            return self._store.get(chunk_id)

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
            from index.fusion import rrf

            lists = {"bm25": [r for r, _ in self.bm25_search(query, want, terms)],
                     "dense": [r for r, _ in self.dense_search(query, want)]}
            ranked = rrf(lists, {"bm25": cfg.bm25_weight, "dense": cfg.dense_weight}, cfg.rrf_k)
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
        from index.bm25 import tokens_for

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
            if v.shape[-1] != int(self.manifest["dim"]):
                raise IndexMismatchError(
                    f"embedder {self.embedder.name} gives {v.shape[-1]}-d vectors but the index holds "
                    f"{self.manifest['dim']}-d ones", hint=REBUILD)
            self._dim_checked = True
        if len(self._query_vectors) >= 64:
            self._query_vectors.pop(next(iter(self._query_vectors)))
        self._query_vectors[query] = v
        return v

    def sentence_vectors(self, sentences: list[str]) -> dict[str, "object"]:
        """sentence text → its vector, for the sentences of this generation's chunks that have one
        (``index.sentence_vectors``; empty for an index built without them)."""
        from index.builder import SENTENCE_FILE, sentence_key

        if self._sentences is None:
            path = self.path / SENTENCE_FILE
            self._sentences = False
            if path.is_file():
                import numpy as np

                self._sentences = np.load(path, mmap_mode="r")
        if self._sentences is False or not sentences:
            return {}
        keys = {sentence_key(s): s for s in sentences}
        with self._lock:
            rows = self._store.sentence_rows(list(keys))
        return {keys[k]: self._sentences[r] for k, r in rows.items() if r < len(self._sentences)}

    def dense_search(self, query: str, k: int) -> list[tuple[int, float]]:
        from index.dense import search_faiss

        return search_faiss(self._faiss, self.embed_query(query), k)

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
        return f"<Retriever gen-{self.generation} {len(self)} chunks, {self.manifest['embedder']['name']}>"


def open_index(ws, cfg=None, *, reranker: Reranker | None = None, embedder=None,
               verify: bool = True) -> Retriever:
    """Open the live index generation of workspace ``ws``.

    ``cfg`` (TenkanConfig or IndexConfig; defaults when None) supplies search settings; the embedder
    comes from the index manifest, and a config naming a different one is refused.
    """
    from index.builder import _embedder_desc, index_config
    from index.config import IndexConfig
    from index.generations import current_dir

    icfg = index_config(cfg) if cfg is not None else IndexConfig()
    index_dir = ws.index_dir()
    gen = current_dir(index_dir) if index_dir.is_dir() else None
    if gen is None:
        raise IndexMissingError(f"no index in {index_dir}", hint="tenkan index")
    manifest = check_generation(gen, verify_hashes=verify)
    built = manifest["embedder"]
    want = _embedder_desc(icfg) if embedder is None else {"name": embedder.name}
    if built["name"] != want["name"] or any(
        built.get(k, "") != want.get(k, "") for k in ("query_prefix", "passage_prefix")
    ):
        raise IndexMismatchError(
            f"the index at {gen} was built with embedder {built['name']!r} "
            f"({built.get('dim')}-d) but the settings name {want['name']!r}",
            hint=f"{REBUILD}   (or --set index.embedder={built['name']} to use the index as built)",
        )
    return Retriever(gen, manifest, icfg, reranker=reranker, embedder=embedder)

"""FAISS dense index: exact inner product for small corpora, HNSW (or IVF) for large ones.

Vectors are L2-normalised, so inner product is cosine similarity. Row i of the
FAISS index is chunk row i of the chunk store.

``kind="auto"`` (the default) picks by size: an exact flat index up to ``flat_max``
vectors, HNSW above (bench/results/retrieval.json reports its recall@10 against the
flat index at 100k chunks).

A query is one vector, and FAISS's OpenMP threads buy nothing for one vector on a few
cores: on a busy 2-core machine two threads made a 10k-vector flat search ~50 ms
instead of ~1 ms (threads spinning at a barrier while another job holds the core).
Searches therefore run on the calling thread only (``omp_set_num_threads`` is
per thread in libgomp, so other threads are not affected, and the calling thread's
setting is restored after the search: building an HNSW graph wants every core).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from index.config import IndexConfig

__all__ = ["build_faiss", "load_faiss", "save_faiss", "search_faiss", "choose_kind", "index_kind"]

#: the kinds a built index can have; "auto" resolves to one of them at build time
BUILT_KINDS = ("flat", "hnsw", "ivf")


def choose_kind(kind: str, n: int, flat_max: int) -> str:
    """The index type built for ``n`` vectors: ``kind`` itself, or for ``"auto"`` flat up to
    ``flat_max`` vectors and HNSW above."""
    if kind != "auto":
        return kind
    return "flat" if n <= flat_max else "hnsw"


def index_kind(index) -> str:
    """'flat', 'hnsw' or 'ivf' for a loaded FAISS index."""
    if hasattr(index, "hnsw"):
        return "hnsw"
    if hasattr(index, "nprobe"):
        return "ivf"
    return "flat"


def build_faiss(vectors: np.ndarray, kind: str = "flat", *, hnsw_m: int = IndexConfig.hnsw_m,
                hnsw_ef_construction: int = IndexConfig.hnsw_ef_construction,
                hnsw_ef_search: int = IndexConfig.hnsw_ef_search, ivf_nlist: int = IndexConfig.ivf_nlist,
                ivf_nprobe: int = IndexConfig.ivf_nprobe, flat_max: int = IndexConfig.faiss_flat_max):
    """A FAISS index over ``vectors`` (row i = chunk row i).

    HNSW: ``hnsw_ef_construction`` is the breadth of the search that picks each new vector's
    neighbours. The graph it builds bounds what any ``efSearch`` can find later: on the 100k bench
    vectors efConstruction 64 (FAISS's ``2*M`` rule of thumb) left dense recall@10 at 0.95 even with
    efSearch 1024, where 300 with M 64 reaches 0.99 (docs/retrieval.md). Building costs grow
    roughly linearly with it; searching does not."""
    import faiss

    n, d = vectors.shape
    kind = choose_kind(kind, n, flat_max)
    if kind == "hnsw":
        index = faiss.IndexHNSWFlat(d, hnsw_m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = hnsw_ef_construction
        index.hnsw.efSearch = hnsw_ef_search
    elif kind == "ivf" and n >= 2:
        nlist = ivf_nlist or max(1, int(4 * math.sqrt(n)))
        nlist = max(1, min(nlist, n // 39 or 1))  # faiss wants ~39 training points per cell
        quantizer = faiss.IndexFlatIP(d)
        index = faiss.IndexIVFFlat(quantizer, d, nlist, faiss.METRIC_INNER_PRODUCT)
        index.train(vectors)
        index.nprobe = min(ivf_nprobe, nlist)
    else:
        index = faiss.IndexFlatIP(d)
    if n:
        index.add(vectors)
    return index


def save_faiss(index, path: str | Path) -> None:
    import faiss

    faiss.write_index(index, str(path))


def load_faiss(path: str | Path, *, hnsw_ef_search: int | None = None, ivf_nprobe: int | None = None):
    import faiss

    index = faiss.read_index(str(path))
    if hnsw_ef_search and hasattr(index, "hnsw"):
        index.hnsw.efSearch = hnsw_ef_search
    if ivf_nprobe and hasattr(index, "nprobe"):
        index.nprobe = min(ivf_nprobe, index.nlist)
    return index


def search_faiss(index, query: np.ndarray, k: int) -> list[tuple[int, float]]:
    if index.ntotal == 0 or k <= 0:
        return []
    import faiss

    q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)  # one query: no OpenMP team (see the module docstring)
    try:
        scores, ids = index.search(q, min(k, index.ntotal))
    finally:
        faiss.omp_set_num_threads(threads)  # a later build on this thread keeps all cores
    return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]

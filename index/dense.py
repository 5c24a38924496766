"""FAISS dense index: exact inner product by default, HNSW or IVF for large corpora.

Vectors are L2-normalised, so inner product is cosine similarity. Row i of the
FAISS index is chunk row i of the chunk store.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

__all__ = ["build_faiss", "load_faiss", "save_faiss", "search_faiss"]


def build_faiss(vectors: np.ndarray, kind: str = "flat", *, hnsw_m: int = 32, hnsw_ef_search: int = 128,
                ivf_nlist: int = 0, ivf_nprobe: int = 16):
    import faiss

    n, d = vectors.shape
    if kind == "hnsw":
        index = faiss.IndexHNSWFlat(d, hnsw_m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = max(40, hnsw_m * 2)
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
    q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
    scores, ids = index.search(q, min(k, index.ntotal))
    return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]

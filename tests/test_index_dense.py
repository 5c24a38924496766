"""The FAISS layer on small real indexes: the kind 'auto' picks, and the HNSW build settings."""

import faiss
import numpy as np

from index.config import IndexConfig
from index.dense import build_faiss, index_kind, search_faiss


def _clustered(n: int, seed: int) -> np.ndarray:
    """Unit vectors in 25 tight clusters: neighbours differ by small margins, as sentence vectors do."""
    rng = np.random.default_rng(seed)
    centres = np.random.default_rng(7).standard_normal((25, 48))
    x = centres[rng.integers(0, 25, n)] + 0.35 * rng.standard_normal((n, 48))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def test_auto_is_flat_up_to_flat_max_and_hnsw_with_the_configured_graph_above():
    x = _clustered(3000, 0)
    assert index_kind(build_faiss(x, "auto", flat_max=3000)) == "flat"
    hnsw = build_faiss(x, "auto", flat_max=2999)
    d = IndexConfig()
    assert index_kind(hnsw) == "hnsw"
    assert (hnsw.hnsw.nb_neighbors(1), hnsw.hnsw.efConstruction, hnsw.hnsw.efSearch) == \
        (d.hnsw_m, d.hnsw_ef_construction, d.hnsw_ef_search)
    custom = build_faiss(x, "hnsw", hnsw_m=8, hnsw_ef_construction=77, hnsw_ef_search=33)
    assert (custom.hnsw.nb_neighbors(1), custom.hnsw.efConstruction, custom.hnsw.efSearch) == (8, 77, 33)


def test_hnsw_with_the_default_settings_returns_the_flat_top_10():
    x, queries = _clustered(3000, 0), _clustered(40, 1)
    flat, hnsw = build_faiss(x, "flat"), build_faiss(x, "hnsw")
    for q in queries:
        exact = search_faiss(flat, q, 10)
        approx = search_faiss(hnsw, q, 10)
        assert [r for r, _ in approx] == [r for r, _ in exact]
        # HNSWFlat keeps the vectors: its scores are the exact inner products, not estimates
        assert np.allclose([s for _, s in approx], [s for _, s in exact], atol=1e-5)


def test_a_graph_built_narrowly_is_what_hnsw_ef_construction_fixes():
    """The failure the option exists for, in small: with degree 4 and a build breadth of 4 the graph
    misses some of the flat top-10 even when searched widely; a wider build finds more of it."""
    x, queries = _clustered(3000, 0), _clustered(40, 1)
    flat = build_faiss(x, "flat")

    def recall(index) -> float:
        found = [len({r for r, _ in search_faiss(index, q, 10)} & {r for r, _ in search_faiss(flat, q, 10)})
                 for q in queries]
        return sum(found) / (10 * len(queries))

    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)  # the graph FAISS builds with several threads is not deterministic
    try:
        narrow = build_faiss(x, "hnsw", hnsw_m=4, hnsw_ef_construction=4, hnsw_ef_search=16)
        wide = build_faiss(x, "hnsw", hnsw_m=4, hnsw_ef_construction=200, hnsw_ef_search=16)
    finally:
        faiss.omp_set_num_threads(threads)
    assert recall(narrow) + 0.2 < recall(wide)  # measured: 0.51 vs 0.85


def test_a_search_leaves_the_threads_of_its_caller_as_they_were():
    """Searches run on one thread; a build later on the same thread must still get every core."""
    threads = faiss.omp_get_max_threads()
    index = build_faiss(_clustered(100, 0), "flat")
    search_faiss(index, _clustered(1, 1)[0], 3)
    assert faiss.omp_get_max_threads() == threads

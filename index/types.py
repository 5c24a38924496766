"""The records retrieval hands out: :class:`Chunk` (stored) and :class:`Hit` (a search result)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

__all__ = ["Chunk", "Hit", "IndexSummary"]


@dataclass(frozen=True)
class Chunk:
    """One stored chunk. ``chunk_id`` (``<doc_id>#<n>``) is what answers cite."""

    chunk_id: str
    doc_id: str
    n: int
    text: str
    url: str
    title: str
    headings: list[str]
    doc_version: int
    content_hash: str  # sha256 of the document text the chunk came from (and of its page boundaries, for a PDF)
    #: page of a PDF document the chunk lies on (citations link ``url#page=N``); None for HTML pages
    page: int | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Hit:
    """A search result: the chunk's fields plus its fused ``score`` and 1-based ``rank``."""

    chunk_id: str
    doc_id: str
    text: str
    url: str
    title: str
    headings: list[str]
    score: float
    rank: int
    n: int = 0
    doc_version: int = 0
    #: per-method ranks and scores behind the fused score, e.g. {"bm25": 3, "dense": 1}
    ranks: dict = field(default_factory=dict)
    #: page of a PDF document (None for HTML pages)
    page: int | None = None

    @classmethod
    def from_chunk(cls, c: Chunk, score: float, rank: int, ranks: dict | None = None) -> "Hit":
        return cls(c.chunk_id, c.doc_id, c.text, c.url, c.title, list(c.headings), float(score), rank,
                   c.n, c.doc_version, dict(ranks or {}), c.page)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class IndexSummary:
    """What ``index.build`` did. ``changed`` is False when the corpus and settings were unchanged
    (then nothing was written: the refresh job relies on this being a cheap no-op)."""

    changed: bool
    generation: int
    documents: int
    chunks: int
    added_docs: int = 0
    changed_docs: int = 0
    removed_docs: int = 0
    unchanged_docs: int = 0
    embedded_chunks: int = 0
    reused_chunks: int = 0
    #: of ``embedded_chunks``, how many came from the embedding cache instead of the model
    cached_chunks: int = 0
    embedder: str = ""
    dim: int = 0
    full: bool = False
    seconds: float = 0.0
    path: str = ""
    reason: str = ""

    def to_dict(self) -> dict:
        return asdict(self)

"""What the assistant hands out: :class:`Answer` (with :class:`Citation`) and the
stream events :class:`TokenEvent` / :class:`FinalEvent`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from tenkan.vocab import Grounding

__all__ = ["Citation", "Answer", "TokenEvent", "FinalEvent", "GROUNDING_STATES", "page_url", "page_label"]

#: What each value of ``Answer.grounding`` (``tenkan.vocab.Grounding``) means; ``grounded`` is True for
#: the first three. The app's labels (``tenkan.face.ui.render``) follow it.
GROUNDING_STATES: dict[Grounding, str] = {
    "verified": "every sentence of the generated answer is supported by the source it cites",
    "pruned": "unsupported sentences of the generated answer were removed",
    "extractive": "the answer quotes source sentences verbatim (extractive mode)",
    "fallback": "the generated answer was not grounded; the answer quotes the sources instead",
    "unverified": "generated without sources (ft/base modes): nothing to check against",
    "no_sources": "retrieval found nothing relevant enough; no answer from the sources",
    "out_of_scope": "the question is outside epilepsy/medical topics",
}


def page_url(url: str, page: int | None) -> str:
    """The link of a cited source: ``url#page=N`` for a page of a PDF document, else ``url``."""
    return f"{url.split('#', 1)[0]}#page={page}" if page else url


def page_label(page: int | None) -> str:
    """How a page is shown next to a citation (CLI and app): 「p.N」, or nothing."""
    return f"「p.{page}」" if page else ""


@dataclass
class Citation:
    n: int
    url: str  # for a PDF document: ``…pdf#page=N`` (opens on the page)
    title: str
    chunk_id: str
    quote: str
    #: page of a PDF document; None for HTML pages (always present in ``to_dict()``)
    page: int | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Answer:
    question: str
    answer: str
    mode: str
    citations: list[Citation] = field(default_factory=list)
    grounded: bool = False
    grounding: Grounding = "unverified"
    safety: dict[str, Any] = field(default_factory=dict)
    #: the retrieval query (differs from the question for follow-ups)
    retrieval_query: str = ""
    #: every source given to the model, numbered as in the prompt: {n, chunk_id, url, title, text}
    sources: list[dict] = field(default_factory=list)
    #: raw model output before checks (generated modes)
    generated: str = ""
    #: sentences removed by the citation check or the safety filter, with the reason
    removed: list[dict] = field(default_factory=list)
    model: str = ""
    #: how well the retrieved sources cover the question (RAG modes): coverage, weighted_coverage,
    #: missing (specific words not found in the sources), relevant, reason
    relevance: dict[str, Any] = field(default_factory=dict)
    #: why a generated answer fell back to quoting: "unsupported", "off-topic" or "declined" (the model
    #: wrote the template's no-answer although the sources were judged to cover the question); "" otherwise
    fallback_reason: str = ""
    #: the generated answers tried, in order (RAG modes): {context_order, fallback_reason}; a second one is
    #: written when the first falls back and ``assistant.retry_order`` shows the model another prompt
    attempts: list[dict] = field(default_factory=list)
    #: what the question analysis changed (assistant.query.Query.describe): restored kana, added words, focus
    query: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict:
        d = {
            "question": self.question,
            "answer": self.answer,
            "mode": self.mode,
            "citations": [c.to_dict() for c in self.citations],
            "grounded": self.grounded,
            "safety": dict(self.safety),
            "grounding": self.grounding,
            "retrieval_query": self.retrieval_query,
            "contexts": [s["text"] for s in self.sources],
            "sources": list(self.sources),
            "generated": self.generated,
            "removed": list(self.removed),
            "model": self.model,
            "relevance": dict(self.relevance),
            "query": dict(self.query),
            "fallback_reason": self.fallback_reason,
            "attempts": list(self.attempts),
            "timings": dict(self.timings),
        }
        return d


@dataclass
class TokenEvent:
    """A piece of answer text, in order; the pieces make up the streamed answer."""

    text: str


@dataclass
class FinalEvent:
    """The checked answer. Its text is authoritative: a UI replaces the streamed text with it."""

    answer: Answer

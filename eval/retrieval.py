"""Retrieval metrics against gold pages: recall@k, MRR, precision, by URL path.

Gold pages are URLs in the question set (``http://127.0.0.1:8765/life/bathing.html``),
while the index stores the URL the crawl saw (any port, maybe a canonical form).
Pages are therefore compared by *path*: scheme, host, port, query order and
fragment are ignored, and ``/dir/index.html`` equals ``/dir/``.
"""

from __future__ import annotations

import math
from typing import Iterable, Sequence

from index.urls import page_key

__all__ = ["page_key", "dedupe_pages", "recall_at_k", "reciprocal_rank", "precision_at_k", "retrieval_scores"]


def dedupe_pages(urls: Iterable[str]) -> list[str]:
    """Page keys of ranked hit URLs, first occurrence kept (several chunks → one page)."""
    seen: set[str] = set()
    out = []
    for u in urls:
        k = page_key(u)
        if k and k not in seen:
            seen.add(k)
            out.append(k)
    return out


def recall_at_k(ranked_urls: Sequence[str], gold_urls: Iterable[str], k: int) -> float:
    """Share of the gold pages found among the first ``k`` distinct retrieved pages.
    NaN when there is no gold page (out-of-scope questions)."""
    gold = {page_key(u) for u in gold_urls if u}
    if not gold:
        return math.nan
    got = set(dedupe_pages(ranked_urls)[:k])
    return len(gold & got) / len(gold)


def precision_at_k(ranked_urls: Sequence[str], gold_urls: Iterable[str], k: int) -> float:
    """Share of the first ``k`` distinct retrieved pages that are gold pages."""
    gold = {page_key(u) for u in gold_urls if u}
    if not gold:
        return math.nan
    got = dedupe_pages(ranked_urls)[:k]
    return (sum(1 for p in got if p in gold) / len(got)) if got else 0.0


def reciprocal_rank(ranked_urls: Sequence[str], gold_urls: Iterable[str]) -> float:
    """1 / rank of the first gold page among the distinct retrieved pages (0 if none)."""
    gold = {page_key(u) for u in gold_urls if u}
    if not gold:
        return math.nan
    for i, p in enumerate(dedupe_pages(ranked_urls), start=1):
        if p in gold:
            return 1.0 / i
    return 0.0


def retrieval_scores(ranked_urls: Sequence[str], gold_urls: Iterable[str], ks: Iterable[int] = (1, 3, 5)) -> dict[str, float]:
    """``{"recall@1": ..., "recall@5": ..., "mrr": ...}`` for one question's ranking."""
    gold = list(gold_urls)
    out = {f"recall@{k}": recall_at_k(ranked_urls, gold, k) for k in ks}
    out["mrr"] = reciprocal_rank(ranked_urls, gold)
    return out

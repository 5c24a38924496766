"""Exact and near-duplicate detection between documents.

Exact duplicates share a content hash. Near-duplicates are found with MinHash
(datasketch) over character 5-grams of the text without whitespace, and an LSH
index at ``ingest.near_duplicate_threshold`` (estimated Jaccard similarity). LSH
only proposes candidates (its banding lets through pairs well below the
threshold); a candidate counts only when the two MinHashes' Jaccard estimate
reaches the threshold.
Documents are considered in priority order and a document similar to one kept
earlier is a duplicate of it: pages that declare themselves canonical
(``<link rel="canonical">``) come first ("the canonical URL wins"), then pages
without a declaration, then pages naming another URL; ties go to documents
already in the corpus, then to HTML pages over PDF documents (a PDF that says
what a page says is usually its printable copy), then to shorter URLs.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["find_duplicates", "priority"]

_NUM_PERM = 128


def _shingles(text: str, n: int = 5) -> set[bytes]:
    s = re.sub(r"\s+", "", text)
    if len(s) <= n:
        return {s.encode("utf-8")}
    return {s[i : i + n].encode("utf-8") for i in range(len(s) - n + 1)}


def priority(doc: dict[str, Any]) -> tuple:
    """Sort key: lower wins."""
    declared = doc.get("declared_canonical")
    if declared and declared == doc["url"]:
        canon_rank = 0  # the page says it is the canonical copy
    elif doc["url"] == doc["canonical_url"]:
        canon_rank = 1  # no declaration: its own URL
    else:
        canon_rank = 2  # the page names another URL as canonical
    pdf = 1 if doc.get("media_type") == "application/pdf" else 0
    return (canon_rank, 0 if not doc.get("is_new") else 1, pdf, len(doc["url"]), doc["url"])


def find_duplicates(docs: list[dict[str, Any]], threshold: float) -> dict[str, str]:
    """Map doc_id → doc_id of the document it duplicates, for every duplicate in ``docs``.

    Each doc needs ``doc_id``, ``url``, ``canonical_url``, ``text``, ``content_hash``
    (and optionally ``is_new``).
    """
    from datasketch import MinHash, MinHashLSH

    dup_of: dict[str, str] = {}
    by_hash: dict[str, str] = {}
    lsh = MinHashLSH(threshold=threshold, num_perm=_NUM_PERM)
    rank: dict[str, int] = {}
    kept: dict[str, Any] = {}  # doc_id -> MinHash of the documents in the LSH index
    for i, doc in enumerate(sorted(docs, key=priority)):
        rank[doc["doc_id"]] = i
        h = doc["content_hash"]
        if h in by_hash:
            dup_of[doc["doc_id"]] = by_hash[h]
            continue
        m = MinHash(num_perm=_NUM_PERM)
        m.update_batch(list(_shingles(doc["text"])))
        hits = [c for c in lsh.query(m) if m.jaccard(kept[c]) >= threshold]
        if hits:
            dup_of[doc["doc_id"]] = min(hits, key=rank.__getitem__)
            continue
        by_hash[h] = doc["doc_id"]
        lsh.insert(doc["doc_id"], m)
        kept[doc["doc_id"]] = m
    return dup_of

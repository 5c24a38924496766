"""BM25 over fugashi (MeCab/unidic-lite) tokens.

Generic BM25 tokenizers split on spaces and punctuation, which turns a Japanese
sentence into a single token; here text is cut into lemmas of content words by
:func:`tenkan.jatext.content_tokens` (「発作が起きた」→「発作」「起きる」), and
the index is ``bm25s`` over those tokens. Tokens are stored with the chunks so
an incremental build re-tokenises only new text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from tenkan.jatext import content_tokens

__all__ = ["BM25Index", "tokens_for"]


def tokens_for(text: str) -> list[str]:
    """Index tokens of a chunk or query: content-word lemmas, no spaces inside a token."""
    return [t.replace(" ", "_") for t in content_tokens(text) if t.strip()]


class BM25Index:
    """A bm25s index whose row i is chunk row i."""

    def __init__(self, model) -> None:
        self._m = model

    @classmethod
    def build(cls, corpus_tokens: Sequence[list[str]], k1: float = 1.2, b: float = 0.75) -> "BM25Index":
        import bm25s

        m = bm25s.BM25(k1=k1, b=b)
        # bm25s wants at least one token per document
        m.index([toks or [""] for toks in corpus_tokens], show_progress=False)
        return cls(m)

    def save(self, directory: str | Path) -> None:
        self._m.save(str(directory), show_progress=False)

    @classmethod
    def load(cls, directory: str | Path) -> "BM25Index":
        import bm25s

        return cls(bm25s.BM25.load(str(directory), show_progress=False, verbosity=0))

    @property
    def size(self) -> int:
        return int(self._m.scores["num_docs"])

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        """(row, score) of the ``k`` best rows with a positive score, best first."""
        weights: dict[str, float] = {}
        for t in tokens_for(query):
            weights[t] = weights.get(t, 0.0) + 1.0
        return self.search_terms(weights, k)

    def search_terms(self, weights: Mapping[str, float], k: int) -> list[tuple[int, float]]:
        """Like :meth:`search` for a weighted bag of index tokens: a row's score is the sum over
        the terms of ``weight × BM25 score of the term`` (a plain query weighs each
        occurrence 1). Only the rows that contain a term are touched."""
        m = self._m
        vocab = m.vocab_dict
        ids = [(vocab[t], float(w)) for t, w in weights.items() if t in vocab and w > 0]
        if not ids or k <= 0:
            return []
        data, indices, indptr = m.scores["data"], m.scores["indices"], m.scores["indptr"]
        scores = np.zeros(int(m.scores["num_docs"]), dtype=np.float32)
        for tid, w in ids:
            a, b = indptr[tid], indptr[tid + 1]
            np.add.at(scores, indices[a:b], w * data[a:b])
        hit = np.flatnonzero(scores > 0)
        if hit.size == 0:
            return []
        k = min(k, hit.size)
        top = hit[np.argpartition(-scores[hit], k - 1)[:k]]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(i), float(scores[i])) for i in top]

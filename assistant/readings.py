"""Kana written where the pages write kanji: find the pages' words by their reading.

Patients type 「ほっさ」, 「うんてん」, 「のうは けんさ」 or 「くすり のみわすれた」, as a phone
keyboard gives them before conversion. The pages write 発作, 運転, 脳波検査, 薬. Word
overlap, BM25 and the scope check see nothing in common, and the dense model reads
hiragana poorly. :class:`ReadingVocabulary` learns, from the index's own chunks, the
reading of every word written with kanji or katakana (single words and pairs of adjacent
words, so compounds such as 飲み忘れ and 脳波検査 are found whole), and
:meth:`ReadingVocabulary.restore` finds those readings inside the kana runs of a query.

Spurious matches are the risk (「どうしよう」 contains the reading of 使用), so a match
must start and end on MeCab token boundaries of the query, and a match that is exactly
one token MeCab already reads as a verb, auxiliary or particle is not replaced: only
spans MeCab could not make sense of (「ほっ」「さ」 for ほっさ) or read as a noun or an
adverb are restored. Readings shorter than :data:`MIN_READING` kana are ignored.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from typing import Any, Iterable

from tenkan.jatext import KANA_RUN, _words, to_katakana

__all__ = ["ReadingVocabulary", "reading_vocabulary", "MIN_READING"]

#: shortest reading (in kana) that may be restored: two-kana readings (さけ, かん, いし) are
#: too ambiguous inside running hiragana
MIN_READING = 3
_MAX_READING = 14
_HAS_KANJI_OR_KATAKANA = re.compile(r"[\u3400-\u9fff\u30a1-\u30fa]")
_CONTENT_POS = {"名詞", "動詞", "形容詞", "形状詞", "接頭辞", "接尾辞"}
_KEEP_AS_READ = {"動詞", "助動詞", "助詞"}


def _tokens(text: str) -> list[tuple[str, str, str, bool]]:
    """(surface, kana, pos1, space before) of each MeCab token."""
    out = []
    for w in _words(text):
        kana = getattr(w.feature, "kana", None)
        out.append((w.surface, kana if kana and kana != "*" else "", getattr(w.feature, "pos1", ""),
                    bool(w.white_space)))
    return out


class ReadingVocabulary:
    """reading (katakana) → the word the corpus writes for it, most frequent spelling first."""

    def __init__(self, texts: Iterable[str] = ()) -> None:
        counts: dict[str, Counter] = {}

        def add(reading: str, surface: str) -> None:
            if MIN_READING <= len(reading) <= _MAX_READING and _HAS_KANJI_OR_KATAKANA.search(surface):
                counts.setdefault(reading, Counter())[surface] += 1

        for text in texts:
            toks = _tokens(text)
            for i, (surf, kana, pos, _) in enumerate(toks):
                if not kana or pos not in _CONTENT_POS:
                    continue
                if pos in ("名詞", "形状詞"):
                    add(kana, surf)
                if i + 1 < len(toks):
                    s2, k2, p2, space = toks[i + 1]
                    if k2 and not space and p2 in _CONTENT_POS:
                        add(kana + k2, surf + s2)
        self.words = {r: c.most_common(1)[0][0] for r, c in counts.items()}
        self.df = {r: sum(c.values()) for r, c in counts.items()}

    def __len__(self) -> int:
        return len(self.words)

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, corpus word) for each kana span of ``text`` that spells a corpus word's
        reading, left to right, longest match first (see the module docstring for the rules
        that keep this from guessing)."""
        if not self.words:
            return []
        toks = _tokens(text)
        # character offsets of token boundaries inside the text (MeCab drops spaces)
        pos, starts, ends, single = 0, set(), set(), {}
        for surf, _kana, p, _ in toks:
            i = text.find(surf, pos)
            if i < 0:
                continue
            starts.add(i)
            ends.add(i + len(surf))
            single[(i, i + len(surf))] = p
            pos = i + len(surf)
        found: list[tuple[int, int, str]] = []
        for run in KANA_RUN.finditer(text):
            kata = to_katakana(run.group())
            a = 0
            while a < len(kata):
                hit = None
                if run.start() + a in starts:
                    for b in range(min(len(kata), a + _MAX_READING), a + MIN_READING - 1, -1):
                        word = self.words.get(kata[a:b])
                        span = (run.start() + a, run.start() + b)
                        if word and span[1] in ends and single.get(span) not in _KEEP_AS_READ:
                            hit = (span[0], span[1], word)
                            break
                if hit:
                    found.append(hit)
                    a = hit[1] - run.start()
                else:
                    a += 1
        return found

    def restore(self, text: str) -> list[str]:
        """The corpus words the kana of ``text`` spell, in order, without repeats."""
        return list(dict.fromkeys(w for _, _, w in self.spans(text)))

    def convert(self, text: str) -> str:
        """``text`` with every restorable kana span replaced by the corpus word
        (「くすり のみわすれた」 → 「薬 飲み忘れた」); a span already written as the word stays."""
        out, last = [], 0
        for a, b, word in self.spans(text):
            out.append(text[last:a])
            out.append(word)
            last = b
        out.append(text[last:])
        return "".join(out)


_cache: dict[Any, ReadingVocabulary] = {}
_lock = threading.Lock()


def reading_vocabulary(retriever: Any) -> ReadingVocabulary:
    """The reading vocabulary of ``retriever``'s chunks, built once per index generation
    (empty when the retriever cannot list its chunks)."""
    it = getattr(retriever, "iter_chunks", None)
    if it is None:
        return ReadingVocabulary()
    manifest = getattr(retriever, "manifest", None) or {}
    key = (id(retriever), manifest.get("generation"), manifest.get("chunks"))
    with _lock:
        vocab = _cache.get(key)
        if vocab is None:
            vocab = ReadingVocabulary(f"{c.title}\n{c.text}" for c in it())
            _cache.clear()
            _cache[key] = vocab
        return vocab

"""Extractive answers: the source sentences that best match the question, quoted
verbatim and cited by number. Also the relevance test behind the no-answer path."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tenkan.jatext import char_ngrams, split_sentences

from assistant.grounding import Source, _tokens
from assistant.injection import looks_like_injection
from assistant.safety import unsafe_medication_statement

__all__ = ["Quote", "select_sentences", "coverage", "is_quotable"]

# Page furniture that is not an answer (the demo site's notice, navigation remnants).
_BOILERPLATE = re.compile(
    r"最終更新|更新日|公開日|掲載日|デモ用|デモサイト|医療上の助言ではありません|医学的助言|架空|このページは.{0,20}(?:デモ|例)|"
    r"^(?:トップ|ホーム)\s*[>＞›»]|関連ページ|お問い合わせ|Cookie|クッキー|広告|PR"
)


@dataclass
class Quote:
    source: int        # source number (as given)
    position: int      # sentence index within the source
    text: str
    score: float


def is_quotable(sentence: str, title: str = "") -> bool:
    s = sentence.strip()
    if len(s) < 12 or s.startswith("#") or (title and s.rstrip("。") == title.strip()):
        return False
    if len(s) < 25 and not re.search(r"[。！？!?]$", s):  # a heading that lost its '#'
        return False
    if re.search(r"[？?]$", s) or re.match(r"Q[.．:：]", s):  # an FAQ question answers nothing
        return False
    if _BOILERPLATE.search(s) or looks_like_injection(s):
        return False
    if unsafe_medication_statement(s):
        return False
    return True


def _bigrams(text: str) -> set[str]:
    return set(char_ngrams(re.sub(r"[\W_]+", "", text), 2))


def _score(q_toks: frozenset[str], q_bi: set[str], sentence: str) -> float:
    st = _tokens(sentence)
    tok = len(q_toks & st) / len(q_toks) if q_toks else 0.0
    bi = len(q_bi & _bigrams(sentence)) / len(q_bi) if q_bi else 0.0
    return 0.7 * tok + 0.3 * bi


def select_sentences(question: str, sources: list[Source], n: int = 3, per_source: int = 2,
                     min_score: float = 0.12, rel_floor: float = 0.5) -> list[Quote]:
    """Up to ``n`` quotable sentences, best first by score, at most ``per_source`` from one source.

    Earlier (better-ranked) sources win ties; a source's sentences keep their order
    in the result when several are chosen."""
    q_toks = _tokens(question)
    q_bi = _bigrams(question)
    cands: list[Quote] = []
    for src in sources:
        for i, s in enumerate(split_sentences(src.text)):
            if not is_quotable(s, src.title):
                continue
            score = _score(q_toks, q_bi, s) - 0.02 * (src.n - 1)
            if score > 0.05:
                cands.append(Quote(src.n, i, s, score))
    cands.sort(key=lambda q: (-q.score, q.source, q.position))
    if cands:  # keep only sentences close to the best one: a weak match is noise, not an answer
        floor = max(min_score, rel_floor * cands[0].score)
        cands = [q for q in cands if q.score >= floor]
    picked: list[Quote] = []
    per: dict[int, int] = {}
    seen: set[str] = set()
    for q in cands:
        if len(picked) >= n:
            break
        if per.get(q.source, 0) >= per_source or q.text in seen:
            continue
        picked.append(q)
        seen.add(q.text)
        per[q.source] = per.get(q.source, 0) + 1
    return picked


def coverage(question: str, texts: list[str]) -> float:
    """Share of the question's content words found in ``texts`` (1.0 when it has none)."""
    q = _tokens(question)
    if not q:
        return 1.0
    have: set[str] = set()
    for t in texts:
        have |= _tokens(t)
    return len(q & have) / len(q)

"""Citation check: does every cited sentence follow from the source it cites?

An answer is split into sentences; each sentence's ``[n]`` markers must name a
source that was given (others are dropped), and the sentence must be supported
by one of the sources it cites: verbatim (after normalisation) or by content-word
overlap (fugashi lemmas, particles dropped) at or above a threshold. Sentences
without a marker are attributed to the best-supporting source when one clears
the threshold. Sentences that are not statements at all (a decoding loop, a
question echoed back, a copied heading, fewer than two content words) are removed
before any overlap is counted. Unsupported sentences are removed; the caller decides whether
what is left is enough or whether to fall back to quoting the sources.

Citation numbers are renumbered 1..m in order of first use, so the reader sees
[1], [2], ... and the citations list has exactly the sources the text cites.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from assistant.lexicon import BRAND_TO_GENERIC, canonical_text, canonical_tokens
from tenkan.jatext import content_tokens, normalize, split_sentences

__all__ = [
    "Source",
    "Claim",
    "Verification",
    "verify_answer",
    "support",
    "best_quote",
    "strip_markers",
    "GENERIC_WORDS",
]

_MARKER = re.compile(r"\s*[\[［【]\s*(\d{1,2})\s*[\]］】]")
_MARKER_AFTER_END = re.compile(r"([。！？!?])((?:\s*[\[［【]\s*\d{1,2}\s*[\]］】])+)")
_URL = re.compile(r"(?:https?|ftp)://\S+|www\.\S+", re.I)

#: Content words too generic to count as evidence (question words, light verbs).
GENERIC_WORDS = frozenset(
    "する ある いる なる できる 出来る 言う いう 思う 考える 教える 知る 分かる わかる 良い よい いい 大丈夫 "
    "何 なに なん どう どの どれ どんな どこ いつ 誰 こと もの 物 事 よう 様 ため 方 ところ 場合 とき 時 人 "
    "くらい ぐらい ほど 的 等 など さん ちゃん 私 僕 俺 うち 本当 やはり やっぱり 少し ちょっと もう まだ "
    "これ それ あれ この その あの ここ そこ 今 なぜ どうして 何故 教える 遣る 呉れる がる 貰う 軒 みたい 風 出す 得る 最近 "
    "娘 息子 夫 妻 父 母 親 家族 子ども 子供 家 自分 ネット 見る 聞く 言う 来る 行く 持つ 欲しい 将来 時々 急 今度 後 前 ください 下さい 気 感じ 問題 必要 大切 ら 方法 です ます "
    # colloquial intensifiers and fillers: they carry no topic
    "御 一番 結局 凄い 幾ら ずっと 全然 絶対 そんな こんな 平気 大変 所為 とても 色々 多分 結構 かなり 普通 実際 "
    # the same as MeCab lemmatises them (「ちょっと」 arrives as 一寸, 「めっちゃ」 as 目茶, 「マジ」 as まじ): listed
    # as surfaces only, they had counted as the rarest words of a casual question
    "一寸 可成 矢張り 迚も 目茶 目茶苦茶 目茶目茶 まじ 超 割と 取り敢えず "
    # 「…高すぎて草」: the internet's laugh, not grass
    "草".split()
)


@lru_cache(maxsize=1)
def generic_lemmas() -> frozenset[str]:
    """:data:`GENERIC_WORDS` and their lemmas as the tagger gives them when they are typed (ところ → 所, まだ → 未だ,
    どれ → 何れ). Built on first use, not at import (it runs the tokenizer)."""
    return GENERIC_WORDS | frozenset(t for w in GENERIC_WORDS for t in content_tokens(w))


@dataclass
class Source:
    """One numbered source as the model saw it (``text`` already cleaned of injections)."""

    n: int
    chunk_id: str
    url: str
    title: str
    text: str
    #: page of a PDF document (None for HTML pages)
    page: int | None = None


@dataclass
class Claim:
    """One sentence of an answer and what the check found."""

    text: str                      # without markers
    cited: list[int] = field(default_factory=list)       # valid source numbers (as given)
    invalid: list[int] = field(default_factory=list)     # markers naming no given source
    supported_by: int | None = None                      # source number that supports it
    score: float = 0.0
    quote: str = ""                                      # best-matching source sentence
    reason: str = ""                                     # why it was removed, if it was


@dataclass
class Verification:
    claims: list[Claim]
    kept: list[Claim]
    removed: list[Claim]
    invalid_markers: int

    @property
    def supported_ratio(self) -> float:
        return len(self.kept) / len(self.claims) if self.claims else 0.0


def strip_markers(text: str) -> str:
    return _MARKER.sub("", text).strip()


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", normalize(text))


@lru_cache(maxsize=4096)
def _tokens(text: str) -> frozenset[str]:
    """Content lemmas that count as evidence, with brand names and everyday words folded to
    the sources' wording (assistant.lexicon): 「デパケン」 matches 「バルプロ酸」, 「医者」 matches 「医師」."""
    canon = canonical_text(text)
    toks = set(canonical_tokens(content_tokens(canon)))
    for name, tail in _split_names():
        if name in canon:  # 「バルプロ酸」 is one word, not バルプロ + 酸 (which would count it twice)
            toks -= tail
    return frozenset(t for t in toks if t not in GENERIC_WORDS and not re.fullmatch(r"\W+", t))


@lru_cache(maxsize=1)
def _split_names() -> tuple[tuple[str, frozenset[str]], ...]:
    """Medicine names the tokenizer splits (バルプロ酸 → バルプロ, 酸), with the pieces after the first."""
    out = []
    for name in sorted(set(BRAND_TO_GENERIC.values())):
        parts = content_tokens(name)
        if len(parts) > 1:
            out.append((name, frozenset(parts[1:]) - {parts[0]}))
    return tuple(out)


#: Negation in Japanese predicates (ない/ません/ず/不可/禁止 …). Word overlap cannot tell
#: 「運転できます」 from 「運転できません」, so a sentence whose polarity differs from the
#: source sentence it best matches is not counted as supported.
_NEGATION = re.compile(r"(ない|なく|なかっ|ません|ず[、。にとも]|ずに|ぬ|不可|禁止|禁忌|いけない|だめ|ダメ)")


def negated(text: str) -> bool:
    return bool(_NEGATION.search(strip_markers(text)))


def support(sentence: str, source_text: str) -> float:
    """1.0 when ``sentence`` occurs verbatim in the source, else the share of its content
    words found there (0.0 when it has none, or when its negation differs from the
    source sentence it matches best: word overlap is blind to 「できません」 vs 「できます」)."""
    sent = _squash(strip_markers(sentence)).rstrip("。！？!?")
    if len(sent) >= 6 and sent in _squash(source_text):
        return 1.0
    toks = _tokens(strip_markers(sentence))
    if not toks:
        return 0.0
    score = len(toks & _tokens(source_text)) / len(toks)
    if score > 0 and negated(sentence) != negated(best_quote(sentence, source_text)):
        return 0.0
    return score


def best_quote(sentence: str, source_text: str) -> str:
    """The source sentence that best matches ``sentence`` (for showing as the cited passage)."""
    best, best_score = "", -1.0
    toks = _tokens(strip_markers(sentence))
    for s in split_sentences(source_text):
        if s.startswith("#"):
            continue
        st = _tokens(s)
        score = len(toks & st) / (len(toks) or 1) if st else 0.0
        if score > best_score:
            best, best_score = s, score
    return best


#: a unit of two or more characters repeated three or more times in a row: a small model's
#: decoding loop (「質問：質問：質問：…」), never how a sentence of a medical page reads
_LOOP = re.compile(r"(.{2,}?)\1{2,}")


def _heading_lines(sources: list[Source]) -> set[str]:
    """Titles and short lines without sentence-final punctuation (headings) of the sources."""
    out = {_squash(s.title) for s in sources if s.title}
    for s in sources:
        for line in (s.text or "").splitlines():
            line = line.strip().lstrip("#").strip()
            if line and len(line) <= 30 and not re.search(r"[。！？!?]$", line):
                out.add(_squash(line))
    out.discard("")
    return out


def not_a_claim(body: str, headings: set[str] = frozenset()) -> str:
    """Why ``body`` (one answer sentence, markers stripped) is not a statement that word
    overlap could verify, or "" when it is one. Word overlap alone passes a decoding loop
    over one source word, the question echoed back, or a copied heading."""
    if _LOOP.search(_squash(body)):
        return "repetitive"
    if re.search(r"[？?]\s*$", body):
        return "a question, not an answer"
    if _squash(body).rstrip("。") in headings:
        return "a heading, not a sentence"
    if len(_tokens(body)) < 2:
        return "too little content"
    return ""


def verify_answer(answer: str, sources: list[Source], threshold: float) -> Verification:
    """Check every sentence of ``answer`` against ``sources`` (see the module docstring)."""
    by_n = {s.n: s for s in sources}
    headings = _heading_lines(sources)
    text = _MARKER_AFTER_END.sub(r"\2\1", answer or "")
    claims: list[Claim] = []
    invalid_total = 0
    seen: set[str] = set()
    for raw in split_sentences(text):
        nums = [int(m) for m in _MARKER.findall(raw)]
        body = _URL.sub("", strip_markers(raw)).strip()
        if not body or re.fullmatch(r"[\W_]+", body):
            continue
        claim = Claim(text=body)
        claim.cited = [n for n in dict.fromkeys(nums) if n in by_n]
        claim.invalid = [n for n in dict.fromkeys(nums) if n not in by_n]
        invalid_total += len(claim.invalid)
        claims.append(claim)
        key = _squash(body)
        if key in seen:
            claim.reason = "repeated"
            continue
        seen.add(key)
        claim.reason = not_a_claim(body, headings)
        if claim.reason:
            continue
        candidates = claim.cited or list(by_n)   # uncited: attribute to the best source
        scored = sorted(((support(body, by_n[n].text), n) for n in candidates), key=lambda x: (-x[0], x[1]))
        if scored and scored[0][0] >= threshold:
            claim.score, claim.supported_by = scored[0]
            claim.quote = best_quote(body, by_n[claim.supported_by].text)
        else:
            claim.score = scored[0][0] if scored else 0.0
            claim.reason = "unsupported" if claim.cited or not claim.invalid else "invalid citation"
    kept = [c for c in claims if c.supported_by is not None]
    removed = [c for c in claims if c.supported_by is None]
    return Verification(claims=claims, kept=kept, removed=removed, invalid_markers=invalid_total)

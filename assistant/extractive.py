"""Extractive answers: the source sentences that best answer the question, quoted verbatim
and cited by number, arranged so that they read as an answer.

Scoring a sentence (:func:`select_passages`):

* word overlap with the question (fugashi lemmas, brand and everyday words folded) and
  character bigrams;
* meaning: the embedder's cosine of the question and the sentence (sentence vectors of the
  index), rescaled over the candidates of this question;
* the heading of the sentence's section: its words shared with the question (a list item under
  「…で注意したい副作用」 rarely repeats the question's words);
* the kind of fact asked for (:func:`asked_kind`): 「何割」 wants a sentence with 〜割 or 〜%,
  「いつまで」 a duration, 「何歳」 an age; a sentence that states one gets a bonus;
* a small penalty for lower-ranked sources.

The hand score orders the pages; which of a page's sentences above the floor is quoted is the learnt
ranker's choice (:class:`SentenceRanker`, ``assistant.extractive_ranker``; on the development lists,
which never fitted it, must-mention facts 0.55 -> 0.59 of answers, gold pages cited unchanged).

Arranging (:class:`Passage`): the best sentence comes first; a sentence that introduces a list
(「次のような場合は…」) brings its items, and a list item is shown under its lead-in; a
sentence that leans on the one before it (「ただし、」「そのため、」, a demonstrative such as
「これを…と呼びます」「こうした点から、」) or gives its reason
(「…ためです。」) brings that sentence (unless an earlier passage quotes it), and one that only adds (「また、」「なお、」) loses the
connective, which changes nothing of its meaning. The best sentence also brings the one after it
in its section (not a list): the sentence that shares the question's words often only names the
topic, and the next one says what about it (on the tune half of the style set, must-mention facts
in 0.629 -> 0.660 of answers, gold page cited unchanged). A later passage's sentence brings the one after it
when that one leans on it or gives its reason (「その場合も、…」) or passed the floor itself, and a passage goes on
on the same terms up to ``per_passage`` sentences (three); a shown list brings the sentence after it likewise
(development lists must-mention 1,207 -> 1,343 of 2,348 with these, tune 157 -> 163 of 194; the median answer grew
from 321 to 390 characters). The retriever's first source always has a passage when one of its sentences passes the
floor: the last passage is its best one when the first ones came from other pages (development lists gold cited +10
and must-mention +7 rows, tune +1 cited); so has a page it found twice among its first two sources. Nothing an
earlier passage showed is shown again. A passage opens with the heading of its
section in 【】 when the heading names what the passage only describes. At most ``n`` passages
(three by default); a list of up to five items is shown whole, a longer one by its five items closest
to the question, more when the question asks for a list.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable

from assistant.grounding import Source, _tokens
from assistant.injection import looks_like_injection
from assistant.safety import unsafe_medication_statement
from tenkan.jatext import char_ngrams, split_sentences
from tenkan.manifest import LinearModel, load_learnt
from tenkan.paths import DATA_DIR

#: the learnt sentence ranker (``python -m bench.sentence_ranker --write`` fits it on the tune half)
RANKER_FILE = DATA_DIR / "ranker" / "sentence_ranker.json"

#: the share of the best hand score a candidate needs when the ranker chooses among them (0.0-0.3 a plateau on the
#: tune half and the development lists; 0.5 without the ranker)
RANKER_FLOOR = 0.3

#: the ranker's log-odds above which a sentence goes on a passage though it missed the floor (it was fitted with
#: balanced classes, so 0 is "more likely than not to hold a must-mention fact"; -0.5 and -1 found a few more facts on
#: the development lists for longer answers, 1 none)
RANKER_LIKELY = 0.0

#: what the ranker reads of a candidate sentence, in order (:func:`sentence_features`)
FEATURES = ("words", "chars", "meaning", "cosine", "kind", "source_rank", "position", "log_length", "item", "leans",
            "title_words", "first", "words_x_meaning", "chars_x_meaning")

__all__ = ["Quote", "Passage", "ExtractiveWeights", "select_passages", "is_quotable", "items_under",
           "asked_kind", "asks_for_list"]

# Page furniture that is not an answer (the demo site's notice, navigation remnants).
_BOILERPLATE = re.compile(
    r"最終更新|更新日|公開日|掲載日|デモ用|デモサイト|医療上の助言ではありません|医学的助言|架空|このページは.{0,20}(?:デモ|例)|"
    r"^(?:トップ|ホーム)\s*[>＞›»]|関連ページ|お問い合わせ|Cookie|クッキー|広告|PR|[をも]ご覧ください|"
    # a sentence about the page itself (「このページでは…を紹介します」) answers nothing
    r"^(?:この|本)(?:ページ|記事|資料|リーフレット)(?:では|は|で)|^ここでは.{0,40}(?:紹介|説明|解説|まとめ)|"
    # what the page collects (「…よく寄せられる質問と、その答えをまとめました。」)
    r"(?:質問|情報|ポイント|答え|回答|内容)を(?:まとめ|紹介し|解説し|整理し)(?:ました|ています|ます)。?$"
)
_FAQ_A = re.compile(r"^A[.．:：]\s*")
_ITEM = re.compile(r"^(?:[-・*•]|\(\d+\)|\d+[.)．])\s*")
#: a connective that leans on the sentence before it: quote that sentence too
_LEANS = re.compile(r"^(?:ただし|但し|しかし|しかしながら|そのため|このため|そのために|したがって|従って|それでも|つまり|"
                    r"一方で?|ですから|だから|それに対して|その場合|この場合|そうした場合|その際|このとき)[、，,]?|"
                    # a demonstrative that points back (「これを「偽性難治」と呼びます」「こうした点から、」)
                    r"^(?:これ(?:を|は|が|に|で|らの)|それ(?:を|は|が|に|で|らの)|こうした|そうした|このような|そのような)|"
                    # one of the things the sentence before it names (「代表的なものがケトン食療法で…」「このうち…」)
                    r"^(?:代表的なもの|主なもの|その(?:うち|中で|なか)|この(?:うち|中で|なか)|なかでも|中でも)")
#: a sentence that gives the reason for the one before it (「…危険のほうが大きいためです。」): quote that one too
_EXPLAINS = re.compile(r"(?:ため|から)(?:です)?。?$|[のん]です。?$|^(?:なぜなら|というのも)")
#: a connective that only adds: drop it, the sentence means the same without it
_ADDS = re.compile(r"^(?:また|なお|さらに|そして|加えて|あわせて|併せて)[、，,]")

#: kinds of fact a question asks for, and how a sentence states one
_KINDS = {
    # (first: 「何分も止まらないのは何という状態？」 asks the name, not a duration)
    # what a thing is called (「…が続くのは何という状態ですか？」): a sentence that names it (「…を「てんかん重積状態」と呼び
    # ます」「重積状態とは、…状態のことです」)
    "name": (re.compile(r"(?:何|なん)(?:て|と)(?:いう|言う|よぶ|呼ぶ)|(?:何|なん)て(?:言|い)います|名前は|病名は"),
             re.compile(r"と(?:呼ば|呼び|呼ん|よば|よび|いいます|言います|いわれ|言われ)|とは[、，]?.{2,80}(?:のこと|を指し|をいい)")),
    "ratio": (re.compile(r"何割|なんわり|何パーセント|何%|割合|確率|どれくらいの人|何人に|"
                         r"人(?:って|は)?(?:どれくらい|どのくらい|どんくらい|どれぐらい)(?:いる|います)"),
              re.compile(r"\d+\s*割|[一二三四五六七八九]割|\d+\s*[%％]|パーセント|人に\d+人|\d+人に1人")),
    "duration": (re.compile(r"いつまで|何年|何か月|何ヶ月|何週|何日|何時間|何分|何秒|どのくらい(?:の期間|続|かか)|"
                            r"どれくらい(?:の期間|続|かか)|どんくらい|期間|期限|なんびょう|なんぷん"),
                 re.compile(r"\d+\s*(?:年|か月|ヶ月|カ月|週間|日|時間|分|秒)|数(?:年|か月|週間|日|時間|分|秒)|"
                            r"[一二三四五六七八九十]+(?:年|か月|週間|日|時間|分|秒)")),
    "age": (re.compile(r"何歳|なんさい|いくつから|いくつまで|年齢"),
            re.compile(r"\d+\s*歳|[一二三四五六七八九十]+歳|歳(?:まで|から|以上|以下|未満)|年齢")),
    "count": (re.compile(r"何回|何度|何種類|何錠|いくつ|何級|何人"),
              re.compile(r"\d+\s*(?:回|度|種類|錠|級|人|つ)|[一二三四五六七八九十]+(?:回|度|種類|級|つ)")),
}
_LIST_ASK = re.compile(r"どんな|どういう|何が|なにが|どれ|種類|一覧|例えば|たとえば|挙げ|あげて|何を|なにを|ポイント|注意点|"
                       r"気をつけること|気を付けること|コツ|"
                       # how to tell someone is answered by what to tell (「担任にどう伝えたらいい？」)
                       r"どう(?:やって)?(?:伝え|つたえ|説明|話せ|話し|はなせ|はなし)")


def asked_kind(question: str) -> str:
    """The kind of fact the question asks for (a key of ``_KINDS``), or ""."""
    for kind, (ask, _) in _KINDS.items():
        if ask.search(question):
            return kind
    return ""


#: what kind of thing a question asks about (「フィコンパってどんな薬？」)
_KIND_OF = r"(?:薬|くすり|病気|びょうき|検査|けんさ|治療|手術|制度|発作|症状|状態|もの|こと)"
#: a question that only names something (「ドラベ症候群」「重積とは」「VNSって何？」「フィコンパってどんな薬？」):
#: what it is is asked
_DEFINES = re.compile(r"^\s*(?P<term>[^、。！？!?\s]{2,24}?)\s*(?P<ask>(?:とは|って)(?:どんな|どういう)" + _KIND_OF
                      + r"(?:ですか|でしょうか|なの|なん(?:です)?か|なんだろう)?|"
                      r"とは(?:何|なに|なん)?(?:ですか|でしょうか|なの)?|"
                      r"って(?:何|なに|なん)(?:ですか|でしょうか|なの|だろう)?|って)?\s*[？?。]*\s*$")


def defined_term(question: str) -> tuple[frozenset[str], bool]:
    """The words of the thing a question only names (empty when it asks more than that), and
    whether it asks what that is in so many words (「…とは」「…って何」) rather than naming it bare
    (「飲み忘れ」 may ask what to do, 「ドラベ症候群」 what it is)."""
    m = _DEFINES.match(question)
    if m:
        return _tokens(m.group("term")), bool(m.group("ask"))
    # asked in so many words in the first part, more after it (「フィコンパってどんな薬？ イライラするって聞いた」,
    # 「重積って？ てんかん重積状態」 with the lexicon's word)
    m = _DEFINES.match(_PARTS.split(question, 1)[0])
    return (_tokens(m.group("term")), True) if m and m.group("ask") else (frozenset(), False)


def asks_for_list(question: str) -> bool:
    return bool(_LIST_ASK.search(question))


@dataclass
class Quote:
    source: int        # source number (as given)
    position: int      # sentence index within the source
    text: str
    score: float


@dataclass
class Passage:
    """What one citation shows: sentences of one source, in the source's order."""

    source: int
    quotes: list[Quote]                                  # the quoted sentences (verbatim)
    items: list[str] = field(default_factory=list)      # list items shown under the last sentence
    score: float = 0.0
    heading: str = ""                                    # the section's heading, shown as a label
    after: list[str] = field(default_factory=list)      # sentences shown after the items (the list's conclusion)

    def lines(self) -> list[str]:
        """The passage as lines to show: sentences (an adding connective dropped), then list items."""
        out = []
        for i, q in enumerate(self.quotes):
            text = q.text
            if i == 0 and _ADDS.match(text) and not _LEANS.match(text):
                text = _ADDS.sub("", text, count=1)
            text = _FAQ_A.sub("", text, count=1)
            text = _ITEM.sub("", text, count=1) if not self.items else text  # an item without its list reads as a sentence
            if i == 0 and self.heading:
                text = f"【{self.heading}】{text}"
            out.append(text)
        return out

    @property
    def verbatim(self) -> list[str]:
        return [q.text for q in self.quotes] + self.items + self.after


@dataclass(frozen=True)
class ExtractiveWeights:
    words: float = 0.5      # content-word overlap
    chars: float = 0.2      # character bigram overlap
    meaning: float = 0.3    # embedder cosine, rescaled over the candidates
    kind: float = 0.2       # the sentence states the kind of fact asked for
    heading: float = 0.1    # content-word overlap of the question with the heading of the sentence's section
    rank: float = 0.02      # penalty per rank of the source
    defines: float = 1.0    # the first sentence under a heading that is the thing a question only names


def is_quotable(sentence: str, title: str = "") -> bool:
    s = sentence.strip()
    # a list item is content however short (「- 体重の増加」): it is shown under its lead-in
    item = _ITEM.match(s)
    if len(s[item.end():] if item else s) < (4 if item else 12) or s.startswith("#") \
            or (title and s.rstrip("。") == title.strip()):
        return False
    if len(s) < 25 and not re.search(r"[。！？!?：:]$", s) and not item:  # a heading that lost its '#'
        return False
    if re.search(r"[？?]$", s) or re.match(r"Q[.．:：]", s):  # an FAQ question answers nothing
        return False
    if _BOILERPLATE.search(s) or looks_like_injection(s):
        return False
    if unsafe_medication_statement(s):
        return False
    return True


def quote_units(text: str) -> list[str]:
    """``text`` as an extractive answer quotes it: its sentences (:func:`split_sentences`), except that a list
    item of several sentences is one unit (「- 前日に髪をよく洗い、…付けないでください。電極が付きにくくなります。」):
    its second sentence is no list item of its own, and split off it hid the items before it from their
    heading (the EEG page's preparation list) and read as a sentence without its subject."""
    out: list[str] = []
    for line in text.split("\n"):
        parts = split_sentences(line)
        if len(parts) > 1 and _ITEM.match(parts[0]):
            out.append("".join(parts))
        else:
            out.extend(parts)
    return out


def _unit_similarities(units: Iterable[str], sims: dict[str, float]) -> dict[str, float]:
    """``sims`` (sentence → the embedder's cosine with the question) with each unit of several sentences
    (:func:`quote_units`) given the best of its sentences'."""
    out = dict(sims)
    for u in units:
        if u not in out:
            found = [sims[p] for p in split_sentences(u) if p in sims]
            if found:
                out[u] = max(found)
    return out


#: a line that is not a heading: it ends a sentence or a clause, or is a note (「※…」)
_HEADING_LINE = re.compile(r"[。！？!?：:、，,]$|^[※*]")
#: a numbered heading (「3.」「2.1」「第2章」)
_NUMBERED = re.compile(r"^(?:第?\d+(?:[.．]\d+)*[.．章節]?)\s*\S")


def section_headings(text: str, *, numbered_only: bool = False) -> list[str]:
    """For each sentence of ``text`` (as :func:`quote_units` splits it), the heading of the
    section it is in: the nearest line before it that reads as a heading (a short line that does
    not end a sentence and is not a list item), or "". ``numbered_only``: only numbered headings
    (「3.2 救急車を呼ぶ目安」) count, for PDF text, where a wrapped line can look like a heading."""
    out: list[str] = []
    current = ""
    for line in text.split("\n"):
        parts = quote_units(line)
        head = parts[0] if len(parts) == 1 and len(parts[0]) <= 40 and not _HEADING_LINE.search(parts[0]) else ""
        # in PDF text a numbered line that ends no sentence is a heading (「2.1 問診で確認すること」)
        if head and (_NUMBERED.match(head) if numbered_only else not _ITEM.match(head)):
            current = parts[0].lstrip("#").strip()
            out.append("")
            continue
        out.extend(current for _ in parts)
    return out


def _bigrams(text: str) -> set[str]:
    return set(char_ngrams(re.sub(r"[\W_]+", "", text), 2))


def _is_item(s: str) -> bool:
    return bool(_ITEM.match(s))


def _lead_in(sents: list[str], i: int) -> int | None:
    """Position of the sentence that introduces the list item at ``i`` (None when there is none)."""
    j = i - 1
    while j >= 0 and _is_item(sents[j]):
        j -= 1
    if j >= 0 and not sents[j].startswith("#"):
        return j
    return None


#: a sentence that introduces a list (「次のような場合は…」「主な副作用は以下のとおりです：」)
_LEADS_IN = re.compile(r"[：:]$|次の|以下の|つぎの|主な|主なもの|次のとおり|下記")


def _introduces(sents: list[str], sections: list[str] | None, i: int) -> bool:
    """Does sentence ``i`` introduce the list after it: it says so (:data:`_LEADS_IN`), or it is no list item and the
    next line of its section is one (「焦点発作の症状は、…部位（葉）によって特徴があります。」 then the lobes, 「…睡眠の
    ためにできること」's tips after the sentence on sleep loss)? Headings aside, a page puts a list right after the
    sentence it belongs to."""
    if _LEADS_IN.search(sents[i]):
        return True
    j = i + 1
    return not _is_item(sents[i]) and j < len(sents) and _is_item(sents[j]) \
        and bool(sections) and j < len(sections) and sections[j] == sections[i]


def _items_after(sents: list[str], i: int) -> list[int]:
    out = []
    j = i + 1
    while j < len(sents) and _is_item(sents[j]):
        out.append(j)
        j += 1
    return out


def sentence_features(words: float, chars: float, meaning: float, cosine: float, kind: float, source_n: int,
                      position: int, sentence: str, title_words: float) -> list[float]:
    """The ranker's view of one candidate (:data:`FEATURES`): today's signals, and where the sentence
    sits, how long it is, whether it is a list item or leans on the sentence before it."""
    return [words, chars, meaning, cosine, kind, source_n - 1, min(position, 20) / 20, math.log(max(len(sentence), 1)),
            float(_is_item(sentence)), float(bool(_LEANS.match(sentence))), title_words, float(position == 0),
            words * meaning, chars * meaning]


class SentenceRanker(LinearModel):
    """Logistic regression over :func:`sentence_features` (standardised), learnt from which tune
    sentences hold a must-mention fact (``bench/sentence_ranker.py``). It chooses among each page's
    candidates that pass the hand-weighted score's floor (:data:`RANKER_FLOOR`); the hand score still
    chooses the pages and their order (:func:`select_passages`)."""

    FEATURES = FEATURES


@lru_cache(maxsize=1)
def default_ranker() -> SentenceRanker | None:
    return load_learnt(RANKER_FILE, SentenceRanker, "extractive answers use the hand weights only")


def candidate_features(question: str, sources: list[Source], sims: dict[str, float] | None = None,
                       weights: ExtractiveWeights = ExtractiveWeights(),
                       split: dict[int, list[str]] | None = None,
                       sections: dict[int, list[str]] | None = None) -> list[tuple[Quote, list[float]]]:
    """Every quotable sentence of the sources with its hand-weighted score (as a :class:`Quote`)
    and its ranker features. ``split``: each source's sentences by number, when already split;
    ``sections``: their headings (:func:`section_headings`), likewise."""
    q_toks = _tokens(question)
    q_bi = _bigrams(question)
    kind = asked_kind(question)
    state = _KINDS[kind][1] if kind else None
    sims = sims or {}
    split = split or {src.n: quote_units(src.text) for src in sources}
    sims = _unit_similarities((x for src in sources for x in split[src.n]), sims) if sims else {}
    sections = sections or {src.n: section_headings(src.text, numbered_only=src.page is not None) for src in sources}
    heads: dict[str, float] = {}
    term, explicit = defined_term(question)
    out = []
    cos = [sims[x] for src in sources for x in split[src.n] if x in sims]
    lo, hi = (min(cos), max(cos)) if cos else (0.0, 0.0)
    for src in sources:
        sents = split[src.n]
        title_words = len(q_toks & _tokens(src.title)) / len(q_toks) if q_toks and src.title else 0.0
        for i, s in enumerate(sents):
            if not is_quotable(s, src.title):
                continue
            st = _tokens(s)
            tok = len(q_toks & st) / len(q_toks) if q_toks else 0.0
            bi = len(q_bi & _bigrams(s)) / len(q_bi) if q_bi else 0.0
            mean = (sims[s] - lo) / (hi - lo) if s in sims and hi > lo else 0.0
            score = weights.words * tok + weights.chars * bi + weights.meaning * mean
            # a sentence under a heading that names what is asked (「バルプロ酸で注意したい副作用」 over
            # 「- 体重の増加」 for 「太るって本当？」) shares few words with the question itself
            head = sections[src.n][i] if i < len(sections[src.n]) else ""
            if head and q_toks:
                if head not in heads:
                    heads[head] = len(q_toks & _tokens(head)) / len(q_toks)
                score += weights.heading * heads[head]
                # the first sentence under a heading that is the very thing named says what it is
                # (「ドラベ症候群」 → 「1歳未満で、発熱や入浴などで…長く続くけいれんを起こしやすいのが特徴です。」)
                # (a bare name only when the heading is that name)
                if term and (term <= _tokens(head) if explicit else term == _tokens(head)) \
                        and (i == 0 or sections[src.n][i - 1] != head):
                    score += weights.defines
            k = 1.0 if state is not None and state.search(s) else 0.0
            score += weights.kind * k
            # a lead-in earns what its list says (「次のような場合は119番に…」 + 「5分以上続くとき」)
            items = _items_after(sents, i)
            if items and state is not None and any(state.search(sents[j]) for j in items):
                score += weights.kind
            score -= weights.rank * (src.n - 1)
            out.append((Quote(src.n, i, s, score),
                        sentence_features(tok, bi, mean, sims.get(s, 0.0), k, src.n, i, s, title_words)))
    return out


_PARTS = re.compile(r"[？?]+")


def _each_part_answered(question: str, cands: list[Quote], pool: list[Quote] | None = None) -> list[Quote]:
    """The sentences that open the answer to a question asked in parts (「MRIって何分くらいかかる？うるさい？」): the
    best sentence, then the best one for each part the sentences before it do not answer: one holding at least half the part's
    words, the best score first, taken from ``pool`` (every candidate, the floor aside: a part shares few words with
    the whole question, so its sentence may score under the floor set by the best one)."""
    parts = [t for t in (_tokens(p) for p in _PARTS.split(question)) if t]
    if len(parts) < 2 or not cands:
        return cands[:1]
    pool = pool or cands
    toks = {id(q): _tokens(q.text) for q in [*cands, *pool]}
    order = [cands[0]]
    for part in parts:
        if any(part & toks[id(q)] for q in order):
            continue
        best = next((q for q in pool if q not in order and 2 * len(part & toks[id(q)]) >= len(part)), None)
        if best is not None:
            order.append(best)
    return order


def select_passages(question: str, sources: list[Source], n: int = 3, per_source: int = 2,
                    sims: dict[str, float] | None = None, weights: ExtractiveWeights = ExtractiveWeights(),
                    min_score: float = 0.12, rel_floor: float | None = None, max_items: int = 5,
                    ranker: SentenceRanker | None = None, follow: bool = True, per_passage: int = 3) -> list[Passage]:
    """Up to ``n`` passages, the best first (see the module docstring). The hand-weighted score orders
    the sources; with a ``ranker`` each source's candidates above the floor are taken in the ranker's
    order. ``rel_floor``: a candidate needs this share of the best hand score (default 0.5, with a
    ranker 0.3: it finds must-mention sentences the hand score puts lower). ``follow``: the best
    sentence brings the sentence after it in its section (:func:`_goes_on`), a later passage's sentence when that one
    leans on it or passed the floor too; ``per_passage``: the sentences one passage quotes at most (the sentences after
    the followed one come while they pass the floor or lean on it)."""
    if rel_floor is None:
        rel_floor = RANKER_FLOOR if ranker is not None else 0.5
    q_toks = _tokens(question)
    kind = asked_kind(question)
    state = _KINDS[kind][1] if kind else None
    listing = asks_for_list(question)
    split = {src.n: quote_units(src.text) for src in sources}
    sections = {src.n: section_headings(src.text, numbered_only=src.page is not None) for src in sources}
    every = candidate_features(question, sources, sims, weights, split, sections)
    # the sentences the ranker holds more likely than not to state a fact the answer needs, floor or no floor
    likely = {(q.source, q.position) for q, f in every if ranker is not None and ranker.score(f) > RANKER_LIKELY}
    scored = [(q, f) for q, f in every if q.score > 0.05
              and not _is_heading(sections.get(q.source), q.position)]
    scored.sort(key=lambda qf: (-qf[0].score, qf[0].source, qf[0].position))
    unfloored = [q for q, _ in scored]
    if scored:  # keep only sentences close to the best one: a weak match is noise, not an answer
        floor = max(min_score, rel_floor * scored[0][0].score)
        scored = [qf for qf in scored if qf[0].score >= floor]
    queues: dict[int, list[Quote]] | None = None
    if ranker is not None:
        # the hand score still decides which page each passage comes from (its order of sources), the ranker
        # which of that page's sentences: ordered by the ranker outright, answers gathered on the page it
        # favours (the first retrieved) and cited fewer gold pages
        queues = {}
        for q, _ in sorted(scored, key=lambda qf: (-ranker.score(qf[1]), qf[0].source, qf[0].position)):
            queues.setdefault(q.source, []).append(q)
    cands = [q for q, _ in scored]
    passed = {(q.source, q.position) for q in cands}

    def comes_along(source: int, sents: list[str], j: int) -> bool:
        """Does sentence ``j`` go with the one before it: it passed the floor itself (it answers the question too), the
        ranker holds it likely to state a needed fact, or it leans on it (「ただし、…」) or gives its reason?"""
        return (source, j) in passed or (source, j) in likely or bool(_LEANS.match(sents[j]) or _EXPLAINS.search(sents[j]))

    parts = _each_part_answered(question, cands, unfloored)
    chosen = {id(q) for q in parts[1:]}  # a part's own sentence stays what it is
    cands = parts + [q for q in cands if q not in parts]
    by_n = {src.n: src for src in sources}
    picked: list[Passage] = []
    used: set[tuple[int, int]] = set()
    per: dict[int, int] = {}
    labels: set[str] = set()
    limit = _item_limit(listing, max_items)

    # the retriever's first source gets the last passage when the others went elsewhere and one of its sentences passed
    # the floor: the sentence scores favour a page whose list shares the question's words (a list of seizure types
    # for 「意識ははっきりしてるのに、右手だけ勝手にピクピク」), the retriever ranked the page that answers it first
    top = min((src.n for src in sources), default=None)
    # ... and a page the retriever found twice, one of them among its first two sources, likewise (the elderly-care
    # page's sentence on drowsiness outscored the side-effects page, two of four chunks, for 「服作用で眠気がひどくて仕事にならない」)
    page = {src.n: (src.url, src.page) for src in sources}
    counts = Counter(page.values())
    doubled = {k for k, c in counts.items() if c >= 2 and min(n for n, v in page.items() if v == k) <= 2}

    for q in cands:
        if len(picked) >= n:
            break
        if n > 1 and len(picked) == n - 1 and q.source != top and all(p.source != top for p in picked):
            q = next((c for c in cands if c.source == top and (c.source, c.position) not in used), q)
        elif n > 1 and len(picked) == n - 1 and doubled and page[q.source] not in doubled \
                and not doubled & {page[p.source] for p in picked}:
            q = next((c for c in cands if page[c.source] in doubled and (c.source, c.position) not in used), q)
        if queues is not None and id(q) not in chosen and per.get(q.source, 0) < per_source:
            queue = queues[q.source]
            while queue and (queue[0].source, queue[0].position) in used:
                queue.pop(0)
            if not queue:
                continue
            q = queue.pop(0)
        if (q.source, q.position) in used or per.get(q.source, 0) >= per_source:
            continue
        sents = split[q.source]
        quotes = [q]
        items: list[str] = []
        listed: list[int] = []  # the shown list's items by position, whether shown or not
        lead = _lead_in(sents, q.position) if _is_item(q.text) else None
        if lead is not None and _introduces(sents, sections.get(q.source), lead):
            # the item under its lead-in, with its sibling items
            siblings = listed = _items_after(sents, lead)
            quotes = [Quote(q.source, lead, sents[lead], q.score)]
            items = _best_items(siblings, sents, q_toks, state, limit, q.text)
            used.update((q.source, j) for j in [lead, *siblings])
        elif lead is not None and _is_heading(sections.get(q.source), lead):
            # a list right under its heading (「脳波検査を受ける前の準備」 then 「- 前日に髪をよく洗い…」「- 検査後は…」):
            # the heading is its lead-in, shown as the passage's label, and the items closest to the question
            # are shown, the first as the quote
            siblings = listed = _items_after(sents, lead)
            best = set(_best_items(siblings, sents, q_toks, state, limit, q.text))
            shown = [j for j in siblings if sents[j] in best]
            quotes = [Quote(q.source, shown[0], sents[shown[0]], q.score)]
            items = [sents[j] for j in shown[1:]]
            used.update((q.source, j) for j in siblings)
        else:
            after = _items_after(sents, q.position) if _introduces(sents, sections.get(q.source), q.position) else []
            if after:
                items = _best_items(after, sents, q_toks, state, limit)
                used.update((q.source, j) for j in after)
                listed = after
            if (_LEANS.match(q.text) or _EXPLAINS.search(q.text)) and q.position > 0 and not _is_item(sents[q.position - 1]) \
                    and (q.source, q.position - 1) not in used \
                    and is_quotable(sents[q.position - 1], by_n[q.source].title):
                prev = sents[q.position - 1]
                quotes = [Quote(q.source, q.position - 1, prev, q.score), q]
                used.add((q.source, q.position - 1))
            nxt = q.position + 1
            # (a later passage's sentence brings the next one when that one leans on it or gives its reason:
            # 「…相談することがあります。」 then 「その場合も、時間をかけて少しずつ減らしていくのが基本です。」)
            # ... or when it passed the floor itself: it answers the question too, and it comes in its place on the page
            # (「お酒を飲んでよいかどうか…主治医に相談してください。」 then 「飲む場合でも大量の飲酒は避け…」)
            if follow and per_passage > 1 and (not picked or (nxt < len(sents) and comes_along(q.source, sents, nxt))) and not items and len(quotes) == 1 and (q.source, nxt) not in used \
                    and _goes_on(sents, sections.get(q.source), q.position) \
                    and is_quotable(sents[nxt], by_n[q.source].title):
                quotes.append(Quote(q.source, nxt, sents[nxt], q.score))
                used.add((q.source, nxt))
                # then the sentences after it in its section that passed the floor too or lean on it, up to
                # ``per_passage`` (「…腎臓から尿に出ていきます。」「そのため、…使いやすい薬とされています。」 then
                # 「一方で、腎臓の働きが弱くなっている方では、薬が体にたまりやすくなります。」 for a question on dialysis)
                while len(quotes) < per_passage:
                    j = quotes[-1].position + 1
                    if (q.source, j) in used or not _goes_on(sents, sections.get(q.source), j - 1) \
                            or not comes_along(q.source, sents, j) or not is_quotable(sents[j], by_n[q.source].title):
                        break
                    quotes.append(Quote(q.source, j, sents[j], q.score))
                    used.add((q.source, j))
            # the sentence after the passage's last one introduces a list in its section (「服薬を続けるコツは…ことです。」
            # then 「次のような方法を組み合わせてみてください。」 and the tips): the lead-in comes with its items when the
            # passage is the first, or when it or one of its items passed the floor itself. Quoted alone, the first
            # sentence names what the list gives (for 「reminderのコツとかある？」, the alarm and the pill calendar)
            last = quotes[-1].position
            j = last + 1
            head = sections.get(q.source) or []
            after = [k for k in _items_after(sents, j) if (q.source, k) not in used] if j < len(sents) else []
            if after and not items and (q.source, j) not in used and _introduces(sents, head, j) \
                    and not _is_item(sents[last]) and j < len(head) and head[j] == head[last] \
                    and (not picked or comes_along(q.source, sents, j) or any((q.source, k) in passed for k in after)) \
                    and is_quotable(sents[j], by_n[q.source].title):
                quotes.append(Quote(q.source, j, sents[j], q.score))
                used.add((q.source, j))
                items = _best_items(after, sents, q_toks, state, limit)
                used.update((q.source, k) for k in after)
                listed = after
            if listing and not items:
                # a question that asks for things (「何を伝えておけばいい？」) answered by a paragraph its section's
                # list goes on from, with no lead-in of its own (「…具体的に伝えておくことが大切です。」 then
                # 「- 発作の型と…」「- 緊急連絡先」): the list is what was asked
                last = quotes[-1].position
                head = sections.get(q.source) or []
                after = [j for j in _items_after(sents, last)
                         if j < len(head) and last < len(head) and head[j] == head[last] and (q.source, j) not in used]
                if after:
                    items = _best_items(after, sents, q_toks, state, limit)
                    used.update((q.source, j) for j in after)
                    listed = after
        tail: list[str] = []
        if items and listed:
            # the sentence after the list, in its section, when it passed the floor too or leans on the list: a list's
            # conclusion is often the answer (「子どもで行われることが多い治療ですが、大人の…試されることもあります。」 after
            # the conditions the ketogenic diet is for, for 「ケトン食って大人でもできる？」)
            j = listed[-1] + 1
            head = sections.get(q.source) or []
            if j < len(sents) and j < len(head) and head[j] == head[listed[-1]] and not _is_heading(head, j) \
                    and not _is_item(sents[j]) and not _LEADS_IN.search(sents[j]) and (q.source, j) not in used \
                    and comes_along(q.source, sents, j) and is_quotable(sents[j], by_n[q.source].title):
                tail = [sents[j]]
                used.add((q.source, j))
        used.add((q.source, q.position))
        shown = {_squash(y) for p in picked for y in p.verbatim}
        if any(_squash(x) in shown for x in [qq.text for qq in quotes]):
            continue
        # a page's first source holds the whole page, and a chunk of it retrieved on its own holds some of the same
        # sentences: a list or a conclusion an earlier passage showed is not shown twice
        if items and all(_squash(x) in shown for x in items) and _LEADS_IN.search(quotes[-1].text):
            continue  # a lead-in whose items were all shown already promises nothing new
        items = [x for x in items if _squash(x) not in shown]
        tail = [x for x in tail if _squash(x) not in shown]
        label = _label(sections.get(q.source), quotes, items, by_n[q.source].title)
        if label in labels:  # a section is named once
            label = ""
        labels.add(label)
        picked.append(Passage(q.source, quotes, items, q.score, label, tail))
        per[q.source] = per.get(q.source, 0) + 1
    return picked


def _item_limit(listing: bool, max_items: int) -> int:
    """How many list items a passage shows: ``max_items`` (a list of that many is shown whole: three
    of 「重い発疹が起こりやすい場合」's four read as if they were all), more when the question asks
    for a list. Showing three at most cut a must-mention item in 1 more tune question of 194."""
    return max_items + 3 if listing else max_items


def _best_items(positions: list[int], sents: list[str], q_toks: frozenset[str], state: re.Pattern | None,
                limit: int, must: str = "") -> list[str]:
    """At most ``limit`` of the list items at ``positions``, those closest to the question (its words,
    the kind of fact it asks for; ``must`` always), in the source's order; never an unsafe one."""
    ok = [j for j in positions if not unsafe_medication_statement(sents[j])]
    if len(ok) > limit:
        def item_score(j: int) -> float:
            t = sents[j]
            return (len(q_toks & _tokens(t)) + (2 if state is not None and state.search(t) else 0)
                    + (100 if t == must else 0) - 0.01 * j)
        keep = set(sorted(ok, key=item_score, reverse=True)[:limit])
        ok = [j for j in ok if j in keep]
    return [sents[j] for j in ok]


def items_under(question: str, text: str, sentence: str, max_items: int = 5) -> list[str]:
    """The list items that ``sentence`` introduces in ``text`` (「次のような場合は…119番に電話してください。」
    then 「- 発作が5分以上続くとき」…), chosen as an extractive answer chooses them; [] when ``sentence``
    is not a list's lead-in there. A generated answer that ends on a lead-in shows them, verbatim."""
    if not _LEADS_IN.search(sentence):
        return []
    sents = quote_units(text)
    try:
        i = sents.index(sentence)
    except ValueError:
        return []
    kind = asked_kind(question)
    return _best_items(_items_after(sents, i), sents, _tokens(question), _KINDS[kind][1] if kind else None,
                       _item_limit(asks_for_list(question), max_items))


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


#: a sentence that carries its own label (「- 脱力発作：全身の力が…」「発作後：…」)
_LABELLED = re.compile(r"^(?:[-・*•]\s*)?[^。、：:]{1,20}[：:]")


def _is_heading(sections: list[str] | None, i: int) -> bool:
    """Is sentence ``i`` a section's heading line (「ラモトリギンを処方されたときに医師や薬剤師に伝えたいこと」)?
    A heading names a topic; quoted as a sentence it answers nothing."""
    # section_headings gives a heading line "" and the sentences under it the heading
    return bool(sections) and i + 1 < len(sections) and sections[i] == "" and sections[i + 1] != ""


def _goes_on(sents: list[str], sections: list[str] | None, i: int) -> bool:
    """Does sentence ``i + 1`` go on with what sentence ``i`` begins, in the same section? The sentence
    that matches a question's words best often names the topic, and the one after it says what
    about it: 「発作がしばらくないと…薬をやめたくなることがあります。」 then 「しかし、…急にやめると…危険があります。」.
    Not a list item or a list's lead-in (:func:`_introduces`: quoted without its items it promises what it does not
    show; the passage brings it with its items instead)."""
    j = i + 1
    if not sections or j >= len(sents) or j >= len(sections) or sections[j] != sections[i] or _is_heading(sections, j):
        return False
    return not (_is_item(sents[i]) or _is_item(sents[j]) or _introduces(sents, sections, j))


def _label(sections: list[str] | None, quotes: list[Quote], items: list[str], title: str) -> str:
    """The heading of the section the passage comes from, when it names something the passage
    does not (「強直間代発作（いわゆる大発作）の経過」 over a sentence that only describes the
    seizure); not the page's title, which the citation shows, nor over a sentence that carries its own label
    (「脱力発作：…」), unless it opens a list: the items' labels name the items, the heading the list."""
    if not sections or quotes[0].position >= len(sections):
        return ""
    head = sections[quotes[0].position]
    listed = bool(items) and _is_item(quotes[0].text)
    if len(head) < 4 or head == title.strip() or looks_like_injection(head) or _BOILERPLATE.search(head) \
            or (_LABELLED.match(quotes[0].text) and not listed):
        return ""
    if listed:  # a list's heading says what the list is, whatever words its items repeat
        return head
    shown = _tokens("".join(q.text for q in quotes) + "".join(items))
    return head if _tokens(head) - shown else ""

"""Words typed by their sound: find the pages' words by their reading.

Patients type 「ほっさ」, 「うんてん」, 「くすり のみわすれた」 as a phone keyboard gives them
before conversion, and the conversion picks the wrong kanji of the right sound: 「点観」 for
てんかん, 「発心」 for 発疹, 「径連」 for 痙攣, 「脳は検査」 for 脳波検査. The pages write 発作,
運転, 飲み忘れ, てんかん. Word overlap, BM25 and the scope check see nothing in common.

:class:`ReadingVocabulary` learns, from the index's own chunks, the reading (katakana) of
every run of one to six adjacent content words (so compounds such as 飲み忘れ and
精神障害者保健福祉手帳 are found whole), and :meth:`ReadingVocabulary.spans` looks for
those readings in a query, over spans of MeCab tokens that are suspect:

* a span inside a run of kana (「ほっさ」): the pages' word written in kanji or katakana
  replaces it. A span that is exactly one token MeCab reads as a verb, auxiliary or particle
  is left alone (「しよう」 is not 使用), unless the pages write that sound as a katakana
  loanword (「たおる」, which MeCab reads as 手折る, is タオル). In a message that writes its words
  in kanji, a span that starts with grammar (a common particle, an auxiliary, or いる/する/いい, verbs and
  adjectives that also serve as auxiliaries) is left alone: 「見ていればいいんでしょうか」 is not
  入れ歯 + 医院, 「増えないか」 is not 内科;
* a compound of two or more tokens written with kanji that the corpus never uses (「点観」,
  「薬材抵抗性」, 「自律支援医療」), or a word MeCab does not know: a conversion error,
  replaced by the corpus word of the same sound. A real word of its own that the corpus does
  not use is left alone (「高校」 is not 口腔);
* a span across a particle whose reading is a long compound of the corpus (「脳は検査」 →
  脳波検査, at least :data:`MIN_COMPOUND` kana).

* a verb typed in kana that MeCab reads as a verb the pages never use (「はいちゃった」 as 履く): the
  pages' verb of that sound as they write it (吐い), when one clearly is.

* a kanji run that is not a word of the pages or of MeCab's own, typed with a sound-alike
  kanji (「副作要」 for 副作用, 「決中濃度」 for 血中濃度: :meth:`ReadingVocabulary.misconverted`),
  wherever MeCab's tokens cut it.

A reading shared by several different words of the corpus (いじょう: 以上 and 異常) is not
replaced in the text; its candidates are reported so retrieval can search for all of them.
Readings shorter than :data:`MIN_READING` kana are not restored in text. One exception, for
the scope check only (:meth:`ReadingVocabulary.sounds_like`): a one-kanji noun the corpus never
writes that sounds like a one-kanji noun it does write (「発作の跡に」 for 後) is a conversion
error, not a new topic. And a katakana word one typing slip away from a katakana word of the
pages (「ラミクタル」 for ラミクタール, :meth:`ReadingVocabulary.mistyped`) is that word.
"""

from __future__ import annotations

import itertools
import math
import re
import threading
from collections import Counter
from functools import lru_cache
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from assistant.grounding import generic_lemmas
from tenkan.jatext import KANA_RUN, _tagger, _words, normalize, reading, to_hiragana, to_katakana
from tenkan.lexicon import BRAND_TO_GENERIC, WORD_SYNONYMS

__all__ = ["ReadingVocabulary", "Restored", "reading_vocabulary", "katakana_typed", "as_kana_typing", "hiragana_loanwords",
           "MIN_READING", "MIN_COMPOUND"]

#: shortest reading (in kana) that may be restored: two-kana readings (さけ, かん, いし) are
#: too ambiguous inside running text
MIN_READING = 3
#: shortest reading of a compound restored across a particle (「脳は検査」 → 脳波検査)
MIN_COMPOUND = 5
#: shortest reading a typing slip is looked for in (「ラミクタル」 for ラミクタール)
MIN_MISTYPED = 5
#: the shortest kana run (in kana) read as a page word one typing slip away from it
MIN_SLIPPED_RUN = 6
_MAX_TOKENS = 6
_MAX_READING = 24
_KANJI = re.compile(r"[\u3400-\u9fff]")
_KANJI_WORD = re.compile(r"[\u3400-\u9fff\u3005]{2,8}")
_KANJI_RUN = re.compile(r"[\u3400-\u9fff\u3005]+")
_KATAKANA_WORD = re.compile(r"[\u30a1-\u30fa\u30fc]{3,}")
_KANJI_OR_KATAKANA = re.compile(r"[\u3400-\u9fff\u30a1-\u30fa]")
_CONTENT_POS = {"名詞", "動詞", "形容詞", "形状詞", "接頭辞", "接尾辞"}
_KEEP_AS_READ = {"動詞", "助動詞", "助詞"}
#: a word is ambiguous when its most frequent spelling has less than this share of the reading's uses
_DOMINANT = 0.75


@dataclass(frozen=True)
class _Tok:
    surface: str
    kana: str
    pos: str
    start: int
    end: int
    unknown: bool = False
    pos2: str = ""
    lemma: str = ""


@dataclass(frozen=True)
class Restored:
    start: int
    end: int
    word: str                 # the corpus word (the most frequent spelling of the reading)
    candidates: tuple[str, ...]  # every corpus word of that reading, most frequent first
    ambiguous: bool


#: kana a slip of the finger or of the voicing mark turns into each other (ハ/バ/パ, ャ/ヤ)
_CONFUSED: dict[str, str] = {}
for _row in ("カガ", "キギ", "クグ", "ケゲ", "コゴ", "サザ", "シジ", "スズ", "セゼ", "ソゾ", "タダ", "チヂ", "ツヅッ", "テデ", "トド",
             "ハバパ", "ヒビピ", "フブプ", "ヘベペ", "ホボポ", "ャヤ", "ュユ", "ョヨ", "ァア", "ィイ", "ゥウ", "ェエ", "ォオ"):
    for _k in _row:
        _CONFUSED[_k] = _row.replace(_k, "")


#: a loanword's foreign sound and the older Japanese rendering people also type (ゼネリック, ビルデング)
_LOAN_SOUNDS = (("ジェ", "ゼ"), ("ディ", "デ"), ("ティ", "テ"), ("ヴ", "ブ"))


#: how often a page word must occur for a word of its own one small っ away to be read as it (発作: 862 in the demo)
SOKUON_MIN_COUNT = 100

#: kanji that follow a word as a suffix (入浴中, 発作薬, 服薬後): a slip in the word before one is still a slip
_SUFFIX_KANJI = frozenset("中薬時後前的用法剤量日型性")


def _slips(r: str, min_len: int = MIN_MISTYPED - 1) -> set[str]:
    """Readings one typing slip away from ``r``: a long vowel or small ッ left out or added, a kana
    dropped, voicing marks (ハ/バ/パ) or small kana (ャ/ヤ, ッ/ツ) confused, a loanword's sound
    written the older way (ジェ/ゼ)."""
    out: set[str] = set()
    for i in range(len(r) + 1):
        out.update(r[:i] + c + r[i:] for c in "ーッ")
        if i < len(r):
            out.add(r[:i] + r[i + 1:])
            out.update(r[:i] + c + r[i + 1:] for c in _CONFUSED.get(r[i], ""))
    for a, b in _LOAN_SOUNDS:
        for x, y in ((a, b), (b, a)):
            i = r.find(x)
            while i >= 0:
                out.add(r[:i] + y + r[i + len(x):])
                i = r.find(x, i + 1)
    out.discard(r)
    return {v for v in out if len(v) >= min_len}


_PARTICLES = frozenset("は が を に で と も か の へ や って ば て から まで より けど ね よ な ん".split())


def _grammar(t: _Tok) -> bool:
    """Does a kana span that starts with ``t`` start with grammar rather than a word: a common particle, an
    auxiliary, or a verb or adjective that also serves as one (いる, する, いい: 「見ていれば」「いいんです」)?
    Not のみ, which MeCab makes of 飲み in 「薬のみわすれた」."""
    return (t.pos == "助詞" and t.surface in _PARTICLES) or t.pos == "助動詞" \
        or (t.pos in ("動詞", "形容詞") and t.pos2 == "非自立可能")


def _ambiguous(counts: list[int]) -> bool:
    """Do several spellings share a reading, the most frequent (first) without a clear majority?"""
    return len(counts) > 1 and counts[0] < _DOMINANT * sum(counts)


def _overlaps(found: list[Restored], start: int, end: int) -> bool:
    return any(r.start < end and start < r.end for r in found)


def _tokens(text: str) -> list[_Tok]:
    out, pos = [], 0
    for w in _words(text):
        i = text.find(w.surface, pos)
        if i < 0:
            continue
        kana = getattr(w.feature, "kana", None) or ""
        if KANA_RUN.fullmatch(w.surface):
            kana = to_katakana(w.surface)
        out.append(_Tok(w.surface, "" if kana == "*" else kana, getattr(w.feature, "pos1", ""), i, i + len(w.surface),
                        bool(getattr(w, "is_unk", False)), getattr(w.feature, "pos2", ""),
                        getattr(w.feature, "lemma", None) or w.surface))
        pos = i + len(w.surface)
    return out


#: a kanji numeral (「妊娠二十週」's 二十 is no slip for the pages' 二重)
_NUMERAL = re.compile(r"[一二三四五六七八九十百千万億]")


def _kana_of(kanji: str) -> str:
    """The sound MeCab gives one kanji standing alone (its reading as a word, or as a symbol: 発 → ハツ)."""
    return reading(kanji) or "".join(t.kana for t in _tokens(kanji))


#: a long vowel as MeCab pronounces it (ショー, ケー) and as it is read and written in kana (ショウ, ケイ)
_LONG_VOWEL = (re.compile(r"(?<=[オコゴソゾトドノホボポモヨョロヲ])ー"), "ウ"), (re.compile(r"(?<=[エケゲセゼテデネヘベペメレ])ー"), "イ")
#: the most sounds of one kanji tried (MeCab's n-best analyses of the kanji alone)
_MAX_SOUNDS = 8


@lru_cache(maxsize=4096)
def kanji_sounds(kanji: str) -> tuple[str, ...]:
    """The sounds one kanji has in MeCab's dictionary (its n-best readings alone, long vowels as kana write
    them): 心 → ココロ, シン; 外 → ソト, ガイ, ゲ; 正 → タダシ, セイ, ショウ. The IME offers a kanji of the right sound
    in any of its readings (「妊心」 for 妊娠, 「外化」 for 外科), where MeCab reads the typed compound by another."""
    out: list[str] = []
    for line in _tagger().nbest(kanji, _MAX_SOUNDS).splitlines():
        fields = line.split("\t")
        if len(fields) < 2 or fields[0] != kanji or not re.fullmatch(r"[\u30a1-\u30fa\u30fc]+", fields[1]):
            continue
        sound = fields[1]
        for pattern, kana in _LONG_VOWEL:
            sound = pattern.sub(kana, sound)
        if sound not in out:
            out.append(sound)
    return tuple(out)


def _with_sokuon(sounds: Iterable[str], inside: bool) -> set[str]:
    """``sounds``, and inside a compound each ending in ツ, チ, キ or ク also with a small ッ (接 セツ in 切開 セッカイ)."""
    out = set(sounds)
    if inside:
        out |= {x[:-1] + "ッ" for x in out if len(x) > 1 and x[-1] in "ツチキク"}
    return out


def _sounds_by_kanji(run: str) -> list[set[str]]:
    """Each kanji's sounds in ``run`` (:func:`kanji_sounds`), with a small ッ where one may stand inside the run."""
    return [_with_sokuon(kanji_sounds(c), i < len(run) - 1) for i, c in enumerate(run)]


def _sounds_of(run: str, limit: int = 256) -> set[str]:
    """The readings of a kanji run put together kanji by kanji from each kanji's sounds (:func:`kanji_sounds`),
    at most ``limit`` of them (none when a kanji has no sound)."""
    options = _sounds_by_kanji(run)
    if not all(options) or math.prod(len(o) for o in options) > limit:
        return set()
    return {"".join(parts) for parts in itertools.product(*options)}


def _own_word(run: str) -> bool:
    """Does MeCab read ``run`` as one word it knows (「採決」「確率」, not 「自律支援医療」)?"""
    toks = _tokens(run)
    return len(toks) == 1 and not toks[0].unknown


class ReadingVocabulary:
    """reading (katakana) → the words the corpus writes for it, with their counts."""

    def __init__(self, texts: Iterable[str] = ()) -> None:
        counts: dict[str, Counter] = {}
        short: dict[str, Counter] = {}
        short_words: dict[str, Counter] = {}
        stems: set[str] = set()   # the reading of every content word, whatever its length or kind
        surfaces: set[str] = set()
        verbs: dict[str, Counter] = {}   # a verb's form as written with kanji (吐い), by its reading (ハイ)
        lemmas: set[str] = set()
        whole: set[str] = set()   # kanji runs the pages write whole, with no kanji before or after them
        for text in texts:
            text = normalize(text)
            whole.update(m.group() for m in _KANJI_RUN.finditer(text))
            toks = _tokens(text)
            for t in toks:
                lemmas.add(t.lemma)
                if t.pos == "動詞" and t.kana and _KANJI.search(t.surface):
                    verbs.setdefault(t.kana, Counter())[t.surface] += 1
            for i in range(len(toks)):
                reading, surface = "", ""
                for j in range(i, min(len(toks), i + _MAX_TOKENS)):
                    t = toks[j]
                    if not t.kana or t.pos not in _CONTENT_POS or (j > i and t.start != toks[j - 1].end):
                        break
                    reading += t.kana
                    surface += t.surface
                    if j == i:
                        stems.add(t.kana)
                    surfaces.add(surface)
                    if MIN_READING <= len(reading) <= _MAX_READING and (j > i or t.pos in ("名詞", "形状詞")):
                        counts.setdefault(reading, Counter())[surface] += 1
                    elif j == i and len(surface) == 1 and t.pos == "名詞" and _KANJI.search(surface):
                        # one-kanji nouns, whatever their reading's length: only sounds_like uses them
                        short.setdefault(reading, Counter())[surface] += 1
                    elif j == i and len(surface) == 2 and t.pos == "名詞" and _KANJI_WORD.fullmatch(surface):
                        # two-kanji nouns of a two-kana reading (外科 ゲカ): too short to restore by sound, but a
                        # compound typed with a sound-alike kanji may stand for one (「外化手術」, see misconverted)
                        short_words.setdefault(surface, Counter())[reading] += 1
        self._counts = counts
        self._verbs = verbs
        self._lemmas = lemmas
        self._short = short
        self._stems = stems
        self.surfaces = surfaces
        self.words = {r: c.most_common(1)[0][0] for r, c in counts.items()}
        # kanji compounds by (length, position, kanji), with their reading and count: where a
        # compound typed with one kanji of the wrong sound-alike is looked up (see :meth:`misconverted`)
        read_as: dict[str, tuple[str, int]] = {}
        for r, c in counts.items():
            for w, k in c.items():
                if _KANJI_WORD.fullmatch(w) and k > read_as.get(w, ("", 0))[1]:
                    read_as[w] = (r, k)
        self._two_kana = set()
        for w, c in short_words.items():
            if w not in read_as:
                r, k = c.most_common(1)[0]
                read_as[w] = (r, k)
                self._two_kana.add(w)
        self._read_as = read_as
        self._whole = whole
        self._by_kanji: dict[tuple[int, int, str], list[str]] = {}
        for w in read_as:
            for i, ch in enumerate(w):
                self._by_kanji.setdefault((len(w), i, ch), []).append(w)

    def __len__(self) -> int:
        return len(self.words)

    def knows_reading(self, r: str) -> bool:
        """Does a word of the corpus (or of the lexicon) read ``r`` (katakana)? Also a verb's or an
        adjective's stem read so (「のみわすれ」 of 飲み忘れ)."""
        return r in self._counts or r in self._short or r in self._stems

    def candidates(self, reading: str) -> tuple[tuple[str, ...], bool]:
        """(the corpus words of ``reading``, most frequent first; whether the reading is ambiguous)."""
        c = self._counts.get(reading)
        if not c:
            return (), False
        common = c.most_common()
        return tuple(w for w, _ in common), _ambiguous([k for _, k in common])

    def sounds_like(self, word: str) -> str:
        """The corpus word that reads like ``word`` but is written otherwise (「誘引」 → 「誘因」, and
        for a one-kanji word, a one-kanji word of any reading: 「跡」 → 「後」), the most frequent
        one, else one a typing slip away (:meth:`mistyped`, :meth:`near_word`); "" when none, or when
        ``word`` itself is a corpus word."""
        if word in self.surfaces:
            return ""
        r = reading(word)
        found, _ambiguous = self.candidates(r)
        if not found and "ッ" in r:
            # the pages' compound read token by token keeps the kanji's full sound (血 + 症: ケツショウ) where the word
            # says a small ッ (決勝: ケッショウ)
            found = tuple(w for i, ch in enumerate(r) if ch == "ッ" for full in "ツチクキ"
                          for w in self.candidates(r[:i] + full + r[i + 1:])[0])
        if not found and len(word) == 1:
            c = self._short.get(r)  # never in text: 「跡」 alone is too short to restore in text
            found = tuple(w for w, _ in c.most_common()) if c else ()
        if not found:
            found = (self.mistyped(word),)
        if not any(found):
            found = (self.near_word(word),)
        if not any(found):
            # a word MeCab knows but cannot read aloud (「就食」), or a compound typed with a sound-alike kanji
            found = self.misconverted(word)[:1]
        return next((w for w in found if w and w != word), "")

    def near_word(self, word: str) -> str:
        """The pages' kanji compound one typing slip from ``word`` (a word of its own the pages never use), of its
        length and sharing its first kanji: 「意志がなくなる発作」 for 意識 (イシ / イシキ); "" unless exactly one."""
        if not _KANJI_WORD.fullmatch(word) or word in self.surfaces:
            return ""
        r = reading(word)
        near = {r} | _slips(r, min_len=2)
        found = {w for w in self._by_kanji.get((len(word), 0, word[0]), ())
                 if w != word and w not in self._two_kana
                 and (self._read_as[w][0] in near or r in _slips(self._read_as[w][0], min_len=2))}
        return found.pop() if len(found) == 1 else ""

    def mistyped(self, word: str) -> str:
        """The pages' katakana word one typing slip away from katakana ``word`` (「ラミクタル」 →
        「ラミクタール」, see :func:`_slips`), when exactly one is; else "". Only katakana against
        katakana: スイミング is one kana away from スイミン (睡眠) and means nothing of the kind."""
        if not _KATAKANA_WORD.fullmatch(word) or len(word) < MIN_MISTYPED or word in self.surfaces:
            return ""
        if self.candidates(word)[0]:
            return ""
        near = {w for v in _slips(word) for w in self.candidates(v)[0][:1] if _KATAKANA_WORD.fullmatch(w)}
        return near.pop() if len(near) == 1 else ""

    def misconverted(self, run: str) -> tuple[str, ...]:
        """The pages' kanji compounds that ``run`` (kanji only, not a word of the pages) may be a
        conversion error for, most frequent first: of its length, sharing at least one kanji in
        place and differing in at most half of them, read alike or one typing slip apart
        (「副作要」 フクサクヨウ → 副作用 フクサヨウ, 「決中濃度」 → 血中濃度, 「前半発作」 → 全般発作).
        A kanji MeCab cannot read even alone (「任娠」: 娠) stands for one to three kana, where both write it.
        None (``()``) for a run the pages write, or one MeCab reads as a single word of its own
        (「前半」「意志」「高校」 are words, not slips)."""
        n = len(run)
        if run in self.surfaces or not _KANJI_WORD.fullmatch(run):
            return ()
        toks = _tokens(run)
        every = {w for i, ch in enumerate(run) for w in self._by_kanji.get((n, i, ch), ())}
        # (the pages' words of a two-kana reading only for a word of its own typed with a kanji of another sound)
        pool = every - self._two_kana
        own = len(toks) == 1 and not toks[0].unknown
        if not every:
            return self._sokuon_slip(run) if own else ()
        if own:
            # a word of its own is a slip only for the one page word sharing a kanji in place that it sounds exactly
            # like, read whole (「採決する」: the pages' 採血, both サイケツ, the IME's first offer) or kanji by kanji
            # (「服役をわすれた」: フク + ヤク, the pages' 服薬, where the word is read フクエキ); a numeral only the latter
            alone = "".join(reading(c) for c in run)
            said = {alone} - {reading(run)} if _NUMERAL.search(run) else {alone, reading(run)} | _sounds_of(run)
            # (a page word of a two-kana reading only through another sound of the kanji: 外化 ガイカ for 外科 ゲカ, not
            # 意志 for 意思, both イシ, a homophone of its own)
            found = sorted(w for w in every if 0 < sum(a != b for a, b in zip(run, w)) <= n // 2
                           and self._read_as[w][0] in said
                           and not (len(self._read_as[w][0]) < MIN_READING and self._read_as[w][0] == reading(run)))
            if not found:
                return self._sokuon_slip(run)
            return tuple(found) if len(found) == 1 else ()
        if not pool:
            return ()
        # MeCab leaves a compound it cannot read as it is (「妊新」): each such kanji is read alone
        # (新 → シン), and one it cannot read even alone stands for one to three kana
        pieces = [c if KANA_RUN.fullmatch(c) else reading(c) for c in reading(run)]
        unread = {c for c in pieces if not KANA_RUN.fullmatch(c)}
        r = "".join(pieces)
        near = _slips(r, min_len=1) | {r}
        pattern = re.compile("".join(re.escape(c) if c not in unread else "[\u30a1-\u30fa\u30fc]{1,3}" for c in pieces))
        # (and each kanji in any of its sounds: 「妊心」's 心 is シン as well as ココロ, 「正候群」's 正 ショウ as well as セイ)
        sounded = re.compile("".join(
            "(?:" + "|".join(map(re.escape, sorted(sounds, key=len, reverse=True))) + ")" if sounds
            else "[\u30a1-\u30fa\u30fc]{1,3}" for sounds in _sounds_by_kanji(run)))
        found = []
        for w in pool:
            diff = sum(a != b for a, b in zip(run, w))
            if not 0 < diff <= n // 2:
                continue
            if unread:
                # the sound of a kanji MeCab cannot read is taken on trust only where both write it
                if any(a != b and a in unread for a, b in zip(run, w)):
                    continue
                ok = pattern.fullmatch(self._read_as[w][0]) is not None
            else:
                ok = self._read_as[w][0] in near
            # (a kanji with no sound of its own in the dictionary, 習 or 療, matches any sound only where both write it)
            ok = ok or (sounded.fullmatch(self._read_as[w][0]) is not None
                        and not any(a != b and not kanji_sounds(a) for a, b in zip(run, w)))
            if ok:
                found.append(w)
        if not found and n in (2, 3):
            # a kanji at either end typed with another of its sound, whatever MeCab makes of the run (「発佐」: 発 and 佐
            # are read as symbols, ハツ + サ; the pages' 発作 is ホッサ): the one page word sharing the other kanji in
            # place whose reading ends (or starts) with that kanji's sound
            close = []
            for w in pool:
                diff = [i for i, (a, b) in enumerate(zip(run, w)) if a != b]
                if len(diff) != 1 or diff[0] not in (0, n - 1):
                    continue
                # (the kanji's sound in the run and alone: 様 is サマ in 「副作様」 and ヨウ alone, the sound of 副作用's 用)
                sounds = {next((t.kana for t in toks if t.start == diff[0] and t.end == diff[0] + 1), ""),
                          _kana_of(run[diff[0]])} - {""}
                said = self._read_as[w][0]
                if any(len(said) > len(sound) and (said.endswith(sound) if diff[0] == n - 1 else said.startswith(sound))
                       for sound in sounds):
                    close.append(w)
            found = close if len(close) == 1 else []
        if not found and n >= 4:
            # a long compound one kanji off a page word, whatever that kanji's sound (「自立支猿医療」: 猿 read サル, its kun
            # reading), when only one page word is that close (not three kanji: 運転中 is no slip for 運動中)
            # (a compound the pages write whole: 「症症候群」 is only ever the tail of 過敏症症候群, and 「むずむず脚症候群」 is
            # no slip for it)
            close = [w for w in pool if sum(a != b for a, b in zip(run, w)) == 1 and w in self._whole]
            found = close if len(close) == 1 else []
        return tuple(sorted(found, key=lambda w: (-self._read_as[w][1], w)))

    def _sokuon_slip(self, run: str) -> tuple[str, ...]:
        """The page word a two-kanji word of its own stands for when a small っ was left out of the kana before the
        conversion (ほさ for ほっさ gives 補佐): only one of the pages' most frequent words (:data:`SOKUON_MIN_COUNT`);
        a real word sounding like a rare page word is meant as typed."""
        if len(run) != 2:
            return ()
        r = reading(run)
        alike = {w for i in range(1, len(r)) for w in self.candidates(r[:i] + "ッ" + r[i:])[0]
                 if len(w) == 2 and self._read_as[w][1] >= SOKUON_MIN_COUNT}
        return tuple(alike) if len(alike) == 1 else ()

    def spans(self, text: str) -> list[Restored]:
        """The spans of ``text`` that spell a corpus word by sound but do not write it, left to
        right, longest first (see the module docstring for which spans are suspect)."""
        if not self.words:
            return []
        toks = _tokens(text)
        kana_runs = [(m.start(), m.end()) for m in KANA_RUN.finditer(text)]
        # in a message that writes its words in kanji, kana are mostly the grammar between them
        mixed = _KANJI.search(text) is not None

        def in_kana_run(a: int, b: int) -> bool:
            return any(s <= a and b <= e for s, e in kana_runs)

        def misconverted_run(a: int, b: int) -> tuple[str, ...]:
            m = next((m for m in _KANJI_RUN.finditer(text) if m.start() <= a and b <= m.end()), None)
            return self.misconverted(m.group()) if m is not None and (m.start(), m.end()) != (a, b) else ()

        found: list[Restored] = []
        i = 0
        while i < len(toks):
            hit = None
            for j in range(min(len(toks), i + _MAX_TOKENS), i, -1):
                span = toks[i:j]
                if any(not t.kana for t in span) or any(span[k].start != span[k - 1].end for k in range(1, len(span))):
                    continue
                sound = "".join(t.kana for t in span)
                words, ambiguous = self.candidates(sound)
                a, b = span[0].start, span[-1].end
                if not words and len(sound) >= MIN_SLIPPED_RUN and in_kana_run(a, b) and not _grammar(span[0]):
                    # a long word typed in kana with one slip (「けつちゅうのうど」 for ケッチュウノウド, 血中濃度): the one
                    # long word of the pages a slip away
                    near = {w for v in _slips(sound, MIN_SLIPPED_RUN) for w in self.candidates(v)[0][:1]
                            if _KANJI.search(w)}
                    words, ambiguous = (tuple(near), False) if len(near) == 1 else ((), False)
                if not words:
                    continue
                surface = text[a:b]
                if surface in words:
                    hit = (j, None)  # written as the corpus writes it: nothing to restore
                    break
                if in_kana_run(a, b) and mixed and _grammar(span[0]):
                    # 「見ていればいいんでしょうか」 is not 入れ歯 + 医院, 「増えないか」 not 内科, 「授乳しています」 not 指定
                    ok = False
                elif in_kana_run(a, b):
                    # 「しよう」 is not 使用; but 「いでん する」 is 遺伝する, whatever MeCab made of いでん
                    suru = j < len(toks) and toks[j].surface[:1] in "しすさせ" and toks[j].pos == "動詞"
                    # 「たおる」 is read as the verb 手折る, but the pages write タオル: a word the corpus writes in
                    # katakana (a loanword: タオル, プール, テレビ) is what a kana run of its sound means
                    loanword = _KATAKANA_WORD.fullmatch(words[0]) is not None
                    ok = loanword or not (len(span) == 1 and span[0].pos in _KEEP_AS_READ
                                          and not (suru and _KANJI.search(words[0])))
                    # an everyday word MeCab knows (「へいき」 平気, which the pages never write) is not the pages' rare
                    # word of its sound (併記), a word sharing none of its kanji; こども (子供) is still the pages' 子ども
                    ok = ok and not (len(span) == 1 and not span[0].unknown and span[0].lemma in generic_lemmas()
                                     and not set(span[0].lemma) & set(words[0]))
                    ok = ok and bool(_KANJI_OR_KATAKANA.search(words[0]))
                elif _KANJI.search(surface) and surface not in self.surfaces and (len(span) > 1 or span[0].unknown):
                    # a compound the corpus never writes (「点観」「自律支援医療」), not a real word of its
                    # own that the corpus happens not to use (「高校」 is not 口腔)
                    ok = any(t.pos not in ("助詞", "助動詞") for t in span) and not (
                        len(span) > 1 and any(t.pos == "助詞" for t in span) and len(sound) < MIN_COMPOUND)
                    # a word of the same sound sharing none of the kanji gives way to a page word the whole kanji run
                    # is a slip for (「ウエスト正候群」: 正候 セイコウ is the pages' 成功, the run 正候群 their 症候群)
                    ok = ok and not (not set(words[0]) & set(surface) and misconverted_run(a, b))
                else:
                    ok = False
                if ok:
                    hit = (j, Restored(a, b, words[0], words, ambiguous))
                    break
            if hit is None:
                i += 1
                continue
            i, r = hit
            if r is not None:
                found.append(r)
        # a verb typed in kana that MeCab reads as a verb the pages never use (「はいちゃった」 as 履く): the pages'
        # verb of that sound, as they write it (吐い), when one clearly is
        for t in toks:
            if t.pos == "動詞" and len(t.kana) >= 2 and t.lemma not in self._lemmas and in_kana_run(t.start, t.end) \
                    and not _grammar(t) and not _overlaps(found, t.start, t.end):
                c = self._verbs.get(t.kana)
                if c and not _ambiguous([k for _, k in c.most_common()]):
                    w = c.most_common(1)[0][0]
                    found.append(Restored(t.start, t.end, w, (w,), False))
        # a compound typed with a sound-alike kanji, wherever MeCab cut it (「副作要って」 is 副/作/要っ/て)
        for m in _KANJI_RUN.finditer(text):
            run = m.group()
            if any(t.start < m.end() < t.end and (t.start == m.start() or t.pos in ("接尾辞", "名詞", "形容詞")) for t in toks):
                # the stem of a word written on in kana (「間違えやすい」, 「人向けの」: 人 + 向け, 「10年近く」), not a
                # compound; a verb MeCab made of a slip's last kanji (「入欲する」: 入 + 欲する) is no such word
                continue
            if _KANJI_WORD.fullmatch(run) and not _overlaps(found, m.start(), m.end()):
                words = self.misconverted(run)
                if not words and len(run) == 3 and run[-1] in _SUFFIX_KANJI and run[:-1] not in self.surfaces:
                    # a slip in a two-kanji word before a suffix (「入欲中」「妊振中」「発佐薬」): the word restored, the
                    # suffix kept
                    alike = self.misconverted(run[:-1])
                    if len(alike) == 1:
                        found.append(Restored(m.start(), m.end() - 1, alike[0], alike, False))
                        continue
                if not words:
                    # a slip inside a compound of known words (「重責発作」: 重責 for the pages' 重積, both ジュウセキ)
                    for t in _tokens(m.group()):
                        sub = t.surface
                        if len(sub) >= 2 and sub != m.group() and _KANJI_WORD.fullmatch(sub) and _own_word(sub) \
                                and not _NUMERAL.search(sub):
                            alike = self.misconverted(sub)
                            said = self._read_as[alike[0]][0] if len(alike) == 1 else ""
                            if said and (said == reading(sub) or len(said) < MIN_READING):
                                found.append(Restored(m.start() + t.start, m.start() + t.end, alike[0], alike, True))
                    continue
                # a real word that sounds exactly like the page word may be meant as typed (「治る確率」, the pages'
                # 確立): the page word is searched beside it, the text keeps it
                homophone = _own_word(m.group()) and self._read_as[words[0]][0] == reading(m.group())
                found.append(Restored(m.start(), m.end(), words[0], words,
                                      homophone or _ambiguous([self._read_as[w][1] for w in words])))
        # a katakana word the pages write with one kana more or less (「ラミクタル」 for ラミクタール)
        for m in _KATAKANA_WORD.finditer(text):
            if m.group() not in self.surfaces and not _overlaps(found, m.start(), m.end()):
                near = self.mistyped(m.group())
                if near:
                    found.append(Restored(m.start(), m.end(), near, (near,), False))
        return sorted(found, key=lambda r: r.start)

    def restore(self, text: str) -> list[str]:
        """The corpus words the suspect spans of ``text`` spell (every candidate of an ambiguous
        reading), in order, without repeats."""
        out: list[str] = []
        for r in self.spans(text):
            out.extend(r.candidates if r.ambiguous else (r.word,))
        return list(dict.fromkeys(out))

    def convert(self, text: str) -> str:
        """``text`` with every suspect span that has one clear corpus word replaced by it
        (「くすり のみわすれた」 → 「薬 飲み忘れた」, 「点観」 → 「てんかん」)."""
        out, last = [], 0
        for r in self.spans(text):
            if r.ambiguous:
                continue
            out.append(text[last:r.start])
            out.append(r.word)
            last = r.end
        out.append(text[last:])
        return "".join(out)


_KATAKANA_RUN = re.compile(r"[\u30a1-\u30fa\u30fc]+")
#: what only a loanword writes: a long-vowel mark, a small vowel (ファ, ティ, シェ), ヴ
_LOANWORD = re.compile(r"[\u30fc\u30a1\u30a3\u30a5\u30a7\u30a9\u30f4]")


def katakana_typed(text: str) -> bool:
    """Was ``text`` typed on a keyboard set to katakana (「ニンシン シテモ クスリ ノメル？」)?
    No kanji, no hiragana, and at least four katakana."""
    return not re.search(r"[\u3041-\u3096\u3400-\u9fff]", text) and \
        sum(len(m) for m in _KATAKANA_RUN.findall(text)) >= 4


def as_kana_typing(text: str, keep: Callable[[str], bool] = lambda run: False) -> str:
    """A katakana-typed message read like one typed in hiragana, which :meth:`ReadingVocabulary.convert`
    and the scope check know how to read: each katakana run becomes hiragana, except loanwords
    (a long-vowel mark or a small vowel: シャワー, カフェイン) and runs ``keep`` says to keep
    (the corpus's own words, brand names). Without this, 「ノメル」「ドウスル」 read as nouns no page
    uses, and the question was declined although its hiragana twin was answered."""
    if not katakana_typed(text):
        return text

    def soften(m: re.Match) -> str:
        run = m.group(0)
        return run if _LOANWORD.search(run) or keep(run) else to_hiragana(run)
    return _KATAKANA_RUN.sub(soften, text)


#: a run of hiragana (with long-vowel marks) as a phone gives it before conversion
_HIRAGANA_RUN = re.compile(r"[\u3041-\u3096\u30fc]+")
#: the particles a loanword typed in hiragana stands between (「まいなんばーかーど って」「でーとあぷりの」)
_EDGE = frozenset("のがをにでとはもやへっ")


@lru_cache(maxsize=4096)
def _loanword(kana: str) -> bool:
    """Is ``kana`` (hiragana) a loanword or a name the dictionary knows once written in katakana (「でーとあぷり」:
    デート + アプリ), and long enough not to be a native word's sound (「いくら」 is イクラ to it)?"""
    long_vowel = "ー" in kana
    if len(kana) < (3 if long_vowel else 4):
        return False
    words = _words(to_katakana(kana))
    # without a long-vowel mark, one loanword of the dictionary (「いんふるえんざ」); pieces of a native word's sound
    # read in katakana are names and loanwords too (「のんでも」: ノン + デモ, 「つかえる」: ツカ + エル)
    if not long_vowel:
        return len(words) == 1 and not words[0].is_unk and getattr(words[0].feature, "goshu", "") == "外" \
            and getattr(words[0].feature, "pos2", "") == "普通名詞"
    return 0 < len(words) <= 3 and all(getattr(w.feature, "pos1", "") == "名詞" and not w.is_unk
                                       and getattr(w.feature, "goshu", "") in ("外", "固") for w in words)


def hiragana_loanwords(text: str) -> str:
    """``text`` with loanwords typed in hiragana written in katakana (「ほけんしょう と まいなんばーかーど って」 →
    マイナンバーカード): MeCab cuts them into nonsense in hiragana (まいな｜ん｜ばーか｜ー｜ど), so neither the
    pages' words nor a thing the pages never name could be found in them. A loanword is the longest piece of a
    hiragana run, between the run's ends or particles, that the dictionary reads as loanwords or names once written
    in katakana."""
    def convert(m: re.Match) -> str:
        run = m.group(0)
        out, i = [], 0
        while i < len(run):
            found = 0
            if i == 0 or run[i - 1] in _EDGE:
                for j in range(len(run), i + 2, -1):
                    if (j == len(run) or run[j] in _EDGE) and _loanword(run[i:j]):
                        found = j
                        break
            if found:
                out.append(to_katakana(run[i:found]))
                i = found
            else:
                out.append(run[i])
                i += 1
        return "".join(out)
    return _HIRAGANA_RUN.sub(convert, text)


_cache: dict[Any, ReadingVocabulary] = {}
_lock = threading.Lock()


def _lexicon_words() -> list[str]:
    """The brand names and everyday words of the lexicon, each a text of its own: typed by their sound
    (「でぱけん」「せいり」「じむ」), they are restored to the word the lexicon then folds to the pages' word."""
    return sorted(set(BRAND_TO_GENERIC) | set(WORD_SYNONYMS))


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
            vocab = ReadingVocabulary(itertools.chain((f"{c.title}\n{c.text}" for c in it()), _lexicon_words()))
            _cache.clear()
            _cache[key] = vocab
        return vocab

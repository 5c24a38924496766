"""Japanese text handling shared by every stage: normalisation, sentence
splitting and tokenisation.

Normalisation is deliberately narrower than plain NFKC:

* full-width ASCII letters and digits (``ＡＢＣ１２３``) become ASCII, and
  half-width katakana (``ﾃﾝｶﾝ``) become full-width (``テンカン``): these are the
  NFKC folds that never change meaning;
* Japanese punctuation (``。、！？（）「」～``) is kept as written, because the
  sentence splitter and readers rely on it, and NFKC would turn ``①`` into ``1``
  and ``～`` into ``~``;
* circled numbers (``①``) become ``(1)`` so list markers survive as text;
* decomposed kana (``か`` + U+3099, as macOS and some PDFs write it) are composed
  (NFC), and the squared unit signs and Roman numerals of CP932 pages
  (``㎎ ㎏ ㎖ ㎝ Ⅱ ⅲ``) become their letters (``mg kg ml cm II iii``) so dose
  and type names match however a page wrote them;
* whitespace: the ideographic space becomes a space, runs of spaces collapse,
  zero-width characters and control characters go, line breaks are kept.

Tokenisation uses fugashi (MeCab) with unidic-lite, loaded lazily on first use.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from typing import Any, NamedTuple

from tenkan.errors import ModelUnavailableError

__all__ = [
    "normalize",
    "split_sentences",
    "tokenize",
    "content_tokens",
    "char_ngrams",
    "is_japanese",
    "to_katakana",
    "to_hiragana",
    "reading",
    "morphemes",
    "Morpheme",
    "KANA_RUN",
]

_FULLWIDTH_ALNUM = re.compile(r"[０-９Ａ-Ｚａ-ｚ]+")
_HALFWIDTH_KANA = re.compile(r"[\uff61-\uff9f]+")
_CIRCLED = {chr(0x2460 + i): f"({i + 1})" for i in range(20)}  # ①..⑳
# ㎎㎏㎖㎝… (U+3380–U+33DF squared Latin units) and Ⅰ–ⅿ (U+2160–U+217F Roman numerals)
_COMPAT_SIGNS = re.compile(r"[\u3380-\u33df\u2160-\u217f]")
_ZERO_WIDTH = re.compile(r"[\u200b-\u200f\u2060\ufeff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[ \t\u3000\u00a0]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def normalize(text: str) -> str:
    """Normalise Japanese text safely (see the module docstring)."""
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text)
    text = _ZERO_WIDTH.sub("", text)
    text = _CONTROL.sub("", text)
    text = _FULLWIDTH_ALNUM.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
    text = _HALFWIDTH_KANA.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
    text = "".join(_CIRCLED.get(ch, ch) for ch in text)
    text = _COMPAT_SIGNS.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
    text = text.replace("\u301c", "～")  # WAVE DASH → FULLWIDTH TILDE (cp932's form)
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()


# A sentence ends at 。！？!? (plus any closing brackets after it) or at a line break.
_SENT_END = re.compile(r"([。！？!?]+[」』）)\]】]*)")


def split_sentences(text: str) -> list[str]:
    """Split Japanese text into sentences, keeping the end punctuation.

    Line breaks always end a sentence (headings and list items are lines).
    Empty pieces are dropped.
    """
    out: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        parts = _SENT_END.split(line)
        buf = ""
        for part in parts:
            if not part:
                continue
            buf += part
            if _SENT_END.fullmatch(part):
                if buf.strip():
                    out.append(buf.strip())
                buf = ""
        if buf.strip():
            out.append(buf.strip())
    return out


_TAGGERS = threading.local()


def _tagger():
    """This thread's MeCab tagger. A tagger is not thread-safe (two threads parsing at once
    get None or each other's nodes: seen under `tenkan serve`'s parallel requests and possible
    with several Streamlit sessions), so each thread gets its own."""
    tagger = getattr(_TAGGERS, "tagger", None)
    if tagger is not None:
        return tagger
    try:
        import fugashi  # noqa: WPS433 - lazy by design
    except ImportError as exc:  # pragma: no cover - install problem

        raise ModelUnavailableError(
            "fugashi is not installed; Japanese tokenisation needs it", hint="make setup"
        ) from exc
    _TAGGERS.tagger = tagger = fugashi.Tagger()
    return tagger


_PUNCT_POS = {"補助記号", "記号", "空白"}
_FUNCTION_POS = {"助詞", "助動詞"}


class _Word(NamedTuple):
    """One MeCab node, copied out of the tagger: fugashi's nodes point into the tagger's lattice, and the
    next parse (anywhere: a reading looked up inside a loop over a sentence's words) overwrites their
    features (「だんなの うわきが」 then read うわき as an auxiliary)."""

    surface: str
    feature: Any
    is_unk: bool


#: where MeCab misreads the colloquial topic mark: 「焦点発作って」 is parsed 焦点/発/作っ/て (the verb 作る), so
#: the text is parsed in pieces cut before that って (the surfaces, and so every offset, stay as written)
_CUT_BEFORE_TTE = re.compile(r"(?<=発作)(?=って)")


def _words(text: str) -> list[_Word]:
    t = normalize(text)
    parts = _CUT_BEFORE_TTE.split(t) if "発作って" in t else [t]
    return [_Word(n.surface, n.feature, bool(getattr(n, "is_unk", False))) for p in parts if p for n in _tagger()(p)]


class Morpheme(NamedTuple):
    """One word as MeCab (unidic-lite) reads it: surface, part of speech (``pos1`` such as 名詞,
    動詞, 助詞), lemma (loanword glosses dropped), the lemma's reading and the word's reading
    (katakana; empty when MeCab has none)."""

    surface: str
    pos: str
    lemma: str
    lemma_reading: str
    kana: str


def morphemes(text: str) -> list[Morpheme]:
    """The words of ``text`` (normalised) with what the tagger knows of them; for code that
    rewrites a sentence word by word (the dataset's patient-style questions)."""
    out = []
    for w in _words(text):
        f = w.feature
        lemma = (getattr(f, "lemma", None) or w.surface).split("-")[0]
        kana = getattr(f, "kana", None) or ""
        lform = getattr(f, "lForm", None) or ""
        out.append(Morpheme(w.surface, getattr(f, "pos1", "") or "", lemma,
                            "" if lform == "*" else lform, "" if kana == "*" else kana))
    return out


def tokenize(text: str, *, drop_punct: bool = True) -> list[str]:
    """Surface-form tokens (MeCab/unidic-lite), lower-cased for ASCII."""
    toks = []
    for w in _words(text):
        pos = w.feature.pos1 if hasattr(w.feature, "pos1") else ""
        if drop_punct and pos in _PUNCT_POS:
            continue
        s = w.surface.strip().lower()
        if s:
            toks.append(s)
    return toks


def content_tokens(text: str) -> list[str]:
    """Tokens without punctuation, particles and auxiliaries, as lemmas where known.

    This is what keyword search wants: 「発作が起きた」 and 「発作は起きる」 share
    「発作」「起きる」.
    """
    toks = []
    for w in _words(text):
        pos = getattr(w.feature, "pos1", "")
        if pos in _PUNCT_POS or pos in _FUNCTION_POS:
            continue
        lemma = getattr(w.feature, "lemma", None) or w.surface
        # unidic lemmas of katakana loanwords carry an English gloss after '-'
        lemma = lemma.split("-")[0]
        s = (lemma or w.surface).strip().lower()
        if s:
            toks.append(s)
    return toks


def char_ngrams(text: str, n: int = 2) -> list[str]:
    """Character n-grams of the text with whitespace removed."""
    s = re.sub(r"\s+", "", text)
    if len(s) < n:
        return [s] if s else []
    return [s[i : i + n] for i in range(len(s) - n + 1)]


_JA_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


def is_japanese(text: str, min_ratio: float = 0.2) -> bool:
    """True when at least ``min_ratio`` of the non-space characters are kana/kanji."""
    s = re.sub(r"\s+", "", text)
    if not s:
        return False
    return len(_JA_CHAR.findall(s)) / len(s) >= min_ratio


# --- readings -------------------------------------------------------------------
# People type what they hear: 「ほっさ」, 「ケイレン」, 「うんてん」, or a wrong kanji of the
# right sound. Comparing *readings* (katakana) makes those forms meet the pages' kanji.

_HIRA = re.compile(r"[\u3041-\u3096]")
_KATA = re.compile(r"[\u30a1-\u30f6]")
#: a run of kana (hiragana or katakana, with the long-vowel mark)
KANA_RUN = re.compile(r"[\u3041-\u3096\u30a1-\u30fa\u30fc]+")


def to_katakana(text: str) -> str:
    """Hiragana folded to katakana (everything else unchanged)."""
    return _HIRA.sub(lambda m: chr(ord(m.group()) + 0x60), text)


def to_hiragana(text: str) -> str:
    """Katakana folded to hiragana (everything else unchanged)."""
    return _KATA.sub(lambda m: chr(ord(m.group()) - 0x60), text)


def reading(text: str) -> str:
    """The katakana reading of ``text`` as MeCab reads it, without spaces or punctuation.

    「発作が止まらない」 → 「ホッサガトマラナイ」; kana are folded to katakana as typed
    (「ほっさ」 → 「ホッサ」, whatever MeCab makes of them), ASCII is kept lower-cased and
    digits stay digits (「10分」 → 「10フン」)."""
    out = []
    for w in _words(text):
        pos = getattr(w.feature, "pos1", "")
        if pos in _PUNCT_POS:
            continue
        surface = w.surface.strip()
        if not surface:
            continue
        kana = getattr(w.feature, "kana", None)
        if KANA_RUN.fullmatch(surface) or not kana or kana == "*":
            out.append(to_katakana(surface).lower())
        else:
            out.append(kana)
    return "".join(out)

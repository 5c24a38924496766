"""Japanese typed in romaji, read as hiragana.

A phone without a Japanese keyboard, or a writer who learnt Japanese by ear, gives
「hossa ga tomaranai」 or 「shiyakusyo de juuminhyou no torikata wo osiete kudasai」. Read as they are,
these are Latin words no page uses: the safety patterns see no seizure, and the relevance gate
cannot tell what is asked. :func:`romaji_to_kana` turns such a message into the hiragana a
kana keyboard would have given (「ほっさ が とまらない」), which the rest of the pipeline reads like
any message typed in kana (readings restored, kana nouns checked, emergencies found).

Only a message that is Japanese in romaji is converted: most of its Latin words must spell
syllables (Hepburn, kunrei or a keyboard's spelling: shi/si, tsu/tu, ja/zya, nn, kk; 70%, or 85% with
only one particle) and at least one must be a particle or ending of a Japanese sentence (no, wa, ga,
desu, kudasai …), so an English sentence (「is it safe to drive」: English words end in consonants) or an
English word in a Japanese one stays as typed.
"""

from __future__ import annotations

import re

__all__ = ["JAPANESE_PARTICLES", "romaji_to_kana", "word_to_kana"]

_VOWELS = {"a": "あ", "i": "い", "u": "う", "e": "え", "o": "お"}
# consonant (or digraph) → the kana of its five vowels; '' where the syllable does not exist
_ROWS = {
    "k": "かきくけこ", "g": "がぎぐげご", "s": "さしすせそ", "z": "ざじずぜぞ", "t": "たちつてと",
    "d": "だぢづでど", "n": "なにぬねの", "h": "はひふへほ", "b": "ばびぶべぼ", "p": "ぱぴぷぺぽ",
    "m": "まみむめも", "y": "や-ゆ-よ", "r": "らりるれろ", "w": "わ---を", "f": "ふぁふぃふふぇふぉ",
}
_YOON = {  # consonant + y/h + a/u/o
    "ky": "き", "gy": "ぎ", "sy": "し", "sh": "し", "zy": "じ", "jy": "じ", "j": "じ", "ty": "ち", "ch": "ち",
    "cy": "ち", "dy": "ぢ", "ny": "に", "hy": "ひ", "by": "び", "py": "ぴ", "my": "み", "ry": "り",
}
_SMALL = {"a": "ゃ", "u": "ゅ", "o": "ょ"}
_SPECIAL = {"shi": "し", "chi": "ち", "tsu": "つ", "ji": "じ", "fu": "ふ", "si": "し", "ti": "ち", "tu": "つ",
            "zi": "じ", "hu": "ふ", "di": "ぢ", "du": "づ", "wo": "を", "she": "しぇ", "che": "ちぇ", "je": "じぇ"}

#: particles and sentence endings that mark a romaji message as Japanese
JAPANESE_PARTICLES = _JAPANESE_WORDS = frozenset(
    "no wa ga wo o ni de to mo ka kara made yori desu desuka masu masuka kudasai onegai nani nan dou doushite "
    "itsu doko dare ii dame daijoubu node kedo demo shite sita shita ne yo".split())


def _f_row(vowel: str) -> str:
    return {"a": "ふぁ", "i": "ふぃ", "u": "ふ", "e": "ふぇ", "o": "ふぉ"}[vowel]


def word_to_kana(word: str) -> str | None:
    """The hiragana of one romaji word, or None when it does not spell Japanese syllables."""
    w = word.lower().replace("'", "")
    out: list[str] = []
    i = 0
    while i < len(w):
        c = w[i]
        if c in _VOWELS:
            out.append(_VOWELS[c])
            i += 1
            continue
        if c == "-":  # a long vowel typed as a dash after a vowel (「ko-hi-」); else a separator (「nan-kai」)
            if i and w[i - 1] in _VOWELS:
                out.append("ー")
            i += 1
            continue
        nxt = w[i + 1] if i + 1 < len(w) else ""
        if c == "n" and (not nxt or (nxt not in _VOWELS and nxt != "y")):
            out.append("ん")
            i += 2 if nxt == "n" and (i + 2 >= len(w) or w[i + 2] not in _VOWELS and w[i + 2] != "y") else 1
            continue
        if c == nxt and c not in "aiueon":  # a doubled consonant: a small tsu (「hossa」 → ほっさ)
            out.append("っ")
            i += 1
            continue
        if c == "t" and nxt == "c":  # 「matcha」
            out.append("っ")
            i += 1
            continue
        for size in (3, 2):
            chunk = w[i:i + size]
            if chunk in _SPECIAL:
                out.append(_SPECIAL[chunk])
                i += size
                break
        else:
            for lead in (w[i:i + 2], w[i:i + 1]):
                if lead in _YOON and i + len(lead) < len(w) and w[i + len(lead)] in "auo" \
                        and (len(lead) == 2 or lead == "j"):
                    v = w[i + len(lead)]
                    out.append(_YOON[lead] + (_SMALL[v] if lead != "j" else _SMALL[v]))
                    i += len(lead) + 1
                    break
            else:
                v = nxt
                if c == "f" and v in _VOWELS:
                    out.append(_f_row(v))
                    i += 2
                    continue
                row = _ROWS.get(c)
                if row is None or v not in _VOWELS or c == "f":
                    return None
                kana = row["aiueo".index(v)]
                if kana == "-":
                    return None
                out.append(kana)
                i += 2
    return "".join(out)


_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*")


def romaji_to_kana(text: str, keep: frozenset[str] | set[str] = frozenset()) -> str:
    """``text`` with its romaji words in hiragana when it is Japanese typed in romaji (see the module
    docstring); otherwise ``text`` unchanged. ``keep``: Latin words left as typed (known English words)."""
    words = _LATIN_WORD.findall(text or "")
    if len(words) < 3:
        return text
    lower = [w.lower() for w in words]
    spelt = [w for w in lower if w not in keep and word_to_kana(w) is not None]
    japanese = sum(w in _JAPANESE_WORDS for w in lower)
    if not japanese or len(spelt) < (0.7 if japanese >= 2 else 0.85) * len(words):
        return text

    def sub(m: re.Match) -> str:
        w = m.group(0)
        if w.lower() in keep:
            return w
        if w.lower() == "wa":
            return "は"  # the topic particle is written は
        kana = word_to_kana(w)
        return kana if kana is not None else w

    return _LATIN_WORD.sub(sub, text)

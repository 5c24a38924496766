"""Training questions in patients' words, made from the pages' own questions.

The FAQ and heading strategies ask in the pages' wording (「入浴の注意点を教えてください。」);
patients write 「お風呂って入っていいの？」, 「ほっさ 止まらない」, 「デパケン飲み忘れた」,
「子どもが…」, 「運転は？」. Each style below rewrites one candidate question; none reads
the evaluation sets (``data/eval/``), and the dataset builder drops any variant equal to
an evaluation question. Everything is deterministic for a seed and a question.

Styles:

* ``casual`` -- plain endings: 〜って何？, 〜していいの？, 〜するの？, 〜じゃん…
* ``hiragana`` -- one or two kanji words written in hiragana from their fugashi reading;
* ``lexicon`` -- the lexicon read backwards: generic names → brand names (バルプロ酸 →
  デパケン), the pages' words → everyday words (入浴 → お風呂, 医師 → お医者さん);
* ``caregiver`` -- someone asks about another person (子どもが／うちの夫が／生徒が…);
* ``short`` -- a topic and は？ (「運転は？」);
* ``situation`` -- one sentence of situation before the question.
"""

from __future__ import annotations

import random
import re
from typing import Callable, Sequence

from generator.config import QUESTION_STYLES
from tenkan.jatext import Morpheme, morphemes, to_hiragana
from tenkan.lexicon import BRAND_TO_GENERIC, WORD_SYNONYMS

__all__ = ["STYLES", "styled_questions", "core_question", "restyle", "casual", "hiragana", "lexicon_words", "caregiver", "short",
           "situation"]

STYLES = QUESTION_STYLES

_KANJI = re.compile(r"[\u3400-\u9fff]")
_END = re.compile(r"[。？?！!\s]+$")


def _body(question: str) -> str:
    return _END.sub("", question.strip())


_PAREN = re.compile(r"[（(][^）)]*[）)]")
_NUMBERING = re.compile(r"^[\d０-９]+(?:[.．][\d０-９]+)*[.．、)）]?\s*")
_HEADED = re.compile(r"^(?P<x>.+?)について、(?:「(?P<y>.+)」|(?P<y2>[^「」]+?))(?P<tail>を教えてください。|とはどういうことですか？|"
                     r"はどうすればよいですか？)$")
_VAGUE = {"はじめに", "概要", "まとめ", "ポイント", "注意点", "手順", "方法", "対応", "基本", "特徴", "症状", "原因"}


def _clean(text: str) -> str:
    text = _NUMBERING.sub("", _PAREN.sub("", text)).strip(" 　")
    if text.count("「") != text.count("」") or (text.startswith("「") and text.endswith("」")):
        text = text.replace("「", "").replace("」", "")
    return text


def core_question(question: str) -> str:
    """The page's question as a patient would start from it: 「<title>について、「<heading>」を
    教えてください。」 → 「<heading>について教えてください。」 (the title kept only when the
    heading alone says too little), parentheses and section numbers dropped."""
    m = _HEADED.match(question.strip())
    if not m:
        return _PAREN.sub("", question).strip() or question
    x, y, tail = _clean(m.group("x")), _clean(m.group("y") or m.group("y2")), m.group("tail")
    if not y or len(y) <= 4 or y in _VAGUE:
        y = f"{x}の{y}" if y and y not in ("はじめに", "概要", "まとめ") else x
    if tail.startswith("と"):
        return f"{y}って、どういうことですか？"
    if tail.startswith("は"):
        return f"{y}はどうすればよいですか？"
    if re.search(r"(る|た|い|す|く|ない)$", y):
        return f"「{y}」とはどういうことですか？"
    return f"{y}について教えてください。"


# -- casual ---------------------------------------------------------------------
#: (pattern over the question without its final punctuation, replacement); first match wins
_CASUAL_RULES: list[tuple[re.Pattern, Sequence[str]]] = [
    (re.compile(r"^(.+?)(?:と)?は何ですか$"), ("{0}って何？", "{0}ってなに？")),
    (re.compile(r"^(.+?)とは$"), ("{0}って何？",)),
    (re.compile(r"^(.+?)(?:し)?ても(?:いい|よい|大丈夫)ですか$"), ("{0}していいの？", "{0}しても大丈夫？")),
    (re.compile(r"^(.+?)はどうすればよいですか$"), ("{0}はどうしたらいいの？", "{0}、どうすればいい？")),
    (re.compile(r"^(.+?)どうすればよいですか$"), ("{0}どうしたらいいの？",)),
    (re.compile(r"^(.+?)について教えてください$"), ("{0}ってどうなの？", "{0}のこと教えて")),
    (re.compile(r"^(.+?)を教えてください$"), ("{0}って？", "{0}が知りたい")),
    (re.compile(r"^「(.+?)」とはどういうことですか$"), ("{0}ってどういうこと？",)),
    (re.compile(r"^(.+?)って、どういうことですか$"), ("{0}って、どういうこと？", "{0}って本当？")),
    (re.compile(r"^(.+?)なのですか$"), ("{0}なの？",)),
    (re.compile(r"^(.+?)ですか$"), ("{0}なの？", "{0}じゃん？")),
]


def _plain_verb(m: Morpheme) -> str:
    """The dictionary form of a verb as a patient would type it (飲み → 飲む, し → する)."""
    if m.lemma and m.surface and m.lemma[0] == m.surface[0]:
        return m.lemma
    return to_hiragana(m.lemma_reading) if m.lemma_reading else m.surface


def _masu_to_plain(body: str) -> str | None:
    """「…飲みますか」 → 「…飲むの」: the verb before ます(か) in its dictionary form."""
    ms = morphemes(body)
    for i in range(len(ms) - 1, 0, -1):
        if ms[i].surface == "ます" and ms[i - 1].pos == "動詞":
            if any(x.pos not in ("助詞", "補助記号") for x in ms[i + 1:]):
                return None
            head = "".join(x.surface for x in ms[: i - 1])
            return head + _plain_verb(ms[i - 1])
    return None


def casual(question: str, rng: random.Random) -> str | None:
    body = _body(question)
    for pat, outs in _CASUAL_RULES:
        m = pat.match(body)
        if m:
            return rng.choice(outs).format(m.group(1).rstrip("、"))
    if body.endswith(("ますか", "ますか？")):
        plain = _masu_to_plain(body)
        if plain:
            return rng.choice(("{0}の？", "{0}？")).format(plain)
    if body.endswith(("ください", "下さい")):
        return re.sub(r"(を|について)?(教えて)?(ください|下さい)$", "", body) + "ってどうなの？"
    return None


# -- hiragana ---------------------------------------------------------------------
def hiragana(question: str, rng: random.Random) -> str | None:
    """One or two kanji nouns/verbs written in hiragana from their reading (発作 → ほっさ)."""
    ms = morphemes(question)
    cand = [i for i, m in enumerate(ms) if m.pos in ("名詞", "動詞", "形容詞") and _KANJI.search(m.surface) and m.kana]
    if not cand:
        return None
    picks = set(rng.sample(cand, min(len(cand), rng.choice((1, 2)))))
    return "".join(to_hiragana(m.kana) if i in picks else m.surface for i, m in enumerate(ms))


# -- lexicon, backwards -------------------------------------------------------------
#: entries whose backward reading is not a paraphrase (体重 is not 太る; 期間 is not 期限; 運動 is not
#: マラソン, 運転 not バイク, 妊娠 not 妊活, お酒 not おビール; 仕事 is not バイト, 伝える not 告知,
#: 睡眠不足 not 徹夜, 失神 not 立ちくらみ, スケート not スケボー, 点滅 not ストロボ; a noun read back as a verb or an adverb breaks the sentence:
#: 出産 → 産む, 眠気 → 眠い, ふらつき → ふらふら)
_NOT_BACKWARDS = {"体重", "期間", "市販", "薬剤師", "飲み合わせ", "いらいら",
                  "運動", "運転", "記憶", "発疹", "飲酒", "酒", "妊娠", "水泳",
                  "仕事", "就職", "伝える", "睡眠不足", "校外学習", "出産", "眠気", "失神", "ふらつき",
                  "スポーツ", "スキー", "スケート", "ダンス", "海", "光", "点滅", "旅行", "閉経", "英語",
                  "音", "手", "効果"}


def _backwards() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    brands: dict[str, list[str]] = {}
    for b, g in BRAND_TO_GENERIC.items():
        brands.setdefault(g, []).append(b)
    words: dict[str, list[str]] = {}
    for v, c in WORD_SYNONYMS.items():
        if c not in _NOT_BACKWARDS:
            words.setdefault(c, []).append(v)
    return brands, words


_BRANDS_OF, _EVERYDAY_OF = _backwards()


def lexicon_words(question: str, rng: random.Random) -> str | None:
    """Generic names → a brand name, the pages' words → an everyday word (whole words only)."""
    out, changed = question, False
    for generic in sorted(_BRANDS_OF, key=len, reverse=True):
        if generic in out:
            out = out.replace(generic, rng.choice(sorted(_BRANDS_OF[generic])))
            changed = True
    ms = morphemes(out)
    glued = ("名詞", "接尾辞", "接頭辞")
    # a word inside a compound stays (発作薬 is not 発作くすり); てんかん → 癲癇 only when nothing else changes
    spots = [i for i, m in enumerate(ms) if m.surface in _EVERYDAY_OF
             and not (i > 0 and ms[i - 1].pos in glued) and not (i + 1 < len(ms) and ms[i + 1].pos in glued)]
    if any(ms[i].surface != "てんかん" for i in spots):
        spots = [i for i in spots if ms[i].surface != "てんかん"]
    elif spots and not changed:
        spots = spots[:1]
    else:
        spots = []
    for i in spots:
        ms[i] = ms[i]._replace(surface=rng.choice(sorted(_EVERYDAY_OF[ms[i].surface])))
        changed = True
    return "".join(m.surface for m in ms) if changed else None


# -- someone else, short, situation ----------------------------------------------------
_WHO = ("子どもが", "うちの子が", "うちの夫が", "妻が", "母が", "父が", "息子が", "娘が", "生徒が", "祖母が")
_WHO_FORMS = ("{who}てんかんなんですが、{q}", "{who}てんかんです。{q}", "{who}てんかんと言われました。{q}")


def caregiver(question: str, rng: random.Random) -> str | None:
    body = question.strip()
    if re.match(r"^(子ども|うちの|家族|私|僕|夫|妻|母|父|息子|娘|生徒)", body):
        return None
    return rng.choice(_WHO_FORMS).format(who=rng.choice(_WHO), q=body)


_GENERIC_NOUNS = {"こと", "もの", "何", "なん", "方", "ため", "よう", "場合", "とき", "時", "人", "注意点", "方法",
                  "ポイント", "てんかん", "病気", "質問", "の", "ん"}


def short(question: str, rng: random.Random, heading: str = "") -> str | None:
    """A topic and は？: the section heading when it is short, else the question's first
    specific noun run (「運転は？」)."""
    h = _clean(re.sub(r"(について|とは|[?？。])$", "", (heading or "").strip()))
    if 2 <= len(h) <= 12 and h not in _VAGUE and not h.startswith(("Q", "Ｑ")) and not re.search(r"[るたいすく]$", h):
        topic = h
    else:
        ms = morphemes(question)
        runs, cur, has_noun = [], "", False
        for m in ms + [Morpheme("", "", "", "", "")]:
            if m.pos in ("名詞", "接頭辞", "接尾辞") and m.surface not in _GENERIC_NOUNS:
                cur += m.surface
                has_noun = has_noun or m.pos == "名詞"
            else:
                if cur and has_noun:
                    runs.append(cur)
                cur, has_noun = "", False
        runs = [r for r in runs if len(r) >= 2 and not re.match(r"^[\d０-９約]", r)]
        if not runs:
            return None
        topic = runs[0]
    return rng.choice(("{0}は？", "{0}って？", "{0}、どう？")).format(topic)


_SITUATIONS = (
    "先月てんかんと診断されたばかりです。",
    "薬を飲み始めて半年になります。",
    "来週、主治医に相談する予定です。",
    "ネットで調べてもよくわかりませんでした。",
    "最近、発作は落ち着いています。",
    "家族でこれからのことを話し合っています。",
    "学校の先生から聞かれて困っています。",
    "初めてのことなので不安です。",
)


def situation(question: str, rng: random.Random) -> str | None:
    return rng.choice(_SITUATIONS) + question.strip()


_STYLE_FNS: dict[str, Callable[..., str | None]] = {
    "casual": casual, "hiragana": hiragana, "lexicon": lexicon_words, "caregiver": caregiver,
    "situation": situation,
}


def restyle(style: str, question: str, rng: random.Random, heading: str = "") -> str | None:
    """``question`` rewritten in one style, or None when the style does not apply to it."""
    if style == "short":
        return short(question, rng, heading)
    if style not in _STYLE_FNS:
        raise ValueError(f"unknown question style {style!r}; valid: {', '.join(STYLES)}")
    return _STYLE_FNS[style](question, rng)


def styled_questions(question: str, n: int, *, seed: int = 13, styles: Sequence[str] = STYLES,
                     heading: str = "") -> list[tuple[str, str]]:
    """Up to ``n`` ``(style, question)`` variants of ``question``, each in a different style,
    all different from the question and from each other. Deterministic for ``seed`` and
    ``question`` (independent of the order questions are processed in)."""
    rng = random.Random(f"{seed}:{question}")
    core = core_question(question)
    order = list(styles)
    rng.shuffle(order)
    out: list[tuple[str, str]] = []
    seen = {_body(question)}
    for style in order:
        if len(out) >= n:
            break
        q = restyle(style, core, rng, heading)
        if not q or _body(q) in seen or len(_body(q)) < 2:
            continue
        seen.add(_body(q))
        out.append((style, q))
    return out

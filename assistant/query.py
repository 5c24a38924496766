"""One analysis of a question, made at the door and handed to every step.

A patient's message reaches retrieval, the safety layer, the relevance decision, the
extractive quoting and the citation check. Each used to normalise and tokenise it again,
and they could disagree about what it said. :func:`analyse` does it once:

* ``normalized``: English words in Japanese (:func:`assistant.lexicon.from_english`), then
  :func:`tenkan.jatext.normalize`;
* ``restored``: kana spans that spell a word of the corpus replaced by that word
  (「ほっさ」 → 「発作」, :mod:`assistant.readings`), so hiragana-only and katakana
  questions meet the pages' kanji;
* ``focus``: the question itself when the message is a story that ends in one (the scene
  before it keeps a lower weight in retrieval and does not count in the relevance check);
* ``added``: the sources' words for brand names and everyday words (:mod:`assistant.lexicon`);
* ``terms``: what BM25 searches, weighted: the question, the scene, the added words, and
  for a message the safety layer reads as a crisis going on, the guidance's own words
  (「発作が5分以上続いている」, 119番 救急車), so that the answer under the guidance comes
  from the pages about emergencies;
* ``safety``: the safety report (emergencies read in every wording).

:class:`QueryWeights` holds the weights; they are settings of the assistant
(``assistant.story_weight``, ``assistant.expansion_weight``), chosen on the tune half of
the style set (``bench/answer_scope.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Sequence

from assistant.conversation import Turn, is_follow_up, retrieval_query
from assistant.emergency import EMERGENCY_KINDS
from assistant.grounding import _tokens, generic_lemmas
from assistant.lexicon import BRAND_TO_GENERIC, WORD_SYNONYMS, added_words, from_english
from assistant.readings import ReadingVocabulary, as_kana_typing, hiragana_loanwords
from assistant.relevance import NOT_A_TOPIC, SCENE_WORDS
from assistant.safety import SafetyReport, check_question, names_epilepsy
from tenkan.jatext import normalize, split_sentences

__all__ = ["Query", "QueryWeights", "analyse", "question_focus"]

#: how a sentence that asks something ends (with or without ？)
_ASKS = re.compile(
    r"(?:[？?]|か|の|かな|かね|かしら|っけ|でしょう|ますか|ですか|たら|れば|いい|べき|教えて|ください|下さい|知りたい|"
    r"どう|何|なに|なん|だめ|ダメ|大丈夫|平気|ok|OK|NG|は)[。！!…]*$")
#: a question told as a worry (「運転を続けていいのか悩んでいます」「どのタイミングで飲めばいいのか迷います」)
_WONDERS = re.compile(r"(?:のか|か)(?:どうか)?(?:が|を|で|と|、)?(?:悩|なや|迷|まよ|心配|不安|わから|分から|知りたい|しりたい)"
                      r"[^。？?]{0,8}[。！!…]*$")


@dataclass(frozen=True)
class QueryWeights:
    story: float = 0.5       # weight of a story's scene-setting sentences in BM25
    expansion: float = 0.5   # weight of words added by the lexicon in BM25
    brand: float = 1.0       # weight of a brand name's generic name (the same medicine) in BM25


@dataclass
class Query:
    text: str                     # as typed (stripped)
    normalized: str
    restored: str                 # kana spans restored to the corpus's words
    focus: str                    # the question sentence(s) (restored); == restored for short messages
    context: str                  # the rest of a story (restored), "" when none
    added: list[str] = field(default_factory=list)      # lexicon words (brand → generic, everyday → medical)
    restored_words: list[str] = field(default_factory=list)
    follow_up: bool = False
    retrieval: str = ""           # the dense-side query text (follow-ups carry the topic of earlier turns; the
                                  # lexicon's stand-ins for everyday words follow the text)
    terms: dict[str, float] = field(default_factory=dict)   # BM25 side: text → weight
    safety: SafetyReport = field(default_factory=SafetyReport)

    @property
    def match_text(self) -> str:
        """What word-overlap checks compare with sources: the question part and the added words."""
        return " ".join([self.focus, *self.added])

    @property
    def parts_text(self) -> str:
        """:attr:`match_text` with each word the lexicon or an asked phrase added set off as a part of the question
        of its own (「…眠くて仕事にならない？ 副作用？ 眠気」): what the question asks, in the pages' words, which an
        extractive answer should hold (:func:`assistant.extractive.select_passages`). A brand's generic name stays
        with the question: it names the same medicine, not another part."""
        brands = [w for w in self.added if w in _GENERIC_NAMES]
        return "？ ".join([" ".join([self.focus, *brands]), *[w for w in self.added if w not in _GENERIC_NAMES]])

    @property
    def whole_text(self) -> str:
        """The whole message (scene included) and the added words."""
        return " ".join([self.restored, *self.added])

    def describe(self) -> dict:
        """For ``Answer.query`` (logs, the app, the bench): what the analysis changed."""
        return {"restored": self.restored if self.restored != self.normalized else "",
                "restored_words": list(self.restored_words), "added": list(self.added),
                "focus": self.focus if self.context else "", "follow_up": self.follow_up}


#: the generic names brand names stand for (searched at ``QueryWeights.brand``)
_GENERIC_NAMES = frozenset(BRAND_TO_GENERIC.values())

#: lemmas (MeCab's dictionary forms) that carry no topic of their own: light verbs,
#: demonstratives, helping verbs (「してあげる」「気をつける」「飲んでおく」). ``_tokens`` already drops
#: ``GENERIC_WORDS``, which lists the plain forms (ある, する, これ) but not these lemmas
_LIGHT = frozenset("為る 有る 居る 成る 此れ 其れ 彼れ 此の 其の 侭 上げる 付ける 置く 仕舞う 無い 掛ける".split())


@lru_cache(maxsize=1)
def _light() -> frozenset[str]:
    """:data:`_LIGHT` and the lemmas of the generic words listed by their surfaces (ところ → 所, ため → 為,
    まだ → 未だ): 「発作は今のところありません」 names one thing, not two. Built on first use, not at import
    (it runs the tokenizer)."""
    return _LIGHT | generic_lemmas()


#: searched beside a message the safety layer reads as a crisis going on
EMERGENCY_SEARCH = "119番 救急車"
#: the emergency kinds that are a crisis in themselves; a first seizure or a seizure in pregnancy gets
#: the 119 guidance, but the message often asks something else (「初めてけいれんを起こしたけど、すぐに薬を
#: 飲み始めないといけないの？」 is about starting treatment), and so may one the n-gram model alone flags
CRISIS_KINDS = frozenset({"long_seizure", "repeated_seizures", "no_recovery", "breathing", "injury", "water"})

#: a sentence that passes on what someone said or wrote (「イライラするって聞いた」「太るらしい」): after a
#: question, it is the claim the question wants checked, not a remark
_HEARSAY = re.compile(r"(?:って|と)(?:聞い|聞く|聞き|きい|きく|きき|聞かれ|きかれ|言われ|いわれ|言って|いって|書いて|かいて|見た|みた|読んだ|よんだ|"
                      r"勧められ|すすめられ)"
                      r"|らしい(?:よ|けど|んだけど|です|ね)*[。！!…]*$")

#: a question about how the scene and something else are linked (is X the cause of Y?)
_RELATES = re.compile(r"関係|関連|影響|原因|所為|せい(?:[？?。!！]|です|だ|な|か|じゃ|では)|つなが|繋が")


def _content(text: str) -> int:
    """How many words of ``text`` could be what a question is about (not the scene, not a
    light verb or a demonstrative: 「関係あるんでしょうか」 names nothing)."""
    return len(_tokens(text) - NOT_A_TOPIC - SCENE_WORDS - _light())


def question_focus(text: str) -> tuple[str, str]:
    """(the question, the rest) of a message: the last sentence that asks something; the
    scene before it and remarks after it (「最近ズボンきついんだよね」) are the rest; a claim passed on after it
    (「イライラするって聞いた」) is part of the question. A
    question sentence with fewer than two words that could be a topic (「これっててんかんなんでしょうか」,
    「夫として何をしてあげたらいいですか」) takes in the sentences before it until it has
    them; one that asks about a link (「薬と関係あるんでしょうか」) takes in all of them. A
    message of one sentence, or with no sentence that asks, is all question."""
    sents = split_sentences(text)
    if len(sents) < 2:
        return text, ""
    asking = [i for i, s in enumerate(sents) if _ASKS.search(s.strip()) or _WONDERS.search(s.strip())]
    if not asking:  # a description without a question (「…あとで本人は覚えてない」): all of it is what is asked
        return text, ""
    i = asking[-1]
    j = i + 1
    while j < len(sents) and _HEARSAY.search(sents[j]):
        j += 1
    # questions in a row are asked together (「献血できる？薬飲んでるとだめ？」), and so are two with one remark
    # between them (「…2回分飲めばいいと言っていますが大丈夫なんでしょうか。うちは朝晩2回の薬です。飲み忘れない
    # ためのコツもあれば教えてください。」)
    # (a worry, 「…体が動くか心配です」, is not asked across a remark)
    while i - 1 in asking or (i - 2 in asking and i - 1 not in asking and _ASKS.search(sents[i - 2].strip())):
        i -= 1 if i - 1 in asking else 2
    # what someone said or asked just before the question is what it asks about (「薬局でジェネリックに変えますかって聞かれた。
    # てんかんの薬でもかえて大丈夫なの？」)
    if i > 0 and _HEARSAY.search(sents[i - 1]):
        i -= 1
    while i > 0 and _content(" ".join(sents[i:j])) < 2:
        i -= 1
    if _RELATES.search(" ".join(sents[i:j])):
        i = 0  # 「関係あるんでしょうか」「薬のせい？」 ask about the scene itself: all of it is asked
    rest = sents[:i] + sents[j:]
    return " ".join(sents[i:j]), " ".join(rest)


def analyse(question: str, history: Sequence[Turn] | None = None, *, vocab: ReadingVocabulary | None = None,
            weights: QueryWeights = QueryWeights(), history_turns: int = 2) -> Query:
    """Analyse ``question`` once (see the module docstring)."""
    text = (question or "").strip()
    history = list(history or [])
    normalized = normalize(from_english(text))
    restored_words: list[str] = []
    restored = normalized
    if vocab is not None and len(vocab):
        # a message typed in katakana is read as if typed in hiragana (the corpus's words and brand names stay)
        kana = as_kana_typing(normalized, keep=lambda run: run in vocab.surfaces or run in BRAND_TO_GENERIC
                              or run in WORD_SYNONYMS)
        # ... and a loanword typed in hiragana is written as the dictionary knows it (「まいなんばーかーど」), unless the
        # message names epilepsy: then a noun typed in kana is never the unknown topic (「てんかん だけど ばーべきゅー で
        # ひ つかうの こわい」 asks about a seizure near a fire), and in katakana it would be
        if not names_epilepsy(kana):
            kana = hiragana_loanwords(kana)
        restored = vocab.convert(kana)
        restored_words = vocab.restore(kana)
    focus, context = question_focus(restored)
    # the sources' words for brand names and everyday words, and every candidate of a sound
    # shared by several corpus words (いじょう: 以上, 異常), which the text could not restore
    # (a word the question sentence stands for is added though the scene uses it: 「就職活動中です。面接で言うべき？」
    # asks about 就職, which the scene's half weight alone leaves to the travel page's words)
    added = added_words(restored) + added_words(focus) + [w for w in restored_words if w not in restored]
    added = list(dict.fromkeys(added))
    follow = is_follow_up(text, history)
    retrieval = retrieval_query(restored, history, history_turns) if follow else restored
    topic = retrieval[: len(retrieval) - len(restored)].strip() if follow else ""
    # the embedder reads the pages' words for the everyday ones too (「チャリ乗っていい？」 meets the sports page's
    # 自転車 only so): on the development lists +17 questions cited their page, -2 lost it. Not a brand's generic
    # name: the embedder knows the brand, and adding it lost more than it won
    stand_ins = [w for w in added if w not in _GENERIC_NAMES]
    if stand_ins:
        retrieval = " ".join([retrieval, *stand_ins])
    terms: dict[str, float] = {}
    for part, w in ((focus, 1.0), (context, weights.story), (topic, 1.0)):
        if part:
            terms[part] = terms.get(part, 0.0) + w
    for word in added:  # a brand's generic name is the same medicine; an everyday word's stand-in is a paraphrase
        terms[word] = terms.get(word, 0.0) + (weights.brand if word in _GENERIC_NAMES else weights.expansion)
    report = check_question(text, restored)
    crisis = [k for k in report.emergency_kinds if k in CRISIS_KINDS]
    if crisis:
        # a crisis going on, typed in whatever words, is answered from the pages about emergencies: what the
        # guidance names (「発作が5分以上続いている」) is searched beside the message, at the lexicon's weight
        for said in [EMERGENCY_KINDS[k] for k in crisis] + [EMERGENCY_SEARCH]:
            terms[said] = terms.get(said, 0.0) + weights.expansion
    return Query(text=text, normalized=normalized, restored=restored, focus=focus, context=context, added=added,
                 restored_words=restored_words, follow_up=follow, retrieval=retrieval, terms=terms, safety=report)

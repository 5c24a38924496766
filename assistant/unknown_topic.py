"""Is a word the pages never use what the question is about, or only where it happens?

The relevance gate declines a question that names something no page mentions
(:func:`assistant.relevance.unknown_nouns`): 「てんかんの人が入れる医療保険を教えて」 asks about an insurance the
site never covers. But the same shape holds a setting the pages do cover in general terms:
「工務店をやってます。若い大工がてんかんで…丸ノコを使わせても大丈夫？」 is answered by the work page's rotating
machines and blades, though no page says 丸ノコ. Lists of scene words (:data:`assistant.relevance.SCENE_WORDS`)
catch the settings seen before; every new list of settings started with a fifth to a half of its questions
declined.

This model reads how the message uses its unknown words, not which words they are: a long story
with the word in a clause of place or tool (「…で」「…を」「…や」「…中に」) is a setting, a short
question with the word as its topic (「…って」「…と」「…、」 in the question sentence) asking what
something is, does or costs is off topic. Logistic regression over :data:`FEATURES`, fitted by
``python -m bench.unknown_topic --write`` on the tune half and the development lists (never the test half):
off-topic questions the gate declines as they are written today, and in-scope questions with the words the gate
named when their list was first run (``data/ranker/unknown_settings.tsv``; most were mended since by words).
Where the model is confident that the words are a setting (topic probability below
``assistant.unknown_topic_max``), the unknown words do not decline; the other signals still do.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Container

from tenkan.jatext import normalize, split_sentences
from tenkan.manifest import LinearModel, load_learnt
from tenkan.paths import DATA_DIR

__all__ = ["FEATURES", "MODEL_FILE", "UnknownTopicModel", "features", "default_model"]

#: the fitted model (``python -m bench.unknown_topic --write``)
MODEL_FILE = DATA_DIR / "ranker" / "unknown_topic.json"

#: what the model reads of a message and its unknown words, in order (:func:`features`)
FEATURES = ("length", "sentences", "can_do", "care", "worry", "info", "after_tte", "after_de", "after_wo", "after_ya",
            "after_toka", "after_moment", "after_comma", "after_to", "in_question", "kanji_known", "word_length")

#: asking whether something may be done (a setting's question: 「…使わせても大丈夫？」「…ってやっちゃダメ？」)
_CAN_DO = re.compile(r"ていい|てもいい|でもいい|大丈夫|平気|ダメ|だめ|ヤバ|やば|危な|控え|やめ|OK|ok|行ける|いける|セーフ|"
                     r"できる|でき[まな]|無理")
#: asking how to look after someone or prepare (「…どう配慮したらいいですか」)
_CARE = re.compile(r"どうしたら|どうすれば|配慮|注意|気をつけ|気を付け|どう話|伝え|準備|備え")
#: a worry told (「…発作が起きたらと思うと心配」)
_WORRY = re.compile(r"心配|不安|迷|怖|こわ")
#: asking for a piece of information: where, how much, which, when, how many, who, how it is done (an off-topic
#: question's shape: 「初心者向けの板ってどれがいい？」「何問出るの？」)
_INFO = re.compile(r"どこ|いくら|おすすめ|オススメ|どれ|どっち|何科|いつ|何日|何回|何年|何問|何人|何歳|誰|どう違|方法|やり方|"
                   r"コツ|選び")
#: the particle (or mark) right after the word and the feature it counts in, longest first
_AFTER = {"って": "after_tte", "とか": "after_toka", "で": "after_de", "を": "after_wo", "や": "after_ya",
          "、": "after_comma", "と": "after_to"}
_MOMENT = re.compile(r"(?:の)?(?:中|途中|最中|とき|時|前|後|あと)")
_KANJI = re.compile(r"[\u4e00-\u9fff]")


def features(message: str, unknown: list[str], known_chars: Container[str] = "") -> list[float]:
    """The model's view (:data:`FEATURES`) of ``message`` and its ``unknown`` words: the message's length,
    sentences and kinds of ask (may I, how to care, a worry, a piece of information), and for each word (summed)
    the particle after it, a moment after it, whether it is in the last sentence, the share of its kanji that the
    pages use (``known_chars``: the corpus's text or characters), and the longest word's length."""
    text = normalize(message)
    sents = split_sentences(text) or [text]
    last = sents[-1]
    f = dict.fromkeys(FEATURES, 0.0)
    f["length"] = min(len(text), 200) / 100
    f["sentences"] = float(min(len(sents), 5))
    for key, pattern in (("can_do", _CAN_DO), ("care", _CARE), ("worry", _WORRY), ("info", _INFO)):
        f[key] = float(bool(pattern.search(text)))
    for w in unknown:
        w = normalize(w)
        f["word_length"] = max(f["word_length"], min(len(w), 8) / 4)
        i = text.find(w)
        if i < 0:
            continue
        after = text[i + len(w):]
        particle = next((p for p in _AFTER if after.startswith(p)), "")
        if particle:
            f[_AFTER[particle]] += 1
        f["after_moment"] += float(bool(_MOMENT.match(after)))
        f["in_question"] += float(w in last)
        kanji = _KANJI.findall(w)
        if kanji:
            f["kanji_known"] += sum(c in known_chars for c in kanji) / len(kanji)
    return [f[k] for k in FEATURES]


class UnknownTopicModel(LinearModel):
    """Logistic regression over :func:`features` (standardised): the probability that the unknown words are
    what the question is about."""

    FEATURES = FEATURES

    def probability(self, x: list[float]) -> float:
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, self.score(x)))))


@lru_cache(maxsize=1)
def default_model() -> UnknownTopicModel | None:
    return load_learnt(MODEL_FILE, UnknownTopicModel, "unknown words decline as before")

"""Conversation: turn a follow-up question into a self-contained retrieval query.

「それは妊娠中も大丈夫？」 after 「ラモトリギンの副作用は？」 means "is lamotrigine
safe in pregnancy": the retrieval query gets the topic words (nouns) of the
recent user turns in front of the question. A question that names its own
topic is left alone.
"""

from __future__ import annotations

import re
from typing import Iterable, Sequence

from tenkan.jatext import _words, normalize

__all__ = ["is_follow_up", "topic_words", "retrieval_query", "Turn"]

Turn = tuple[str, str]  # (role, text), role "user" or "assistant"

_ANAPHORA = re.compile(
    r"^(?:それ|これ|あれ|そっち|こっち|その|この|あの|そう|じゃあ|じゃ|では|なら|それなら|ちなみに|あと|で、|でも|"
    r"それって|それは|これは|他に|ほかに|他の|ほかの|逆に|同じ|さっきの|前の)"
    r"|(?:それ|これ|あれ|その薬|この薬|その病気|その検査|その治療|そういう|同じ)"
)
_GENERIC_NOUNS = frozenset(
    "こと もの 物 事 よう 様 ため 方 ところ 場合 とき 時 人 何 なに なん どれ どこ いつ 誰 これ それ あれ "
    "くらい ぐらい ほど 等 など さん ちゃん 私 僕 俺 うち 本当 問題 必要 感じ 気 大丈夫 今 前 後 他 ほか".split()
)


def _nouns(text: str) -> list[str]:
    out = []
    for w in _words(text):
        pos1 = getattr(w.feature, "pos1", "")
        pos2 = getattr(w.feature, "pos2", "")
        s = w.surface.strip()
        if pos1 == "名詞" and pos2 not in ("数詞", "助動詞語幹") and s and s not in _GENERIC_NOUNS:
            out.append(s)
        elif pos1 == "接頭辞" and s:
            out.append(s)
    return out


def topic_words(text: str) -> list[str]:
    """Nouns of ``text`` in order, without duplicates or generic words."""
    return list(dict.fromkeys(_nouns(text)))


def is_follow_up(question: str, history: Sequence[Turn] | None) -> bool:
    """True when the question leans on earlier turns (a pronoun, a leading 「じゃあ」, or no topic of its own)."""
    if not history or not any(role == "user" for role, _ in history):
        return False
    q = normalize(question).strip()
    if _ANAPHORA.search(q):
        return True
    return len(topic_words(q)) == 0


def retrieval_query(question: str, history: Iterable[Turn] | None, turns: int = 2) -> str:
    """The question, prefixed with the topic words of the last ``turns`` user turns when it is a follow-up."""
    history = list(history or [])
    if turns <= 0 or not is_follow_up(question, history):
        return question
    users = [text for role, text in history if role == "user"][-turns:]
    own = set(topic_words(question))
    words: list[str] = []
    for text in reversed(users):  # most recent first: its topic matters most
        for w in topic_words(text):
            if w not in own and w not in words:
                words.append(w)
    return (" ".join(words) + " " + question).strip() if words else question

"""The template's stop rules: stop sequences, at most three sentences with their citations, no loops,
the same whether the text arrives in one piece or token by token."""

from __future__ import annotations

import pytest

from generator.prompter import Prompter
from generator.stops import StopFilter, apply_stops


def streamed(text: str, filt: StopFilter, size: int = 1) -> str:
    out = ""
    for i in range(0, len(text), size):
        out += filt.feed(text[i:i + size])
        if filt.stopped:
            break
    return out + filt.flush()


CASES = [
    # a small model's typical loop: the same few characters over and over
    ("質問：質問：質問：質問：質問：質問：質問：", "質問：", "loop"),
    # a sentence said again ends the answer before it; the first keeps its citation
    ("発作が5分以上続いたら119番に電話してください。[1]横向きに寝かせてください。[2]横向きに寝かせてください。[2]",
     "発作が5分以上続いたら119番に電話してください。[1]横向きに寝かせてください。[2]", "loop"),
    # three sentences at most, each keeping the citation written right after it
    ("一つ目です。[1]二つ目です。[2]三つ目です。[3]四つ目です。[1]", "一つ目です。[1]二つ目です。[2]三つ目です。[3]", "sentences"),
    ("一つ目です。二つ目です。三つ目です。四つ目", "一つ目です。二つ目です。三つ目です。", "sentences"),
    # the template's next-section marker
    ("答えです。[1]\n### 指示:\n次の質問", "答えです。[1]", "stop"),
    # nothing to cut
    ("薬は毎日同じ時間に飲みます。[1]", "薬は毎日同じ時間に飲みます。[1]", ""),
]


@pytest.mark.parametrize("text,expected,reason", CASES)
@pytest.mark.parametrize("size", [1, 3, 1000])
def test_rules_cut_the_same_wherever_the_pieces_break(text, expected, reason, size):
    filt = Prompter("alpaca_ja").stop_filter()
    assert streamed(text, filt, size) == expected
    assert filt.reason == reason
    assert filt.stopped == bool(reason)


def test_a_citation_split_across_pieces_is_kept_whole():
    filt = StopFilter([], max_sentences=1)
    out = filt.feed("答えです。")
    out += filt.feed("[")
    assert not filt.stopped and out == "答えです。"   # "[" may still become a citation: held back
    out += filt.feed("12")
    out += filt.feed("]次の文")
    assert filt.stopped and out == "答えです。[12]"


def test_generation_stops_when_the_rules_say_so():
    """The filter tells the runtime to stop: what follows a loop is never generated."""
    filt = Prompter("alpaca_ja").stop_filter()
    fed = 0
    for piece in ["はい。", "はい。", "はい。", "はい。", "はい。", "ずっと続く"]:
        fed += 1
        filt.feed(piece)
        if filt.stopped:
            break
    assert filt.stopped and fed == 2


def test_rules_are_off_unless_the_template_names_them():
    assert apply_stops("あ。い。う。え。お。", []) == "あ。い。う。え。お。"
    assert apply_stops("ねえねえねえねえねえねえ", []) == "ねえねえねえねえねえねえ"


def test_parse_applies_the_rules_to_a_whole_reply():
    p = Prompter("alpaca_ja")
    prompt = p.build("発作が止まらないときは？", "[1] 応急手当\n5分以上続けば救急車を呼びます。")
    reply = prompt + "救急車を呼びます。[1]救急車を呼びます。[1]救急車を呼びます。[1]"
    assert p.parse(reply) == "救急車を呼びます。[1]"

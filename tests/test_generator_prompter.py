"""Prompter: one template file builds training and inference prompts and parses output."""

import json

import pytest

from generator.stops import StopFilter as _StopFilter
from generator.prompter import Prompter
from tenkan.errors import ConfigError


def test_round_trip_closed_and_context():
    p = Prompter()
    prompt = p.build("発作が5分以上続いたら？")
    assert "### 指示:\n発作が5分以上続いたら？" in prompt and "### 入力" not in prompt
    assert prompt.endswith("### 応答:\n")
    answer = "救急車を呼んでください。"
    # the model continues with a new instruction block: parse keeps only the answer
    assert p.parse(prompt + answer + "\n### 指示:\n次の質問") == answer
    assert p.parse(answer) == answer

    ctx = p.format_context([("入浴", "入浴はシャワーで。"), {"title": "運転", "text": "運転は控えます。"}])
    assert ctx.startswith("[1] 入浴\n") and "\n\n[2] 運転\n運転は控えます。" in ctx
    prompt2, full = p.build_training("入浴の注意は？", ctx, "シャワーにします。[1]")
    assert "### 入力:\n[1] 入浴" in prompt2
    assert full.startswith(prompt2) and p.parse(full) == "シャワーにします。[1]"


def test_missing_variable_is_an_error(monkeypatch):
    p = Prompter()
    with pytest.raises(ConfigError):
        p.build("")
    with pytest.raises(ConfigError):
        p.build_training("質問", None, None)
    broken = dict(p.t, prompt_no_input="### 指示:\n{instruction}\n{persona}\n### 応答:\n")
    monkeypatch.setattr(p, "t", broken)
    with pytest.raises(ConfigError, match="persona"):
        p.build("質問")


def test_unknown_template_names_the_available_ones():
    with pytest.raises(ConfigError) as exc:
        Prompter("nope")
    assert "alpaca_ja" in exc.value.hint


def test_stop_filter_holds_back_partial_stop_sequences():
    f = _StopFilter(["\n### "])
    out = [f.feed(x) for x in ["答えは", "これです。\n", "##", "# 指示"]]
    assert "".join(out) == "答えはこれです。" and f.stopped
    f2 = _StopFilter(["\n### "])
    assert f2.feed("改行\n") == "改行" and f2.feed("次の行") == "\n次の行"


def test_the_templates_no_answer_is_recognised_with_citation_markers_or_more_text_after_it():
    p = Prompter("alpaca_ja")
    assert p.says_no_answer(p.no_answer)
    assert p.says_no_answer("提示された資料には、この質問への答えは書かれていません［2］。ほかの資料もご覧ください。")
    assert not p.says_no_answer("発作が5分以上続くときは119番に電話してください[1]。")
    assert not p.says_no_answer("主治医や専門の医療機関にご相談ください[1]。")  # the advice alone is not a decline

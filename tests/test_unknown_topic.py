"""The unknown-topic model: a word the pages never use declines a question it is the topic of, not one whose
scene it only sets (assistant/unknown_topic.py, fitted by bench/unknown_topic.py)."""

from __future__ import annotations

import copy

import pytest

from assistant.unknown_topic import FEATURES, MODEL_FILE, UnknownTopicModel, default_model, features


def test_the_committed_model_reads_todays_features():
    model = default_model()
    assert model is not None, f"{MODEL_FILE} did not load"
    assert len(model.coef) == len(model.mean) == len(model.scale) == len(FEATURES)


def test_a_model_fitted_on_other_features_is_refused():
    with pytest.raises(ValueError, match="other features"):
        UnknownTopicModel({"features": ["length"], "mean": [0], "scale": [1], "coef": [1], "intercept": 0})


def test_the_features_read_how_the_message_uses_the_word():
    chars = set("仕事作業機械")
    setting = features("工場で働いています。グラインダーを使う作業の最中に発作が起きたら危ないですか", ["グラインダー"], chars)
    topic = features("グラインダーってどこで買うのがおすすめ？", ["グラインダー"], chars)
    f = dict(zip(FEATURES, setting))
    g = dict(zip(FEATURES, topic))
    assert f["sentences"] == 2 and g["sentences"] == 1
    assert f["after_wo"] == 1 and g["after_tte"] == 1
    assert f["can_do"] == 1 and f["worry"] == 0 and g["info"] == 1 and g["can_do"] == 0
    assert f["in_question"] == 1 and g["in_question"] == 1
    assert features("鍼灸は？", ["鍼灸"], chars)[FEATURES.index("kanji_known")] == 0.0
    assert features("作業場は？", ["作業場"], chars)[FEATURES.index("kanji_known")] == pytest.approx(2 / 3)


def test_a_setting_in_a_story_is_less_likely_the_topic_than_a_short_what_is_question():
    model = default_model()
    chars = set("仕事作業機械")
    story = model.probability(features(
        "板金工場で働き始めました。グラインダーを使う作業もあって、発作が起きたら危ないんじゃないかと心配です",
        ["グラインダー"], chars))
    short = model.probability(features("グラインダーって何がおすすめ？", ["グラインダー"], chars))
    assert story < short
    assert 0.0 < story < 1.0 and 0.0 < short < 1.0


@pytest.fixture(scope="module")
def assistants(demo_index):
    from assistant import Assistant

    on = Assistant(demo_index.config, demo_index.workspace, retriever=demo_index.retriever)
    cfg = copy.deepcopy(demo_index.config)
    cfg.assistant.unknown_topic_max = 0.0
    off = Assistant(cfg, demo_index.workspace, retriever=demo_index.retriever)
    return on, off


def test_a_setting_the_pages_never_name_no_longer_declines(assistants):
    on, off = assistants
    q = "ピザ屋でバイトしてて、窯の前に立つ担当なんだけど発作が心配"
    before, after = off.ask(q, mode="extractive"), on.ask(q, mode="extractive")
    assert before.grounding == "no_sources" and before.relevance["unknown"]
    assert before.relevance["unknown_topic"] is None   # the model off: not consulted
    assert after.grounding == "extractive" and after.citations, after.relevance
    assert after.relevance["unknown"] == before.relevance["unknown"]
    assert after.relevance["unknown_topic"] < on.acfg.unknown_topic_max


def test_an_unknown_topic_still_declines_with_the_model_on(assistants):
    on, _ = assistants
    ans = on.ask("てんかんに鍼（はり）治療は効果がありますか？", mode="extractive")
    assert ans.grounding in ("no_sources", "out_of_scope")
    assert ans.relevance["unknown_topic"] >= on.acfg.unknown_topic_max

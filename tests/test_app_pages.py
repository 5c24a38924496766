"""The Streamlit pages through streamlit.testing's AppTest (a real script run, no browser)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")


@pytest.fixture
def app(app_home, monkeypatch):
    from streamlit.testing.v1 import AppTest

    home, cfg = app_home
    monkeypatch.setenv("TENKAN_HOME", str(home))
    monkeypatch.setenv("TENKAN_CONFIG", str(cfg))
    import streamlit as st

    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=120)
    yield at
    st.cache_resource.clear()


def _all_text(at) -> str:
    parts = [m.value for m in at.markdown] + [e.value for e in at.error] + [e.value for e in at.info]
    parts += [e.label for e in at.expander] + [c.value for c in at.caption] + [w.value for w in at.warning]
    return "\n".join(str(p) for p in parts)


def test_chat_answers_with_citations_disclaimer_and_rating(app, app_home):
    at = app.run()
    assert not at.exception
    assert "医療上の助言ではありません" in _all_text(at)
    at.chat_input[0].set_value("発作が5分以上続いたらどうすればいいですか？").run()
    assert not at.exception
    text = _all_text(at)
    assert "119番" in text
    assert at.error and "【緊急】" in at.error[0].value  # emergency guidance shown prominently
    labels = [e.label for e in at.expander]
    assert any(lbl.replace("\\", "").startswith("[1]") for lbl in labels), labels
    assert "first-aid.html" in text
    # rate the answer: stored in the workspace
    up = [b for b in at.button if b.label.startswith("👍")]
    up[0].click().run()
    ratings = (Path(app_home[0]) / "feedback" / "ratings.jsonl").read_text(encoding="utf-8").splitlines()
    rec = json.loads(ratings[-1])
    assert rec["rating"] == 1 and rec["question"].startswith("発作が5分以上")
    # a follow-up in the same conversation
    at.chat_input[0].set_value("それはお風呂でも同じ？").run()
    assert not at.exception


def test_crawled_script_payload_is_shown_as_text(app):
    at = app.run()
    at.chat_input[0].set_value("テレビの点滅する光で発作は起きますか？").run()
    assert not at.exception
    for m in at.markdown:
        assert not m.proto.allow_html, m.value
    blob = _all_text(at)
    assert "テレビ" in blob
    # the payload reaches the page only escaped (as literal text), never as a tag
    assert "<script>" not in blob.replace("\\<script\\>", "").replace("\\<", "")


def _page(name):
    from streamlit.testing.v1 import AppTest

    return AppTest.from_string(f"from tenkan.face.ui import pages\npages.{name}()", default_timeout=120)


def test_evaluator_page_compares_modes_and_shows_saved_runs(app):
    at = _page("evaluator_page").run()
    assert not at.exception
    # the saved run: metric table, plot, report
    assert at.dataframe and "rougeL" in at.dataframe[0].value.columns
    assert any(getattr(e, "type", "") == "image" for e in at.main.children.values())
    at.text_input(key="eval_question").set_value("発作が5分以上続いたらどうすればいいですか？")
    at.multiselect(key="eval_modes").set_value(["extractive", "ft"])
    at.button(key="eval_go").click().run()
    assert not at.exception
    text = _all_text(at)
    assert "extractive" in text and "ft" in text
    assert any(e.label.startswith("\\[1\\]") or e.label.startswith("[1]") for e in at.expander)
    # ft needs a tuned adapter: without one the column says what to run instead of a traceback
    warnings = [w.value for w in at.warning]
    assert any("tenkan train" in w for w in warnings), warnings


def test_corpus_page_shows_sites_refresh_and_index(app):
    at = _page("corpus_page").run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["ページ数"] == "5"
    assert "2026-11-23T10:00:05" in metrics["最終更新"]
    assert metrics["埋め込みモデル"].startswith("hash")
    assert int(metrics["チャンク数"]) >= 5


def test_missing_index_says_what_to_run(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest
    import streamlit as st

    monkeypatch.setenv("TENKAN_HOME", str(tmp_path / "empty"))
    monkeypatch.delenv("TENKAN_CONFIG", raising=False)
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.chat_input[0].set_value("発作とは？").run()
    assert not at.exception
    assert any("tenkan index" in w.value for w in at.warning), [w.value for w in at.warning]
    st.cache_resource.clear()


def test_pages_use_no_deprecated_streamlit_parameters(app):
    """Streamlit logs every deprecated parameter it is given (use_container_width gave one
    per table); the pages with tables must log none."""
    import logging

    from streamlit import deprecation_util

    seen: list[str] = []

    class Catch(logging.Handler):
        def emit(self, record):
            seen.append(record.getMessage())

    handler = Catch(level=logging.WARNING)
    deprecation_util._LOGGER.addHandler(handler)
    try:
        for name in ("corpus_page", "evaluator_page"):
            at = _page(name).run()
            assert not at.exception
            assert at.dataframe, name
    finally:
        deprecation_util._LOGGER.removeHandler(handler)
    assert not seen, seen


def test_a_pdf_citation_shows_its_page_and_links_to_it():
    from streamlit.testing.v1 import AppTest

    def page():
        from tenkan.face.ui.render import render_answer

        render_answer({
            "answer": "器具を口の中からすぐに取り出します[1]。発作の時刻を確かめます[2]。", "mode": "extractive",
            "grounding": "extractive", "safety": {},
            "citations": [
                {"n": 1, "url": "http://127.0.0.1:8765/guidelines/dental-care.pdf#page=2", "page": 2,
                 "title": "てんかんのある方の歯科診療の手引き（デモ版）", "chunk_id": "d-x#3", "quote": "器具を口の中からすぐに取り出す。"},
                {"n": 2, "url": "http://127.0.0.1:8765/life/first-aid.html", "page": None,
                 "title": "発作が起きたときの応急手当", "chunk_id": "d-y#1", "quote": "時刻を確かめます。"}]},
            key="pdf", show_rating=False)

    at = AppTest.from_function(page).run()
    assert not at.exception
    labels = [e.label.replace("\\", "") for e in at.expander]
    assert labels[0] == "[1] てんかんのある方の歯科診療の手引き（デモ版） 「p.2」"
    assert "p." not in labels[1]
    text = _all_text(at).replace("\\", "")
    assert "[PDFの2ページを開く](http://127.0.0.1:8765/guidelines/dental-care.pdf#page=2)" in text

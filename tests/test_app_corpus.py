"""The corpus page reads the corpus and the index through their owners (ingest, index) and says
what is wrong with a damaged artifact instead of failing."""

from __future__ import annotations

from pathlib import Path

import pytest

DOCS = [{"doc_id": "d-aid", "title": "応急手当", "text": "# 応急手当\n発作が起きたら周りの危険な物をどけます。"
         "口に物を入れてはいけません。発作が5分以上続くときは救急車を呼びます。"}]


@pytest.fixture
def built(workspace, hash_index_config, write_corpus):
    from index import build

    write_corpus(workspace, DOCS)
    return build(hash_index_config, workspace, progress=False)


def test_summary_of_a_workspace_with_corpus_and_index(workspace, built):
    from tenkan.face.ui.corpus import corpus_summary

    info = corpus_summary(workspace)
    assert info["documents"] == 1 and info["sites"] == {"test": 1} and info["pages"][0]["タイトル"] == "応急手当"
    assert info["corpus_error"] is None and info["index_error"] is None
    m = info["index_manifest"]
    assert (m.embedder_name, m.chunks, info["generation"]) == ("hash:256", built.chunks, Path(built.path).name)


def test_damaged_corpus_and_index_are_reported_not_raised(workspace, built):
    from tenkan.face.ui.corpus import corpus_summary

    with open(workspace.corpus_dir() / "documents.jsonl", "a", encoding="utf-8") as fh:
        fh.write("{cut off\n")
    (Path(built.path) / "faiss.index").unlink()
    info = corpus_summary(workspace)
    assert "line 2 is not valid JSON" in info["corpus_error"] and "tenkan crawl" in info["corpus_error"]
    assert "faiss.index is missing" in info["index_error"] and "tenkan index --full" in info["index_error"]
    assert info["index_manifest"] is None and info["documents"] == 0


def test_corpus_page_shows_the_damage_with_what_to_run(workspace, built, monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    (Path(built.path) / "manifest.json").write_text("{not json", encoding="utf-8")
    monkeypatch.setenv("TENKAN_HOME", str(workspace.root))
    st.cache_resource.clear()
    try:
        at = AppTest.from_string("from tenkan.face.ui import pages\npages.corpus_page()", default_timeout=60).run()
    finally:
        st.cache_resource.clear()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("インデックスを読み込めません" in e and "tenkan index --full" in e for e in errors), errors
    assert {m.label: m.value for m in at.metric}["ページ数"] == "1"

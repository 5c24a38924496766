"""Crawl of the bundled demo site served on 127.0.0.1 (issue 2's crawl, issue 3's basics)."""

from __future__ import annotations

import json
import sqlite3

import pytest

CANON = "http://127.0.0.1:8765"
BOILERPLATE = ["Cookieを使用しています", "【PR】", "サイト内検索", "同意して閉じる", "無断転載を禁じます", "関連ページ"]
# the template's banner / advert sentences: absent everywhere, the about page included
TEMPLATE_SENTENCES = ["当サイトでは利便性向上のためCookieを使用しています", "話題のサプリメントが今だけ初回50%オフ",
                      "© 2026 てんかん情報ひろば"]


@pytest.fixture(scope="module")
def docs(demo_corpus):
    return {d["url"]: d for d in demo_corpus.documents}


def test_documents_have_the_contract_shape_and_canonical_urls(docs):
    assert len(docs) >= 30
    keys = {"doc_id", "version", "url", "canonical_url", "site", "title", "date", "language", "attribution",
            "text", "content_hash", "fetched_at", "flags"}
    for url, d in docs.items():
        assert set(d) >= keys, url
        assert url.startswith(CANON + "/"), "documents must carry the configured URLs, not the test port"
        assert d["site"] == "demo" and d["language"] == "ja" and d["version"] >= 1
        assert d["doc_id"].startswith("d-") and len(d["doc_id"]) == 14
        assert "<" not in d["text"] or "<script" not in d["text"].lower()
        assert "デモ用に作成した架空サイト" in d["attribution"]
    eeg = docs[f"{CANON}/basics/eeg.html"]
    assert eeg["title"] == "脳波検査（EEG）"
    assert eeg["date"] == "2026-10-01"
    assert eeg["canonical_url"] == f"{CANON}/basics/eeg.html"


def test_robots_disallowed_section_is_not_crawled(docs, demo_corpus):
    assert not [u for u in docs if "/staff/" in u]
    reasons = [r for r in demo_corpus.summary.reasons if "/staff/" in r["url"]]
    assert reasons and reasons[0]["reason"] == "disallowed by robots.txt"


@pytest.mark.parametrize("path,phrase", [
    ("/life/bathing.html", "入浴"),                 # Shift_JIS
    ("/medicines/interactions.html", "飲み合わせ"),  # EUC-JP
    ("/life/driving.html", "運転免許"),              # CP932 declared as Shift_JIS, with ①
    ("/basics/causes.html", "原因"),                # Shift_JIS
])
def test_japanese_encodings_decode(docs, path, phrase):
    text = docs[CANON + path]["text"]
    assert phrase in text
    assert "\ufffd" not in text and "縺" not in text


def test_cp932_circled_numbers_survive(docs):
    # ① in the CP932 page decodes (a strict Shift_JIS codec fails on it) and is
    # normalised to "(1)" like every other circled number
    text = docs[CANON + "/life/driving.html"]["text"]
    assert "(1)発作が過去2年以内" in text


def test_boilerplate_removed_structure_kept(docs):
    for url, d in docs.items():
        for junk in TEMPLATE_SENTENCES:
            assert junk not in d["text"], (url, junk)
        if url.endswith("/about.html"):  # the about page explains the cookie banner and site search
            continue
        for junk in BOILERPLATE:
            assert junk not in d["text"], (url, junk)
        assert "window.dataLayer" not in d["text"]
    text = docs[CANON + "/basics/eeg.html"]["text"]
    lines = text.split("\n")
    assert lines[0] == "# 脳波検査（EEG）"
    assert "## 検査の流れと所要時間" in lines
    assert any(l.startswith("- 前日に髪をよく洗い") for l in lines)


def test_crawl_state_and_manifest(demo_corpus):
    corpus = demo_corpus.workspace.corpus_dir()
    manifest = json.loads((corpus / "manifest.json").read_text())
    assert manifest["producer"] == "ingest.crawl"
    assert manifest["documents"] == len(demo_corpus.documents)
    db = sqlite3.connect(corpus / "crawl.sqlite")
    cols = {r[1] for r in db.execute("PRAGMA table_info(pages)")}
    assert {"url", "status", "etag", "last_modified", "content_hash", "first_seen", "last_seen",
            "last_changed", "fail_count", "last_error"} <= cols
    row = db.execute("SELECT status, etag, last_modified FROM pages WHERE url = ?",
                     (CANON + "/basics/eeg.html",)).fetchone()
    assert row[0] == 200 and row[1] and row[2]
    broken = db.execute("SELECT status FROM pages WHERE state = 'not_found'").fetchall()
    assert broken, "the demo site's broken link is recorded"


def test_corpus_manifest_and_run_summary_read_through_ingest(demo_corpus):
    from ingest import last_run_summary, read_corpus_manifest
    from ingest.corpus import documents_file
    from tenkan.manifest import sha256_file

    ws, summary = demo_corpus.workspace, demo_corpus.summary
    m = read_corpus_manifest(ws)
    assert m.producer == "ingest.crawl" and m.kind == "crawl" and m.run_id == summary.run_id
    assert m.documents == len(demo_corpus.documents) == summary.documents and m.created
    assert m.inputs["documents"]["sha256"] == sha256_file(documents_file(ws))
    assert m.raw == json.loads((ws.corpus_dir() / "manifest.json").read_text(encoding="utf-8"))
    last = last_run_summary(ws)
    assert last == json.loads(json.dumps(summary.to_dict())) and last["finished"] == summary.finished


def test_load_documents_without_corpus_says_what_to_run(workspace):
    from ingest import load_documents
    from tenkan.errors import CorpusError

    with pytest.raises(CorpusError) as ei:
        load_documents(workspace)
    assert ei.value.hint == "tenkan crawl"

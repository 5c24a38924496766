"""`tenkan ask --json` end to end on the demo corpus index."""

from __future__ import annotations

import json

from tenkan.face.cli.main import main


def test_ask_json_cites_the_page_that_answers(demo_index, capsys):
    rc = main(["--home", str(demo_index.workspace.root), "ask", "--json", "発作が5分以上続いたら救急車を呼ぶべきですか？"])
    assert rc == 0
    d = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert {"question", "answer", "mode", "citations", "grounded", "safety"} <= set(d)
    assert set(d["safety"]) >= {"emergency", "out_of_scope"}
    assert d["mode"] == "extractive" and d["grounded"] is True and d["safety"]["emergency"] is True
    urls = [c["url"] for c in d["citations"]]
    assert any(u.endswith(("/life/when-to-call-119.html", "/basics/status-epilepticus.html", "/life/first-aid.html"))
               for u in urls), urls
    for c in d["citations"]:
        assert set(c) >= {"n", "url", "title", "chunk_id", "quote"} and c["quote"]


def test_ask_json_follow_up_and_driving(demo_index, capsys):
    rc = main(["--home", str(demo_index.workspace.root), "ask", "--json", "てんかんがあっても車の運転免許は取れますか？"])
    assert rc == 0
    d = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert any(c["url"].endswith("/life/driving.html") for c in d["citations"]), d["citations"]


def test_ask_without_index_says_what_to_run(tmp_path, capsys):
    rc = main(["--home", str(tmp_path / "empty"), "ask", "発作とは？"])
    assert rc == 1
    assert "tenkan index" in capsys.readouterr().err


def test_ask_answers_a_pdf_only_question_citing_the_pdf_page(demo_index, capsys):
    """The dental-care guideline (a PDF of the demo site) is the only source on dentures; its page 4 says it."""
    q = "発作が多い家族が入れ歯を作ることになりました。気をつけることはありますか？"
    rc = main(["--home", str(demo_index.workspace.root), "ask", "--json", q])
    assert rc == 0
    d = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    pdf = [c for c in d["citations"] if "/guidelines/dental-care.pdf" in c["url"]]
    assert pdf, d["citations"]
    assert pdf[0]["url"] == "http://127.0.0.1:8765/guidelines/dental-care.pdf#page=4" and pdf[0]["page"] == 4
    assert "入れ歯" in pdf[0]["quote"]
    assert all(c["page"] is None for c in d["citations"] if ".html" in c["url"])
    rc = main(["--home", str(demo_index.workspace.root), "ask", q])
    out = capsys.readouterr().out
    assert rc == 0 and "「p.4」 http://127.0.0.1:8765/guidelines/dental-care.pdf#page=4" in out

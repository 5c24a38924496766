"""PDF documents: the layout → text step, extraction of real (generated) PDFs, the demo site's
PDFs in the crawl, and incremental crawling of PDFs (conditional GET, versions, tombstones,
near-duplicates, pdf = false) against a real server on 127.0.0.1."""

from __future__ import annotations

import pytest

from tests.fixtures.ingest import page, send
from tests.fixtures.pdfs import HEADER, encrypted, make_pdf

CANON = "http://127.0.0.1:8765"

P1 = ("てんかんの発作が起きたときは、まず落ち着いて周りの危険な物を遠ざけ、発作が始まった時刻を確かめてください。"
      "けいれんが5分以上続くときは、ためらわずに119番に電話して救急車を呼びましょう。")
P2 = ("お薬は毎日決まった時間に飲み続けることが大切です。飲み忘れたときにどうするかは、前もって主治医に確かめておきましょう。"
      "自分の判断でお薬をやめると、強い発作が起きるおそれがあります。")
P3 = "入浴はできるだけ家族がいるときにして、湯船に長くつからず、シャワーで済ませると安心です。"


def _line(text, y, *, size=10.5, x0=50.0, width=None, box=1, font="HeiseiMin-W3", vertical=False):
    x1 = x0 + (width if width is not None else size * len(text))
    return {"text": text, "size": size, "font": font, "bbox": [x0, y, x1, y + size], "box": box, "vertical": vertical}


def _result(pages, title=""):
    return {"ok": True, "meta": {"title": title, "created": "", "modified": "D:20260915120000+09'00'"},
            "page_count": len(pages),
            "pages": [{"n": i, "width": 595.0, "height": 842.0, "images": 0, "lines": ls} for i, ls in enumerate(pages, 1)]}


def test_layout_drops_running_headers_footers_and_page_numbers_and_joins_broken_sentences():
    from ingest.pdf import layout_to_text

    def furniture(n):
        return [_line("みなと病院 てんかん外来 患者さん向け資料", 812, size=8, box=90),
                _line(f"- {n} -", 28, size=9, box=91), _line("みなと病院（架空）", 28, size=8, box=92)]

    page1 = furniture(1) + [
        _line("発作が起きたときの対応", 760, size=16, font="HeiseiKakuGo-W5", box=2),
        _line(P1[:38], 720, box=3), _line(P1[38:76], 704, box=3), _line(P1[76:], 688, box=3, width=200),
        _line("服薬について", 640, size=13, font="HeiseiKakuGo-W5", box=4),
        _line("・" + P2[:37], 610, box=5), _line(P2[37:], 594, box=5, x0=60.5, width=360),
        _line(P3[:38], 560, box=6),  # broken off at the bottom of page 1 ...
    ]
    page2 = furniture(2) + [_line(P3[38:], 760, box=1, width=200),  # ... and finished at the top of page 2
                            _line("連絡先", 700, box=2, width=30)]
    doc = layout_to_text(_result([page1, page2], title="Microsoft Word - 資料1.docx"))
    lines = doc.text.split("\n")
    assert lines[0] == "# 発作が起きたときの対応"
    assert P1 in lines  # three wrapped lines joined into one sentence line
    assert "## 服薬について" in lines
    assert "- " + P2 in lines  # a bullet item keeps its wrapped continuation
    assert P3 in lines, "a sentence broken across the page break is joined onto the page it starts on"
    assert "連絡先" in lines
    for junk in ("みなと病院", "- 1 -", "- 2 -"):
        assert junk not in doc.text
    # pages: offsets into text; the joined sentence belongs to page 1
    assert [p["n"] for p in doc.pages] == [1, 2]
    assert doc.text[doc.pages[1]["start"]:].startswith("連絡先")
    # a file name as metadata title is not a title: the first heading is
    assert doc.title == "発作が起きたときの対応" and doc.date == "2026-09-15"


def test_vertical_writing_and_columns_are_read_in_reading_order():
    from ingest.pdf import PdfLimits, extract_pdf

    # page 1 in two columns (the right one drawn first), page 2 a heading above text in vertical writing
    data = make_pdf([[("h1", "二段組みの資料"), ("cols", P1 + "||" + P3)], [("h2", "縦書きのコラム"), ("v", P2)]],
                    title="読み順の確認", mod_date="2026-09-15")
    ex = extract_pdf(data, f"{CANON}/x.pdf", PdfLimits())
    assert ex.title == "読み順の確認" and ex.date == "2026-09-15" and ex.language == "ja"
    assert ex.media_type == "application/pdf" and ex.page_count == 2
    lines = ex.text.split("\n")
    assert lines[0] == "# 二段組みの資料" and P1 in lines and P3 in lines
    assert lines.index(P1) < lines.index(P3), "the left column is read before the right one"
    assert "## 縦書きのコラム" in lines and P2 in lines, ex.text
    assert lines.index("## 縦書きのコラム") < lines.index(P2), "the heading above vertical columns comes first"
    assert HEADER not in ex.text and "- 1 -" not in ex.text
    p2 = next(p for p in ex.pages if p["n"] == 2)
    assert ex.text[p2["start"]:].startswith("## 縦書きのコラム")


def test_pages_past_pdf_max_pages_are_left_out_with_a_note():
    from ingest.pdf import PdfLimits, extract_pdf

    data = make_pdf([[("h1", "一枚目"), ("p", P1)], [("p", P2)], [("p", P3 * 2)]])
    ex = extract_pdf(data, f"{CANON}/long.pdf", PdfLimits(max_pages=2))
    assert [p["n"] for p in ex.pages] == [1, 2] and ex.page_count == 3 and P3 not in ex.text
    assert ex.notes == ["only the first 2 of 3 pages were read (pdf_max_pages)"]


def test_decompression_bombs_stop_at_the_memory_limit_or_the_time_limit():
    import time

    from ingest.pdf import PdfLimits, PdfSkipped, extract_pdf
    from tests.fixtures.pdfs import objstm_bomb_pdf

    with pytest.raises(PdfSkipped) as e:  # one object stream inflating to 400 MiB, 128 MB allowed
        extract_pdf(objstm_bomb_pdf(400), f"{CANON}/bomb.pdf", PdfLimits(memory_mb=128, timeout_s=120))
    assert e.value.kind == "limit" and "pdf_max_memory_mb 128" in e.value.reason
    t0 = time.monotonic()
    with pytest.raises(PdfSkipped) as e:  # 200 streams of 4 MiB each: small, but slow to parse
        extract_pdf(objstm_bomb_pdf(4, streams=200), f"{CANON}/bombs.pdf", PdfLimits(memory_mb=1024, timeout_s=2))
    assert e.value.kind == "limit" and "pdf_timeout_s 2" in e.value.reason
    assert time.monotonic() - t0 < 10, "the child process is stopped at the time limit"


def test_an_encrypted_pdf_that_opens_without_a_password_is_read():
    """Only a password (or forbidden copying) stops a PDF: permission-only encryption is common."""
    import io

    from reportlab.pdfgen import canvas

    from ingest.pdf import PdfLimits, extract_pdf

    buf = io.BytesIO()
    c = canvas.Canvas(buf, encrypt=encrypted("", can_copy=True), invariant=1)
    c.setFont("Helvetica", 11)
    for i, line in enumerate(["Seizure first aid: stay calm, note the time, move hard objects away.",
                              "Call an ambulance when a seizure lasts five minutes or longer.",
                              "Never put anything in the mouth of a person having a seizure."]):
        c.drawString(60, 760 - 16 * i, line)
    c.showPage()
    c.save()
    ex = extract_pdf(buf.getvalue(), f"{CANON}/en.pdf", PdfLimits())
    assert "five minutes or longer" in ex.text


def test_demo_pdfs_are_documents_with_pages(demo_corpus):
    docs = {d["url"]: d for d in demo_corpus.documents}
    dental = docs[f"{CANON}/guidelines/dental-care.pdf"]
    leaflet = docs[f"{CANON}/leaflets/disaster-preparedness.pdf"]
    for d in (dental, leaflet):
        assert d["media_type"] == "application/pdf" and d["language"] == "ja" and d["date"] == "2026-10-01"
        assert "デモ用に作成した一般的な情報" in d["text"] and "てんかん情報ひろば（デモサイト）　資料" not in d["text"]
        assert "- 1 -" not in d["text"]
    assert dental["title"] == "てんかんのある方の歯科診療の手引き（デモ版）"
    assert [p["n"] for p in dental["pages"]] == [1, 2, 3, 4]
    lines = dental["text"].split("\n")
    assert "## 3. 診療中に発作が起きたとき" in lines and "### 3.1 まず行うこと" in lines
    page3 = dental["text"][dental["pages"][2]["start"]:dental["pages"][3]["start"]]
    assert page3.startswith("## 4. お薬と口の健康") and "歯肉増殖" in page3
    # the leaflet's third page is in vertical writing
    assert [p["n"] for p in leaflet["pages"]] == [1, 2, 3]
    page3 = leaflet["text"][leaflet["pages"][2]["start"]:]
    assert page3.startswith("## コラム 停電と暑さ・寒さへの備え") and "水分と塩分をこまめにとり" in page3
    assert "- 抗てんかん発作薬は、ふだん飲む分とは別に、少なくとも7日分を非常用の持ち出し袋に入れておきましょう。" in leaflet["text"]
    # HTML documents say so, and have no pages
    eeg = docs[f"{CANON}/basics/eeg.html"]
    assert eeg["media_type"] == "text/html" and eeg["pages"] is None
    s = demo_corpus.summary.to_dict()
    assert s["pdf_documents"] == 3 and s["pdf_pages"] == 9 and s["needs_ocr"] == 0


def test_demo_print_pdf_is_a_duplicate_of_its_html_page(demo_corpus):
    docs = {d["url"] for d in demo_corpus.documents}
    assert f"{CANON}/life/when-to-call-119.html" in docs
    assert f"{CANON}/print/when-to-call-119.pdf" not in docs
    dup = [r for r in demo_corpus.summary.reasons if r["kind"] == "duplicate" and r["url"].endswith(".pdf")]
    assert dup and dup[0]["reason"] == f"duplicate of {CANON}/life/when-to-call-119.html"


# -- incremental crawling of PDFs against a real server --------------------------------------------------------
def _serve_pdf(h, data: bytes, etag: str):
    if h.headers.get("If-None-Match") == etag:
        h.send_response(304)
        h.send_header("ETag", etag)
        h.send_header("Content-Length", "0")
        h.end_headers()
        return
    send(h, 200, data, "application/pdf", headers={"ETag": etag})


def _crawl(tmp_path, server, **site_keys):
    """``tenkan refresh`` of the one site ``server`` serves (tombstone_after 2; no index)."""
    import json

    from tenkan.face.refresh import refresh
    from tenkan.face.config import load_config
    from tenkan.paths import Workspace
    from tests.fixtures.ingest import site_toml

    sites_file = site_toml(tmp_path, server.base_url, **site_keys)
    cfg = load_config(None, [f"ingest.sites_file={json.dumps(sites_file)}", 'ingest.sites=["hostile"]',
                             "ingest.timeout_s=5", "ingest.update_index=false", "ingest.tombstone_after=2"])
    ws = Workspace(tmp_path / "home")
    return refresh(cfg, ws), ws


def test_pdf_conditional_get_new_version_and_tombstone(tmp_path, hostile_site):
    from ingest import load_documents

    s = hostile_site
    r = s.routes
    v1 = make_pdf([[("h1", "発作の記録のつけ方"), ("p", P1)], [("h2", "お薬"), ("p", P2)]])
    v2 = make_pdf([[("h1", "発作の記録のつけ方"), ("p", P1)], [("h2", "お薬"), ("p", P2)], [("h2", "入浴"), ("p", P3)]])
    state = {"data": v1, "etag": '"v1"'}
    r["/robots.txt"] = lambda h: send(h, 404, b"")
    r["/"] = lambda h: send(h, 200, page("トップ", f"<p>{P3}{P1}</p><p>{P2}</p>" + '<a href="/doc.pdf">資料</a>'))
    r["/doc.pdf"] = lambda h: _serve_pdf(h, state["data"], state["etag"])
    first, ws = _crawl(tmp_path, s)
    assert first.to_dict()["new"] == 2 and first.to_dict()["pdf_pages"] == 2
    doc = next(d for d in load_documents(ws) if d["url"].endswith("/doc.pdf"))
    assert doc["version"] == 1 and [p["n"] for p in doc["pages"]] == [1, 2]

    again, _ = _crawl(tmp_path, s)  # 304: nothing read
    d = again.to_dict()
    assert d["unchanged"] == 2 and d["changed"] == 0 and d["pdf_documents"] == 0
    assert s.hits["/doc.pdf"] == 2

    state.update(data=v2, etag='"v2"')  # a page added: a new version with three pages
    third, _ = _crawl(tmp_path, s)
    assert third.to_dict()["changed"] == 1
    doc = next(d for d in load_documents(ws) if d["url"].endswith("/doc.pdf"))
    assert doc["version"] == 2 and [p["n"] for p in doc["pages"]] == [1, 2, 3] and P3 in doc["text"]

    r["/doc.pdf"] = lambda h: send(h, 404, b"gone")  # gone twice: tombstoned
    _crawl(tmp_path, s)
    fifth, _ = _crawl(tmp_path, s)
    assert fifth.to_dict()["removed"] == 1
    assert not [d for d in load_documents(ws) if d["url"].endswith("/doc.pdf")]


def test_pdf_and_html_saying_the_same_are_near_duplicates_canonical_wins(tmp_path, hostile_site):
    from ingest import load_documents

    s = hostile_site
    r = s.routes
    paras = [P1, P2, P3, P1[::-1][:60] + "。"]
    html_body = "".join(f"<p>{p}</p>" for p in paras)
    # the printable copy: two pages, each with the running header and footer
    pdf = make_pdf([[("h1", "発作と服薬の手引き")] + [("p", p) for p in paras[:2]], [("p", p) for p in paras[2:]]])
    r["/robots.txt"] = lambda h: send(h, 404, b"")
    r["/"] = lambda h: send(h, 200, page("トップ", "<p>" + "目次のページです。" * 12 + "</p>"
                                         '<a href="/guide.html">a</a><a href="/guide.pdf">b</a>'))
    r["/guide.html"] = lambda h: send(h, 200, page("発作と服薬の手引き", html_body,
                                                   extra_head='<link rel="canonical" href="/guide.html">'))
    r["/guide.pdf"] = lambda h: send(h, 200, pdf, "application/pdf")
    summary, ws = _crawl(tmp_path, s)
    urls = {d["url"].rsplit("/", 1)[-1] for d in load_documents(ws)}
    assert "guide.html" in urls and "guide.pdf" not in urls
    assert summary.to_dict()["duplicates"] == 1
    assert [x for x in summary.reasons if x["kind"] == "duplicate" and x["url"].endswith("/guide.pdf")]

    # a PDF that names itself canonical (HTTP Link header) wins over a page that declares nothing
    r["/guide.html"] = lambda h: send(h, 200, page("発作と服薬の手引き", html_body))
    r["/guide.pdf"] = lambda h: send(h, 200, pdf, "application/pdf",
                                     headers={"Link": f'<{s.base_url}/guide.pdf>; rel="canonical"'})
    (tmp_path / "b").mkdir()
    summary, ws = _crawl(tmp_path / "b", s)
    urls = {d["url"].rsplit("/", 1)[-1] for d in load_documents(ws)}
    assert "guide.pdf" in urls and "guide.html" not in urls


def test_pdf_false_leaves_pdfs_alone(tmp_path, hostile_site):
    from ingest import load_documents

    s = hostile_site
    r = s.routes
    r["/robots.txt"] = lambda h: send(h, 200, f"User-agent: *\nSitemap: {s.base_url}/sitemap.xml\n".encode(), "text/plain")
    r["/sitemap.xml"] = lambda h: send(h, 200, (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{s.base_url}/listed.pdf</loc></url></urlset>").encode(), "application/xml")
    r["/"] = lambda h: send(h, 200, page("トップ", f"<p>{P1}</p><p>{P2}</p>" + '<a href="/linked.pdf">資料</a>'))
    r["/linked.pdf"] = r["/listed.pdf"] = lambda h: send(h, 200, make_pdf([[("p", P1)]]), "application/pdf")
    summary, ws = _crawl(tmp_path, s, pdf=False)
    assert summary.ok and [d["url"].rsplit("/", 1)[-1] for d in load_documents(ws)] == [""]
    assert s.hits.get("/linked.pdf", 0) == 0 and s.hits.get("/listed.pdf", 0) == 0
    why = [x for x in summary.reasons if x["url"].endswith("/listed.pdf")]
    assert why and "pdf = false" in why[0]["reason"]


def test_site_pdf_setting_is_validated(tmp_path):
    from ingest.sites import load_sites
    from tenkan.errors import ConfigError

    p = tmp_path / "sites.toml"
    p.write_text('[sites.x]\nstart_urls = ["http://127.0.0.1:1/"]\npdf = "yes"\n', encoding="utf-8")
    with pytest.raises(ConfigError):
        load_sites(p)
    p.write_text('[sites.x]\nstart_urls = ["http://127.0.0.1:1/"]\npdf = false\n', encoding="utf-8")
    assert load_sites(p)["x"].pdf is False

"""Ingest benchmark: extraction throughput over the demo site served locally with
rate limiting off, and the cost of a refresh with nothing changed versus a full
crawl (same run); then PDF pages per second: each PDF read end to end by
``ingest.pdf.extract_pdf`` (its child process started, pdfminer's layout analysis,
the layout → text step), on the demo site's small PDFs and on a 60-page
guideline-sized document (made with reportlab when it is installed; it is in the
test extra). Prints the figures and saves them to bench/results/ingest.json.

    .venv/bin/python -m bench.ingest [--repeat 3]

Run it as a module (``-m``, from the repository root): run as a file, its own directory would
come first on the import path and this file would shadow the ``ingest`` package it measures.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import platform
import re
import statistics
import tempfile
import time
from pathlib import Path

from ingest.demo_server import DemoSiteServer
from ingest.jobs import crawl
from ingest.pdf import PdfLimits, extract_pdf
from tenkan.face.config import load_config
from tenkan.paths import DEMO_SITE_DIR, Workspace


def _big_pdf(pages: int = 60) -> bytes | None:
    """A guideline-sized PDF: ``pages`` A4 pages of Japanese text from the demo site, 38 lines each."""
    try:
        from reportlab.lib.pagesizes import A4
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont
        from reportlab.pdfgen import canvas
    except ImportError:
        return None
    raw = (DEMO_SITE_DIR / "medicines" / "pregnancy.html").read_text(encoding="utf-8")
    text = re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", raw[raw.index("<article>"):raw.index("</article>")]))
    for face in ("HeiseiMin-W3", "HeiseiKakuGo-W5"):
        if face not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(face))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    pos = 0
    for n in range(1, pages + 1):
        c.setFont("HeiseiMin-W3", 8)
        c.drawString(50, A4[1] - 30, "ベンチマーク用の資料")
        c.drawRightString(A4[0] - 50, 28, f"- {n} -")
        c.setFont("HeiseiKakuGo-W5", 14)
        c.drawString(50, A4[1] - 70, f"{n}. 妊娠・出産とお薬（その{n}）")
        c.setFont("HeiseiMin-W3", 10.5)
        for i in range(38):
            line = (text * 2)[pos % len(text):pos % len(text) + 42]
            c.drawString(50, A4[1] - 100 - 17 * i, line)
            pos += 42
        c.showPage()
    c.save()
    return buf.getvalue()


def _pdf_figures(repeat: int) -> dict:
    limits = PdfLimits(timeout_s=300)
    demo = sorted(DEMO_SITE_DIR.glob("*/*.pdf"))
    runs, pages = [], 0
    for _ in range(repeat):
        t = time.perf_counter()
        pages = sum(len(extract_pdf(p.read_bytes(), p.name, limits).pages) for p in demo)
        runs.append(time.perf_counter() - t)
    demo_s = statistics.median(runs)
    out = {"pdf_demo_files": len(demo), "pdf_demo_pages": pages, "pdf_demo_s": round(demo_s, 3),
           "pdf_demo_pages_per_s": round(pages / demo_s, 2)}
    big = _big_pdf()
    if big is None:
        out["pdf_pages_per_s"] = out["pdf_demo_pages_per_s"]
        out["pdf_note"] = "reportlab not installed: pdf_pages_per_s is the demo PDFs' figure"
        return out
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        ex = extract_pdf(big, "big.pdf", limits)
        runs.append(time.perf_counter() - t)
    big_s = statistics.median(runs)
    out.update(pdf_big_pages=len(ex.pages), pdf_big_bytes=len(big), pdf_big_chars=len(ex.text),
               pdf_big_s=round(big_s, 3), pdf_pages_per_s=round(len(ex.pages) / big_s, 2),
               pdf_big_runs_s=[round(x, 3) for x in runs])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent / "results" / "ingest.json"))
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    load = round(os.getloadavg()[0], 2)
    full_s, refresh_s, pages = [], [], 0
    with DemoSiteServer(port=0) as srv:
        cfg = load_config(None, [f'ingest.mirror={{"http://127.0.0.1:8765" = "{srv.base_url}"}}',
                                 "ingest.rate_limits=false"])
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory() as tmp:
                ws = Workspace(Path(tmp))
                t = time.perf_counter()
                first = crawl(cfg, ws)  # empty workspace: every page downloaded and extracted
                full_s.append(time.perf_counter() - t)
                pages = first.to_dict()["fetched"]
                t = time.perf_counter()
                again = crawl(cfg, ws)  # nothing changed: conditional GET, 304s
                refresh_s.append(time.perf_counter() - t)
                assert again.to_dict()["unchanged"] == pages, again.format()
    full, ref = statistics.median(full_s), statistics.median(refresh_s)
    pdf = _pdf_figures(args.repeat)
    res = {
        "pages": pages,
        "full_crawl_s": round(full, 3),
        "pages_per_s": round(pages / full, 2),
        "refresh_unchanged_s": round(ref, 3),
        "refresh_to_full_ratio": round(ref / full, 3),
        "repeats": args.repeat,
        "full_crawl_runs_s": [round(x, 3) for x in full_s],
        "refresh_runs_s": [round(x, 3) for x in refresh_s],
        "pdf_documents_in_crawl": first.to_dict()["pdf_documents"],
        "pdf_pages_in_crawl": first.to_dict()["pdf_pages"],
        **pdf,
        "concurrency": 4,
        "rate_limits": False,
        "machine": f"{platform.machine()} {os.cpu_count()} cpu, python {platform.python_version()}",
        # other work on the machine slows every figure: the 1-minute load average when the run started
        "load_avg_1m_at_start": load,
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()

"""Which library reads Japanese PDFs better: pdfminer.six or pypdf (the choice is in docs/pdf.md).

Builds test PDFs with reportlab (Japanese CID fonts, no font file; an embedded TrueType
font too when Debian's fonts-ipaexfont is installed), reads each with both libraries'
plain-text APIs, and checks whether every paragraph comes out whole and in reading
order (whitespace ignored). Then pages per second on a dense 40-page document.
Prints the table and saves it to bench/results/pdf_libraries.json.

    .venv/bin/pip install pypdf     # only for this comparison; tenkan itself uses pdfminer.six
    .venv/bin/python bench/pdf_libraries.py
"""

from __future__ import annotations

import io
import json
import os
import platform
import re
import sys
import time
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

A = ("てんかんの発作が起きたときは、まず落ち着いて周りの危険な物を遠ざけ、発作が始まった時刻を確かめてください。"
     "けいれんが5分以上続くときは、ためらわずに119番に電話して救急車を呼びましょう。")
B = "お薬は毎日決まった時間に飲み続けることが大切です。飲み忘れたときにどうするかは、前もって主治医に確かめておきましょう。"
C = "入浴はできるだけ家族がいるときにして、湯船に長くつからず、シャワーで済ませると安心です。"
IPAEX = Path("/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf")


def _wrap(t: str, n: int) -> list[str]:
    return [t[i:i + n] for i in range(0, len(t), n)]


def _fonts(ttf: bool) -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiMin-W3"))
    v = UnicodeCIDFont("HeiseiMin-W3", isVertical=True)
    v.name = v.fontName = "HeiseiMin-W3-V"
    pdfmetrics.registerFont(v)
    if ttf:
        pdfmetrics.registerFont(TTFont("IPAexM", str(IPAEX)))


def _pdf(draw) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    draw(c, *A4)
    c.showPage()
    c.save()
    return buf.getvalue()


def cases(ttf: bool) -> dict[str, tuple[bytes, list[str]]]:
    """name -> (pdf, paragraphs in reading order)."""

    def lines(font, size=10.5, step=17):
        def draw(c, w, h):
            c.setFont("HeiseiMin-W3", 8)
            c.drawString(50, h - 30, "みなと病院 患者さん向け資料")
            c.drawString(w / 2, 28, "- 1 -")
            y = h - 80
            for para in (A, B, C):
                c.setFont(font, size)
                for ln in _wrap(para, 36):
                    c.drawString(50, y, ln)
                    y -= step
                y -= 8
        return draw

    def columns(c, w, h):  # two columns, the right one drawn first
        c.setFont("HeiseiMin-W3", 10)
        for x, para in ((w / 2 + 10, C), (50, A)):
            y = h - 80
            for ln in _wrap(para, 20):
                c.drawString(x, y, ln)
                y -= 16

    def vertical(c, w, h):  # vertical writing (UniJIS-UCS2-V), columns drawn left to right
        c.setFont("HeiseiMin-W3-V", 12)
        cols = _wrap(B, 16)
        for i in reversed(range(len(cols))):
            c.drawString(w - 60 - i * 22, h - 60, cols[i])

    def vertical_glyphs(c, w, h):  # vertical emulated with a horizontal font, one glyph per position
        c.setFont("HeiseiMin-W3", 12)
        for i, col in enumerate(_wrap(B, 16)):
            for k, ch in enumerate(col):
                c.drawString(w - 60 - i * 22, h - 60 - k * 14, ch)

    def spaced(c, w, h):  # letter-spaced (justified) horizontal text, one glyph per position
        c.setFont("HeiseiMin-W3", 10.5)
        y = h - 80
        for ln in _wrap(A, 30):
            for k, ch in enumerate(ln):
                c.drawString(50 + k * 15.5, y, ch)
            y -= 17

    out = {
        "horizontal, CID font": (_pdf(lines("HeiseiMin-W3")), [A, B, C]),
        "two columns, right drawn first": (_pdf(columns), [A, C]),
        "vertical writing (UniJIS-UCS2-V)": (_pdf(vertical), [B]),
        "vertical, one glyph at a time": (_pdf(vertical_glyphs), [B]),
        "letter-spaced horizontal": (_pdf(spaced), [A]),
    }
    if ttf:
        out["horizontal, embedded TrueType (IPAex)"] = (_pdf(lines("IPAexM")), [A, B, C])
    return out


def read_pdfminer(data: bytes) -> list[str]:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTTextContainer

    params = LAParams(detect_vertical=True, line_margin=1.0)
    return ["".join(el.get_text() for el in page if isinstance(el, LTTextContainer))
            for page in extract_pages(io.BytesIO(data), laparams=params)]


def read_pypdf(data: bytes, mode: str = "plain") -> list[str]:
    import pypdf

    return [p.extract_text(extraction_mode=mode) for p in pypdf.PdfReader(io.BytesIO(data)).pages]


def score(pages: list[str], paras: list[str]) -> dict:
    """Paragraphs found whole (whitespace ignored), in reading order, and lines kept as lines (the first
    12 characters of every paragraph on one output line, not one character per line)."""
    text = re.sub(r"\s+", "", "".join(pages))
    found = [text.find(p) for p in paras]
    whole = sum(f >= 0 for f in found)
    ordered = whole == len(paras) and found == sorted(found)
    lines = [re.sub(r"[ \t\u3000]+", "", ln) for pg in pages for ln in pg.splitlines()]
    kept = all(any(p[:12] in ln for ln in lines) for p in paras)
    return {"paragraphs_whole": f"{whole}/{len(paras)}", "in_order": ordered, "lines_kept": kept}


def dense_pdf(pages: int = 40) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    text = (A + B + C) * 40
    pos = 0
    for _ in range(pages):
        c.setFont("HeiseiMin-W3", 10.5)
        for i in range(45):
            c.drawString(50, A4[1] - 60 - 16 * i, text[pos % len(text):pos % len(text) + 40])
            pos += 40
        c.showPage()
    c.save()
    return buf.getvalue()


def main() -> None:
    import importlib.metadata as md

    try:
        import pypdf  # noqa: F401
    except ImportError:
        sys.exit("pypdf is not installed (it is not a tenkan dependency): .venv/bin/pip install pypdf")
    ttf = IPAEX.is_file()
    _fonts(ttf)
    readers = {"pdfminer.six": read_pdfminer, "pypdf": read_pypdf,
               "pypdf (layout mode)": lambda d: read_pypdf(d, "layout")}
    table = {}
    for name, (data, paras) in cases(ttf).items():
        table[name] = {r: score(fn(data), paras) for r, fn in readers.items()}
    dense = dense_pdf()
    speed = {}
    for r, fn in readers.items():
        t = time.perf_counter()
        n = len(fn(dense))
        speed[r] = round(n / (time.perf_counter() - t), 1)
    res = {
        "cases": table, "pages_per_s_dense_40_pages": speed,
        "versions": {"pdfminer.six": md.version("pdfminer.six"), "pypdf": md.version("pypdf"),
                     "reportlab": md.version("reportlab")},
        "truetype_case": ttf,
        "machine": f"{platform.machine()} {os.cpu_count()} cpu, python {platform.python_version()}",
        "load_avg_1m_at_start": round(os.getloadavg()[0], 2),
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    out = Path(__file__).resolve().parent / "results" / "pdf_libraries.json"
    out.write_text(json.dumps(res, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    for name, row in table.items():
        print(f"{name:<40} " + "  ".join(
            f"{r}: {v['paragraphs_whole']} {'in order' if v['in_order'] else 'OUT OF ORDER'}"
            f"{'' if v['lines_kept'] else ', lines broken'}" for r, v in row.items()))
    print("pages/s (dense, 40 pages):", speed)


if __name__ == "__main__":
    main()

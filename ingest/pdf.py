"""PDF documents: checks, bounded extraction, and the layout → corpus text step.

A crawled PDF is untrusted input. :func:`extract_pdf` checks the ``%PDF-``
header and the ``%%EOF`` trailer, then reads it with pdfminer.six in a child
process (:mod:`ingest.pdf_worker`) that limits its own memory and CPU time and is
killed after ``ingest.pdf_timeout_s``: a decompression bomb, a parser loop or a
crash ends that process, never the crawl. Whatever goes wrong comes back as
:class:`PdfSkipped` with a reason (``kind`` says which: encrypted, needs_ocr,
truncated, damaged, limit, empty).

:func:`layout_to_text` turns the lines pdfminer found (reading order, font size,
position) into the corpus ``text`` format of the HTML path: running headers,
footers and page numbers repeated across pages are dropped, lines broken inside
a sentence are joined (also across a page break), larger or bold short lines
become ``#``/``##``/``###`` headings, bullets become ``- `` items. The document
keeps its page boundaries as ``pages = [{"n": page number, "start": offset of
the page's first character in text}]`` so chunks, and so citations, know their
page. Why pdfminer.six and not pypdf: docs/pdf.md.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import subprocess
import sys
import threading
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ingest.config import IngestConfig
from ingest.extract import Extracted, find_injection, strip_markup
from tenkan import jatext

__all__ = ["PdfSkipped", "PdfLimits", "extract_pdf", "layout_to_text", "is_pdf", "PDF_TYPES", "looks_like_html"]

log = logging.getLogger(__name__)

#: Content types a PDF is served with (``application/octet-stream`` too when the body starts with ``%PDF-``).
PDF_TYPES = ("application/pdf", "application/x-pdf", "application/acrobat", "applications/vnd.pdf")
GENERIC_TYPES = ("application/octet-stream", "binary/octet-stream", "application/download", "application/force-download")

_WORKER = Path(__file__).resolve().with_name("pdf_worker.py")
#: at most this many PDFs are read at once (each in its own process, each with its own memory limit)
_SLOTS = threading.BoundedSemaphore(max(1, min(2, os.cpu_count() or 1)))


class PdfSkipped(Exception):
    """A PDF that is not stored; ``kind`` is one of encrypted, needs_ocr, truncated, damaged, limit, empty."""

    def __init__(self, kind: str, reason: str):
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


@dataclass
class PdfLimits:
    max_pages: int = 300
    timeout_s: float = 60.0
    memory_mb: int = 1024
    min_text_chars: int = 80

    @classmethod
    def from_config(cls, icfg: IngestConfig) -> PdfLimits:
        return cls(max_pages=icfg.pdf_max_pages, timeout_s=icfg.pdf_timeout_s, memory_mb=icfg.pdf_max_memory_mb,
                   min_text_chars=icfg.min_text_chars)


def is_pdf(body: bytes) -> bool:
    """Does ``body`` start like a PDF (``%PDF-`` within the first 1024 bytes, as readers accept)?"""
    return b"%PDF-" in body[:1024]


def looks_like_html(body: bytes) -> bool:
    head = body[:2048].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<?xml")) or b"<html" in head


# -- the child process ---------------------------------------------------------------------------------------------
def read_layout(data: bytes, limits: PdfLimits) -> dict:
    """Run the worker on ``data``; return its result (``ok`` True) or raise :class:`PdfSkipped`."""
    cmd = [sys.executable, "-I", str(_WORKER), "--max-pages", str(limits.max_pages),
           "--memory-mb", str(limits.memory_mb), "--cpu-s", str(max(1, math.ceil(limits.timeout_s)))]
    with _SLOTS:
        try:
            proc = subprocess.run(cmd, input=data, capture_output=True, timeout=limits.timeout_s, check=False)
        except subprocess.TimeoutExpired:
            raise PdfSkipped("limit", f"reading it took longer than pdf_timeout_s {limits.timeout_s:g} s "
                                      "(stopped; a decompression bomb or a very large document)") from None
    if proc.returncode != 0 or not proc.stdout:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        if proc.returncode in (-9, -24, 137, 152):  # SIGKILL / SIGXCPU: the CPU limit
            raise PdfSkipped("limit", f"reading it used more than pdf_timeout_s {math.ceil(limits.timeout_s)} s of CPU "
                                      "(stopped; a decompression bomb or a very large document)")
        if any("MemoryError" in line for line in err):
            raise PdfSkipped("limit", f"reading it needs more than pdf_max_memory_mb {limits.memory_mb} MB")
        raise PdfSkipped("damaged", f"the PDF reader stopped (exit {proc.returncode}): {(err or ['no message'])[-1][:200]}")
    try:
        result = json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        raise PdfSkipped("damaged", f"the PDF reader's answer is unreadable ({exc})") from exc
    if not result.get("ok"):
        raise PdfSkipped(result.get("kind") or "damaged", result.get("reason") or "unreadable PDF")
    return result


# -- layout → text -------------------------------------------------------------------------------------------------
@dataclass
class PdfText:
    text: str
    pages: list[dict]  # [{"n": page number, "start": character offset in text}]
    title: str
    date: str | None
    page_count: int
    pages_read: int
    notes: list[str] = field(default_factory=list)


@dataclass
class _Line:
    text: str
    size: float
    font: str
    bbox: tuple[float, float, float, float]
    box: int
    vertical: bool
    page: int
    kind: str = "body"  # body | heading | item
    level: int = 0
    full: bool = False

    @property
    def extent(self) -> float:
        x0, y0, x1, y1 = self.bbox
        return (y1 - y0) if self.vertical else (x1 - x0)

    @property
    def start_edge(self) -> float:
        return self.bbox[3] if self.vertical else self.bbox[0]


_VERTICAL_FORMS = re.compile(r"[\ufe10-\ufe19\ufe30-\ufe4f]")
_PAGE_NUMBER = re.compile(
    r"^[\s\-‐‑–—―ー~～・(（\[［]*(?:p\.?|page|ページ|頁)?\s*\d{1,4}\s*(?:/\s*\d{1,4}|ページ|頁)?[\s\-‐‑–—―ー~～・)）\]］]*$",
    re.I)
_BULLET = re.compile(r"^[・●○◎■□◆◇▪▫•◦‣]\s*")
_NUMBERED = re.compile(r"^(?:\(\d{1,2}\)|（\d{1,2}）|\d{1,2}[.．)）](?!\d)|[①-⑳]|第\s*\d+\s*[章節条項部]|\d+(?:\.\d+)+\s)")
_SENTENCE_END = re.compile(r"[。！？!?．]['」』）)】〕]*$")
_BOLD = re.compile(r"bold|heavy|black|semibold|gothic|goth|kakugo|sans|w[5-9]\b|-w[5-9]", re.I)
_JUNK_TITLE = re.compile(r"^(?:untitled|無題|microsoft (?:word|powerpoint|excel) - .*|.*\.(?:docx?|xlsx?|pptx?|pdf|jtd|txt|rtf))$",
                         re.I)
_PDF_DATE = re.compile(r"^D?:?(\d{4})(\d{2})?(\d{2})?")
_CID_GARBAGE = re.compile(r"\(cid:\d+\)")


def _clean(text: str) -> str:
    text = _VERTICAL_FORMS.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
    return jatext.normalize(strip_markup(text)).replace("\n", " ")


def _pdf_date(value: str) -> str | None:
    m = _PDF_DATE.match(value or "")
    if not m:
        return None
    y, mo, d = m.group(1), m.group(2) or "01", m.group(3) or "01"
    if not (1990 <= int(y) <= 2100 and 1 <= int(mo) <= 12 and 1 <= int(d) <= 31):
        return None
    return f"{y}-{mo}-{d}"


def _mask(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))


def _drop_furniture(pages: list[dict], lines: list[_Line]) -> list[_Line]:
    """Running headers and footers, and page numbers: lines near the top or bottom edge that repeat on most
    pages (exactly, or with only their numbers changing when they are not larger than the body text)."""
    heights = {p["n"]: p["height"] or 842.0 for p in pages}
    body_size, _ = _body_style(lines)

    def band(ln: _Line) -> str | None:
        h = heights.get(ln.page, 842.0)
        if ln.bbox[1] >= h * 0.92:
            return "top"
        if ln.bbox[3] <= h * 0.08:
            return "bottom"
        return None

    n_pages = len({ln.page for ln in lines})
    def key(ln: _Line, b: str) -> tuple[str, str]:
        small = not body_size or round(ln.size * 2) / 2 <= body_size
        return (b, _mask(ln.text) if small else ln.text)

    seen: dict[tuple[str, str], set[int]] = {}
    for ln in lines:
        b = band(ln)
        if b:
            seen.setdefault(key(ln, b), set()).add(ln.page)
    need = max(2, math.ceil(0.5 * n_pages))
    repeated = {k for k, pgs in seen.items() if len(pgs) >= need}
    out = []
    for ln in lines:
        b = band(ln)
        if b and (key(ln, b) in repeated or _PAGE_NUMBER.match(ln.text)):
            continue
        out.append(ln)
    return out


def _order_mixed(lines: list[_Line]) -> list[_Line]:
    """On a page with vertical writing, horizontal text that lies above the vertical columns (a heading, a
    lead) is read first; pdfminer puts the vertical columns first. Other pages keep pdfminer's order."""
    out: list[_Line] = []
    for page in dict.fromkeys(ln.page for ln in lines):
        on_page = [ln for ln in lines if ln.page == page]
        vertical = [ln for ln in on_page if ln.vertical]
        if not vertical or len(vertical) == len(on_page):
            out += on_page
            continue
        top = max(ln.bbox[3] for ln in vertical)
        above = [ln for ln in on_page if not ln.vertical and ln.bbox[1] >= top - 2]
        first = {id(ln) for ln in above}
        out += above + [ln for ln in on_page if id(ln) not in first]
    return out


def _body_style(lines: list[_Line]) -> tuple[float, str]:
    sizes: Counter = Counter()
    fonts: Counter = Counter()
    for ln in lines:
        sizes[round(ln.size * 2) / 2] += len(ln.text)
        fonts[ln.font] += len(ln.text)
    return (sizes.most_common(1)[0][0] if sizes else 0.0), (fonts.most_common(1)[0][0] if fonts else "")


def _classify(lines: list[_Line]) -> None:
    body_size, body_font = _body_style(lines)
    heading_sizes: set[float] = set()
    # lines of one size in one text box: three or more are a paragraph, not a heading
    same: Counter = Counter((ln.page, ln.box, round(ln.size * 2) / 2) for ln in lines)
    for ln in lines:
        if _BULLET.match(ln.text):
            ln.kind = "item"
            continue
        short = len(ln.text) <= 60 and not _SENTENCE_END.search(ln.text) and not ln.text.endswith(("、", "，", ","))
        if not short or not body_size or same[(ln.page, ln.box, round(ln.size * 2) / 2)] >= 3:
            continue
        size = round(ln.size * 2) / 2
        if size >= body_size * 1.15:
            ln.kind = "heading"
            heading_sizes.add(size)
        elif (size >= body_size * 0.95 and ln.font != body_font and _BOLD.search(ln.font)
              and not _BOLD.search(body_font) and (len(ln.text) <= 40 or _NUMBERED.match(ln.text))):
            ln.kind = "heading"  # same size, bold or gothic against a light body font: the lowest level
    ranks = {s: i + 1 for i, s in enumerate(sorted(heading_sizes, reverse=True))}
    for ln in lines:
        if ln.kind == "heading":
            ln.level = min(3, ranks.get(round(ln.size * 2) / 2, len(ranks) + 1))


def _mark_full(lines: list[_Line]) -> None:
    """A line is *full* when it runs (nearly) as far as the longest line that starts at the same edge
    on its page in the same size: a wrapped line, not one the author ended early."""
    groups: dict[tuple, float] = {}

    def key(ln: _Line) -> tuple:
        return (ln.page, ln.vertical, round(ln.start_edge / 4), round(ln.size))

    for ln in lines:
        groups[key(ln)] = max(groups.get(key(ln), 0.0), ln.extent)
    for ln in lines:
        longest = groups[key(ln)]
        ln.full = longest > 0 and ln.extent >= 0.85 * longest and ln.extent > 6 * max(ln.size, 1.0)


def _joins(prev: _Line, nxt: _Line) -> bool:
    """Does ``nxt`` continue the sentence that ``prev`` (a wrapped line) broke off?"""
    if prev.kind == "heading" or nxt.kind == "heading" or nxt.kind == "item":
        return False
    if _SENTENCE_END.search(prev.text) or not prev.full:
        return False
    if _NUMBERED.match(nxt.text):
        return False
    return abs(prev.size - nxt.size) <= max(0.6, 0.1 * prev.size)


def _glue(a: str, b: str) -> str:
    """Join a wrapped line to the next: Japanese needs no space, nor does a number broken in two;
    two Latin words do."""
    if re.search(r"[A-Za-z0-9]$", a) and re.match(r"[A-Za-z0-9]", b) and (
            re.search(r"[A-Za-z]$", a) or re.match(r"[A-Za-z]", b)):
        return f"{a} {b}"
    return a + b


def layout_to_text(result: dict) -> PdfText:
    """Corpus text + page offsets from the worker's result (pure; no PDF needed)."""
    pages = result.get("pages") or []
    lines: list[_Line] = []
    for p in pages:
        for d in p.get("lines") or []:
            t = _clean(d.get("text", ""))
            if t:
                lines.append(_Line(t, float(d.get("size") or 0), d.get("font") or "", tuple(d.get("bbox") or (0, 0, 0, 0)),
                                   int(d.get("box") or 0), bool(d.get("vertical")), int(p["n"])))
    lines = _order_mixed(_drop_furniture(pages, lines))
    _classify(lines)
    _mark_full(lines)
    # paragraphs: (page, kind, level, text)
    paras: list[list] = []
    prev: _Line | None = None
    for ln in lines:
        if prev is not None and paras and ln.kind == "body" and prev.kind in ("body", "item") and _joins(prev, ln):
            paras[-1][3] = _glue(paras[-1][3], ln.text)
        elif (prev is not None and paras and ln.kind == "heading" and prev.kind == "heading" and ln.page == prev.page
              and ln.level == prev.level and ln.box == prev.box and not _NUMBERED.match(ln.text)):
            paras[-1][3] = _glue(paras[-1][3], ln.text)  # a heading wrapped onto a second line
        else:
            paras.append([ln.page, ln.kind, ln.level, ln.text])
        prev = ln
    out: list[str] = []
    page_starts: list[dict] = []
    offset = 0
    for page, kind, level, text in paras:
        if kind == "heading":
            line = "#" * max(1, level) + " " + text
        elif kind == "item":
            line = "- " + _BULLET.sub("", text)
        else:
            line = text
        if not page_starts or page_starts[-1]["n"] != page:
            page_starts.append({"n": page, "start": offset})
        out.append(line)
        offset += len(line) + 1
    text = "\n".join(out)
    meta = result.get("meta") or {}
    title = _clean(meta.get("title") or "")
    if not title or _JUNK_TITLE.match(title) or len(title) > 120:
        title = next((p[3] for p in paras if p[1] == "heading"), "") or (paras[0][3][:80] if paras else "")
    date = _pdf_date(meta.get("modified") or "") or _pdf_date(meta.get("created") or "")
    count = int(result.get("page_count") or len(pages))
    notes = []
    if count > len(pages):
        notes.append(f"only the first {len(pages)} of {count} pages were read (pdf_max_pages)")
    return PdfText(text=text, pages=page_starts, title=title, date=date, page_count=count, pages_read=len(pages),
                   notes=notes)


def extract_pdf(data: bytes, url: str, limits: PdfLimits) -> Extracted:
    """Extract a PDF into an :class:`ingest.extract.Extracted` with ``pages``; raise :class:`PdfSkipped` otherwise."""
    if not is_pdf(data):
        raise PdfSkipped("damaged", "not a PDF: no %PDF- header")
    if b"%%EOF" not in data[-2048:]:
        raise PdfSkipped("truncated", f"truncated PDF: no %%EOF marker at the end ({len(data)} bytes received)")
    result = read_layout(data, limits)
    pages = result.get("pages") or []
    raw_chars = sum(len(d.get("text", "")) for p in pages for d in p.get("lines") or [])
    garbage = sum(len(m) for p in pages for d in p.get("lines") or [] for m in _CID_GARBAGE.findall(d.get("text", "")))
    images = sum(int(p.get("images") or 0) for p in pages)
    if raw_chars and garbage > 0.3 * raw_chars:
        raise PdfSkipped("needs_ocr", "unreadable text layer (fonts without a Unicode mapping): needs OCR")
    doc = layout_to_text(result)
    text_pages = {p["n"] for p in doc.pages}
    if len(doc.text) < limits.min_text_chars:
        if images:
            raise PdfSkipped("needs_ocr", f"image-only PDF (no text layer on {len(pages)} page(s)): needs OCR")
        raise PdfSkipped("empty", f"too little text ({len(doc.text)} characters < min_text_chars {limits.min_text_chars})")
    blank_scans = [p["n"] for p in pages if p["n"] not in text_pages and p.get("images")]
    if blank_scans:
        doc.notes.append(f"{len(blank_scans)} page(s) are images without a text layer (needs OCR): "
                         + ", ".join(map(str, blank_scans[:10])))
    language = "ja" if jatext.is_japanese(doc.text) else "und"
    flags = ["suspected_injection"] if find_injection(doc.text) else []
    log.info("%s: PDF, %d of %d pages with text, %d characters", url, len(doc.pages), doc.page_count, len(doc.text))
    return Extracted(text=doc.text, title=doc.title, date=doc.date, language=language, canonical_url=None,
                     flags=flags, media_type="application/pdf", pages=doc.pages, page_count=doc.page_count,
                     notes=doc.notes)

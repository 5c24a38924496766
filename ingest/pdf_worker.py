"""Child process of :mod:`ingest.pdf`: read one PDF from stdin, print its text lines as JSON.

Run as ``python -I ingest/pdf_worker.py --max-pages N --memory-mb M --cpu-s S``
(the parent does this; it imports nothing of tenkan, only pdfminer.six and the
standard library). Crawled PDFs are untrusted: the work on one file is bounded
by the limits this process sets on itself before it reads anything (address
space, CPU seconds) and by the parent's wall-clock timeout, so a decompression
bomb or a parser loop ends this process, never the crawl.

Output, one JSON object on stdout::

    {"ok": true, "meta": {"title", "created", "modified"}, "page_count": N,
     "pages": [{"n": 1, "width": W, "height": H, "images": k,
                "lines": [{"text", "size", "font", "bbox": [x0, y0, x1, y1], "box": i, "vertical": bool}]}]}
    {"ok": false, "kind": "encrypted" | "damaged" | "limit", "reason": "..."}

Lines come in pdfminer's reading order (layout analysis with vertical-writing
detection); ``box`` numbers the text box (paragraph) a line belongs to.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import resource
import sys
from collections import Counter

# CJK characters and kana: pdfminer's virtual spaces (LTAnno) between two of them are
# layout gaps (justified or letter-spaced Japanese), not word spaces.
_CJK = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff01-\uff60\ufe10-\ufe4f]")


def _limit(memory_mb: int, cpu_s: int) -> None:
    mem = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
    if cpu_s > 0:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 1))


def _decode(value) -> str:
    from pdfminer.pdftypes import resolve1
    from pdfminer.utils import decode_text

    value = resolve1(value)
    if isinstance(value, bytes):
        try:
            return decode_text(value).strip()
        except Exception:  # noqa: BLE001 - metadata is optional
            return ""
    if isinstance(value, str):
        return value.strip()
    return ""


def _line(obj) -> dict | None:
    from pdfminer.layout import LTAnno, LTChar, LTTextLineVertical

    parts: list[str] = []
    sizes: list[float] = []
    fonts: Counter = Counter()
    children = list(obj)
    for i, ch in enumerate(children):
        if isinstance(ch, LTChar):
            parts.append(ch.get_text())
            sizes.append(round(ch.size, 1))
            fonts[ch.fontname] += 1
        elif isinstance(ch, LTAnno):
            t = ch.get_text()
            if t == "\n":
                continue
            prev = parts[-1][-1:] if parts and parts[-1] else ""
            nxt = next((c.get_text()[:1] for c in children[i + 1:] if isinstance(c, LTChar)), "")
            if _CJK.match(prev or " ") and _CJK.match(nxt or " "):
                continue
            parts.append(t)
    text = "".join(parts).strip()
    if not text:
        return None
    sizes.sort()
    return {
        "text": text,
        "size": sizes[len(sizes) // 2] if sizes else 0.0,
        "font": fonts.most_common(1)[0][0] if fonts else "",
        "bbox": [round(v, 1) for v in obj.bbox],
        "vertical": isinstance(obj, LTTextLineVertical),
    }


def _walk(layout, lines: list[dict], counts: dict) -> None:
    from pdfminer.layout import LTFigure, LTImage, LTTextBox, LTTextLine

    for el in layout:
        if isinstance(el, LTTextBox):
            counts["box"] += 1
            for ln in el:
                if isinstance(ln, LTTextLine):
                    d = _line(ln)
                    if d:
                        d["box"] = counts["box"]
                        lines.append(d)
        elif isinstance(el, LTTextLine):  # a line outside any box
            counts["box"] += 1
            d = _line(el)
            if d:
                d["box"] = counts["box"]
                lines.append(d)
        elif isinstance(el, LTImage):
            counts["images"] += 1
        elif isinstance(el, LTFigure):
            _walk(el, lines, counts)


def extract(data: bytes, max_pages: int) -> dict:
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.layout import LAParams
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser

    doc = PDFDocument(PDFParser(io.BytesIO(data)), password="")
    if doc.encryption and not doc.is_extractable:
        return {"ok": False, "kind": "encrypted",
                "reason": "encrypted: the document's permissions forbid copying its text"}
    info = doc.info[0] if doc.info else {}
    meta = {"title": _decode(info.get("Title")), "created": _decode(info.get("CreationDate")),
            "modified": _decode(info.get("ModDate"))}
    rsrc = PDFResourceManager(caching=True)
    # line_margin 1.0 (pdfminer: 0.5): Japanese documents are set with generous leading (1.5-1.8 em), and
    # lines must group into paragraphs for the reading order of columns to come out right
    device = PDFPageAggregator(rsrc, laparams=LAParams(detect_vertical=True, line_margin=1.0))
    interp = PDFPageInterpreter(rsrc, device)
    pages = []
    count = 0
    for page in PDFPage.create_pages(doc):
        count += 1
        if count > max_pages:
            continue  # counted, not read
        interp.process_page(page)
        layout = device.get_result()
        lines: list[dict] = []
        counts = {"box": 0, "images": 0}
        _walk(layout, lines, counts)
        pages.append({"n": count, "width": round(layout.width, 1), "height": round(layout.height, 1),
                      "images": counts["images"], "lines": lines})
    return {"ok": True, "meta": meta, "page_count": count, "pages": pages}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="extract the text lines of one PDF read from stdin")
    ap.add_argument("--max-pages", type=int, default=300)
    ap.add_argument("--memory-mb", type=int, default=1024)
    ap.add_argument("--cpu-s", type=int, default=0)
    args = ap.parse_args(argv)
    _limit(args.memory_mb, args.cpu_s)
    data = sys.stdin.buffer.read()
    try:
        from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

        try:
            result = extract(data, args.max_pages)
        except PDFPasswordIncorrect:
            result = {"ok": False, "kind": "encrypted", "reason": "encrypted: a password is needed to open it"}
        except PDFEncryptionError as exc:
            result = {"ok": False, "kind": "encrypted", "reason": f"encrypted in a way that cannot be read ({exc})"}
    except MemoryError:
        result = {"ok": False, "kind": "limit",
                  "reason": f"reading it needs more than pdf_max_memory_mb {args.memory_mb} MB "
                            "(a decompression bomb or an oversized stream)"}
    except RecursionError:
        result = {"ok": False, "kind": "damaged", "reason": "damaged PDF: objects nested too deeply"}
    except Exception as exc:  # noqa: BLE001 - any parser error means "damaged", with its message
        msg = str(exc).replace("\n", " ")[:200]
        result = {"ok": False, "kind": "damaged", "reason": f"damaged PDF: {type(exc).__name__}: {msg}"}
    out = json.dumps(result, ensure_ascii=False)
    sys.stdout.write(out)
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Main-text extraction with trafilatura, keeping headings and lists.

trafilatura removes navigation, headers, footers, cookie banners and advert
blocks; its XML output keeps the structure, which is turned into the corpus
``text`` format (docs/ARCHITECTURE.md): ``#``/``##``/``###`` heading lines,
``- `` list items, one paragraph per line, table rows as ``cell | cell``.
The text is plain: markup never survives (``<script>`` and tag-like strings are
removed even when a page shows them as text), and it is normalised with
:func:`tenkan.jatext.normalize`.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urljoin, urlsplit

from tenkan import jatext

__all__ = ["Extracted", "extract_page", "extract_links", "find_injection", "strip_markup"]

log = logging.getLogger(__name__)


@dataclass
class Extracted:
    text: str
    title: str
    date: str | None
    language: str
    canonical_url: str | None
    flags: list[str] = field(default_factory=list)
    media_type: str = "text/html"
    #: PDF documents: [{"n": page number, "start": offset in text}] (None for HTML pages)
    pages: list[dict] | None = None
    page_count: int = 0
    #: things worth a line in the run summary that did not stop the document (PDF pages left out, ...)
    notes: list[str] = field(default_factory=list)


_TAGLIKE = re.compile(r"<\s*(script|style|iframe|object|embed)\b[^>]*>.*?<\s*/\s*\1\s*>", re.I | re.S)
_TAG = re.compile(r"</?\s*[A-Za-z][A-Za-z0-9:-]*(\s[^<>]*)?/?>")

# Instruction-like phrases aimed at an AI that reads the page (prompt injection).
_INJECTION = [
    re.compile(p, re.I)
    for p in (
        r"ignore (all |any )?(the )?(previous|prior|above|earlier|preceding) (instructions|prompts|rules)",
        r"disregard (all |any )?(the )?(previous|prior|above|earlier|your) (instructions|prompts|rules)",
        r"forget (all |any )?(your|the|previous) (instructions|rules)",
        r"\byou are now\b.{0,40}\b(assistant|ai|model|dan)\b",
        r"(reveal|print|show|output) (your|the) (system )?prompt",
        r"\bsystem prompt\b",
        r"(以前|前|これまで|上記|今まで|先ほど)の(すべての|全ての)?(指示|命令|指令|プロンプト)を(すべて|全て)?(無視|忘れ)",
        r"(指示|命令|プロンプト)を無視して",
        r"システムプロンプト",
        r"(AI|ＡＩ|人工知能|アシスタント|言語モデル|チャットボット)(は|へ|に|の方)?(への指示|は次の|に命じ|として振る舞)",
        r"(AI|ＡＩ|アシスタント|言語モデル)(の)?(あなた|皆さん)へ",
        r"あなたは(今から|これから)",
    )
]


def find_injection(text: str) -> str | None:
    """The first instruction-like phrase aimed at an AI in ``text``, or None."""
    for pat in _INJECTION:
        m = pat.search(text)
        if m:
            return m.group(0)
    return None


def strip_markup(text: str) -> str:
    """``text`` without tags, and without script, style, iframe, object and embed elements
    (crawled text is untrusted)."""
    text = _TAGLIKE.sub(" ", text)
    return _TAG.sub(" ", text)


def _inline(el) -> str:
    return re.sub(r"\s+", " ", "".join(el.itertext())).strip()


def _xml_to_text(root) -> str:
    lines: list[str] = []

    def walk(el, list_depth: int = 0) -> None:
        for child in el:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag == "head":
                rend = (child.get("rend") or "h2").lower()
                level = {"h1": 1, "h2": 2}.get(rend, 3)
                t = _inline(child)
                if t:
                    lines.append("#" * level + " " + t)
            elif tag == "list":
                walk(child, list_depth + 1)
            elif tag == "item":
                # nested lists become their own items
                nested = [c for c in child if c.tag == "list"]
                for c in nested:
                    child.remove(c)
                t = _inline(child)
                if t:
                    lines.append("  " * max(0, list_depth - 1) + "- " + t)
                for c in nested:
                    walk(c, list_depth + 1)
            elif tag == "table":
                for row in child.iter("row"):
                    cells = [_inline(c) for c in row if c.tag == "cell"]
                    cells = [c for c in cells if c]
                    if cells:
                        lines.append(" | ".join(cells))
            elif tag in ("p", "quote", "code"):
                t = _inline(child)
                if t:
                    lines.append(t)
            elif tag in ("main", "div", "section", "comments", "doc"):
                walk(child, list_depth)
            else:
                t = _inline(child)
                if t:
                    lines.append(t)

    main = root.find("main")
    walk(main if main is not None else root)
    return "\n".join(lines)


def extract_page(html: str, url: str, html_lang: str | None = None) -> Extracted | None:
    """Extract the main text and metadata of ``html`` fetched from ``url``; None if there is none."""
    import trafilatura
    from lxml import etree

    opts = dict(url=url, output_format="xml", include_formatting=False, include_tables=True, include_comments=False,
                include_links=False, include_images=False, with_metadata=True, deduplicate=False)
    xml = trafilatura.extract(html, favor_precision=True, **opts)
    if not xml:  # precision mode found nothing (odd or broken markup): try recall mode once
        xml = trafilatura.extract(html, favor_recall=True, **opts)
    if not xml:
        return None
    try:
        root = etree.fromstring(xml.encode("utf-8"))
    except etree.XMLSyntaxError as exc:  # pragma: no cover - trafilatura emits valid XML
        log.warning("%s: trafilatura XML unreadable: %s", url, exc)
        return None
    text = jatext.normalize(strip_markup(_xml_to_text(root)))
    # Lines that were only markup are gone; drop empty list/heading markers left behind.
    text = "\n".join(l for l in text.split("\n") if l.strip() not in ("-", "#", "##", "###"))
    title = jatext.normalize(strip_markup(root.get("title") or ""))
    if not title:
        first = next((l for l in text.split("\n") if l.startswith("#")), "")
        title = first.lstrip("# ").strip()
    date = root.get("date") or None
    if jatext.is_japanese(text):
        language = "ja"
    else:
        language = (html_lang or "").split("-")[0].lower() or "und"
    flags = ["suspected_injection"] if find_injection(text) else []
    return Extracted(text=text, title=title, date=date, language=language, canonical_url=None, flags=flags)


def extract_links(html: str, base_url: str) -> tuple[list[str], str | None, str | None]:
    """``(absolute links, canonical URL, <html lang>)`` of a page; links without fragments."""
    import lxml.html

    try:
        doc = lxml.html.document_fromstring(html)
    except Exception as exc:  # lxml raises several types on garbage  # noqa: BLE001
        log.info("%s: no link structure (%s)", base_url, exc)
        return [], None, None
    base = base_url
    for b in doc.xpath("//base[@href]"):
        base = urljoin(base_url, b.get("href"))
        break
    links: list[str] = []
    seen = set()
    for a in doc.xpath("//a[@href]"):
        rel = (a.get("rel") or "").lower()
        if "nofollow" in rel:
            continue
        href = a.get("href").strip()
        if not href or href.startswith(("javascript:", "mailto:", "tel:", "#")):
            continue
        absu = urldefrag(urljoin(base, href))[0]
        if urlsplit(absu).scheme not in ("http", "https"):
            continue
        if absu not in seen:
            seen.add(absu)
            links.append(absu)
    canonical = None
    for link in doc.xpath("//link[@rel and @href]"):
        if "canonical" in link.get("rel").lower().split():
            canonical = urldefrag(urljoin(base, link.get("href").strip()))[0]
            break
    lang = doc.get("lang") or doc.get("{http://www.w3.org/XML/1998/namespace}lang")
    return links, canonical, lang

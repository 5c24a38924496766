"""Japanese sentence-aware chunking, as a pure function.

A document's ``text`` (see docs/ARCHITECTURE.md) keeps its structure as lines:
headings start with ``#``/``##``/``###``, list items with ``- ``, paragraphs are
lines. :func:`chunk_text` cuts it into pieces of about ``size`` characters:

* a chunk never ends inside a sentence (。！？ or a line end) unless a single
  sentence is longer than ``size``; then it is cut at a 、 or, failing that,
  at the size limit;
* each chunk carries the heading path in force where its own text starts
  (``["発作が起きたとき", "119番に電話する目安"]``) so it can be read — and
  embedded — with its context;
* a new top-level section (``#``/``##``) starts a new chunk once the current one
  holds at least ``min_chunk`` characters; smaller sections are merged forward;
* consecutive chunks of a section overlap by up to ``overlap`` characters of
  whole sentences;
* a trailing piece shorter than ``min_chunk`` is merged into the previous chunk.

A PDF document also gives its page boundaries (``pages = [{"n", "start"}]``,
character offsets of each page's first line in ``text``): a page boundary ends
a chunk (no overlap across it, the heading path carries on), so every chunk
lies on one page and knows it (``Piece.page``), and a citation can name it.
Without ``pages`` (HTML) the output is exactly what it was before pages existed.

The output depends only on the input, so unchanged documents give identical
chunks and ids (``<doc_id>#<n>``) across rebuilds.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from dataclasses import dataclass, field

from tenkan.jatext import split_sentences

__all__ = ["CHUNKER_VERSION", "Piece", "chunk_text", "embedding_text", "chunk_sentences", "sentence_key", "overlap_length"]

#: version of the chunk texts :func:`chunk_text` makes; an index built by another is re-chunked (2: a line that
#: does not close its sentence is not run into the next, 2026-12-04)
CHUNKER_VERSION = 2

_HEADING = re.compile(r"^(#{1,6})\s*(.+?)\s*#*$")
#: the end of a line that closes its sentence (a paragraph after it runs on)
_CLOSED = re.compile(r"[。．！？!?」』）)]\s*$")
_SOFT_BREAK = re.compile(r"(?<=[、，,；;：:])")


@dataclass(frozen=True)
class Piece:
    """One chunk of a document: its text and the headings it sits under."""

    text: str
    headings: tuple[str, ...] = field(default_factory=tuple)
    #: page number of a PDF document's chunk (None when the document has no pages)
    page: int | None = None


@dataclass
class _Unit:
    text: str
    headings: tuple[str, ...]
    heading: bool = False  # the unit is a heading line
    line_start: bool = False  # the first sentence of a line (a paragraph, a list item)
    section_start: bool = False  # first unit of a top-level section
    page: int | None = None


def _split_long(sentence: str, size: int) -> list[str]:
    """Cut a sentence longer than ``size`` at 、-like marks, else hard at ``size``."""
    if len(sentence) <= size:
        return [sentence]
    out: list[str] = []
    buf = ""
    for part in _SOFT_BREAK.split(sentence):
        while len(part) > size:
            if buf:
                out.append(buf)
                buf = ""
            out.append(part[:size])
            part = part[size:]
        if len(buf) + len(part) > size and buf:
            out.append(buf)
            buf = ""
        buf += part
    if buf:
        out.append(buf)
    return out


def _page_finder(pages: list[dict] | None):
    """offset -> page number, from ``[{"n", "start"}]`` (None when there are no pages)."""
    if not pages:
        return lambda _offset: None
    ordered = sorted((int(p["start"]), int(p["n"])) for p in pages)
    starts = [s for s, _ in ordered]

    def find(offset: int) -> int | None:
        i = bisect.bisect_right(starts, offset) - 1
        return ordered[max(i, 0)][1]

    return find


def _units(text: str, size: int, pages: list[dict] | None = None) -> list[_Unit]:
    units: list[_Unit] = []
    path: list[tuple[int, str]] = []
    new_section = True
    page_of = _page_finder(pages)
    offset = 0
    for raw in text.split("\n"):
        start, offset = offset, offset + len(raw) + 1
        line = raw.strip()
        if not line:
            continue
        page = page_of(start)
        m = _HEADING.match(line)
        if m:
            level, title = len(m.group(1)), m.group(2).strip()
            path = [(lv, t) for lv, t in path if lv < level] + [(level, title)]
            units.append(_Unit(title, tuple(t for _, t in path), heading=True, section_start=level <= 2, page=page))
            new_section = False
            continue
        heads = tuple(t for _, t in path)
        sentences = split_sentences(line) if not line.startswith("- ") else [line]
        first = True
        for s in sentences:
            for piece in _split_long(s, size):
                units.append(_Unit(piece, heads, section_start=new_section, page=page, line_start=first))
                new_section = first = False
    return units


def _join(units: list[_Unit]) -> str:
    """Sentences of one line run together, and so do the paragraphs of a section; headings, list items and a
    line that ends without closing its sentence stay lines (until 2026-12-04 a page's date line,
    「最終更新日：2026年10月1日」, ran into the paragraph after it and made its first sentence unquotable)."""
    out = ""
    prev: _Unit | None = None
    for u in units:
        if prev is None:
            out = u.text
        elif u.heading or prev.heading or u.text.startswith("- ") or prev.text.startswith("- ") \
                or (u.line_start and not _CLOSED.search(prev.text)):
            out += "\n" + u.text
        else:
            out += u.text
        prev = u
    return out


def chunk_text(text: str, size: int = 400, overlap: int = 80, min_chunk: int = 120,
               pages: list[dict] | None = None) -> list[Piece]:
    """Cut structured Japanese ``text`` into overlapping, sentence-aligned pieces (one page each when
    ``pages`` gives the page boundaries of a PDF document)."""
    if size < 1 or not 0 <= overlap < size:
        raise ValueError("need size >= 1 and 0 <= overlap < size")
    units = _units(text, size, pages)
    if not units:
        return []
    pieces: list[Piece] = []
    run: list[_Unit] = []
    for u in units:  # runs of units on one page (the whole text when there are no pages)
        if run and u.page != run[-1].page:
            pieces += _pack(run, size, overlap, min_chunk)
            run = []
        run.append(u)
    return pieces + _pack(run, size, overlap, min_chunk)


def _pack(units: list[_Unit], size: int, overlap: int, min_chunk: int) -> list[Piece]:
    """Chunks of one run of units (see the module docstring)."""
    chunks: list[tuple[list[_Unit], int]] = []  # (units, index of first own unit)
    buf: list[_Unit] = []
    own_start = 0

    def length(us: list[_Unit]) -> int:
        return sum(len(u.text) for u in us)

    def flush() -> list[_Unit]:
        nonlocal buf, own_start
        chunks.append((buf, own_start))
        # carry whole trailing sentences (not headings) of the same section as overlap
        carry: list[_Unit] = []
        for u in reversed(buf[own_start:]):
            if u.heading or length(carry) + len(u.text) > overlap:
                break
            carry.insert(0, u)
        buf = carry
        own_start = len(carry)
        return buf

    for u in units:
        own = buf[own_start:]
        if own and u.section_start and length(own) >= min_chunk:
            flush()
            buf, own_start = [], 0  # no overlap across top-level sections
        elif own and length(buf) + len(u.text) > size:
            flush()
            if length(buf) + len(u.text) > size:
                buf, own_start = [], 0
        if not buf[own_start:]:
            own_start = len(buf)
        buf.append(u)
    if buf[own_start:]:
        tail = buf[own_start:]
        if chunks and length(tail) < min_chunk and not tail[0].section_start:
            prev_units, prev_start = chunks[-1]
            chunks[-1] = (prev_units + tail, prev_start)
        else:
            chunks.append((buf, own_start))

    pieces = []
    for us, start in chunks:
        first = us[start] if start < len(us) else us[0]
        pieces.append(Piece(_join(us), first.headings, first.page))
    return pieces


def embedding_text(title: str, headings: tuple[str, ...] | list[str], text: str) -> str:
    """What the embedder sees for a chunk: the page title and headings give the topic."""
    ctx = " / ".join(h for h in [title, *headings] if h)
    return f"{ctx}\n{text}" if ctx else text


def overlap_length(first: str, then: str, min_overlap: int = 10) -> int:
    """How many characters at the start of ``then`` repeat the end of ``first``: the sentences one chunk
    carries over from the chunk before it (:func:`chunk_text`); 0 when fewer than ``min_overlap`` do."""
    for k in range(min(len(first), len(then)), min_overlap - 1, -1):
        if first.endswith(then[:k]):
            return k
    return 0


def chunk_sentences(text: str) -> list[str]:
    """The sentences of a chunk that get a vector (headings and fragments under 6 characters do not)."""
    return [s for s in split_sentences(text) if len(s) >= 6 and not s.startswith("#")]


def sentence_key(sentence: str) -> str:
    """How a sentence's vector is found: the sha256 of its stripped text."""
    return hashlib.sha256(sentence.strip().encode("utf-8")).hexdigest()

"""The chunk store: one SQLite file per index generation.

``row`` is the chunk's position in the FAISS index and in ``vectors.npy``; the
BM25 index uses the same numbering, so one integer joins all three. Each row
also keeps the hash of the text that was embedded and the BM25 tokens, which
is what lets an incremental build reuse vectors and tokens for unchanged text.
``page`` (PDF documents) came later: a store written before it reads as NULL.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Iterable, Iterator

from index.types import Chunk

__all__ = ["ChunkStore", "StoredRow"]

SCHEMA = """
CREATE TABLE chunks (
    row INTEGER PRIMARY KEY,
    chunk_id TEXT NOT NULL UNIQUE,
    doc_id TEXT NOT NULL,
    n INTEGER NOT NULL,
    text TEXT NOT NULL,
    url TEXT NOT NULL,
    title TEXT NOT NULL,
    headings TEXT NOT NULL,
    doc_version INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    embed_hash TEXT NOT NULL,
    tokens TEXT NOT NULL,
    page INTEGER
);
CREATE INDEX chunks_doc ON chunks(doc_id);
CREATE TABLE sentences (
    sha TEXT PRIMARY KEY,
    row INTEGER NOT NULL
);
CREATE TABLE docs (
    doc_id TEXT PRIMARY KEY,
    content_hash TEXT NOT NULL,
    version INTEGER NOT NULL,
    url TEXT NOT NULL,
    title TEXT NOT NULL,
    n_chunks INTEGER NOT NULL
);
"""

_COLS = "row, chunk_id, doc_id, n, text, url, title, headings, doc_version, content_hash, embed_hash, tokens, page"


class StoredRow(tuple):
    """(row, Chunk, embed_hash, tokens) as read back from the store."""

    @property
    def row(self) -> int:
        return self[0]

    @property
    def chunk(self) -> Chunk:
        return self[1]

    @property
    def embed_hash(self) -> str:
        return self[2]

    @property
    def tokens(self) -> list[str]:
        return self[3]


def _chunk(r) -> Chunk:
    return Chunk(r[1], r[2], r[3], r[4], r[5], r[6], json.loads(r[7]), r[8], r[9], r[12])


class ChunkStore:
    """Read/write access to ``chunks.sqlite``. Open read-only with ``readonly=True``."""

    def __init__(self, path: str | Path, readonly: bool = False, create: bool = False):
        self.path = Path(path)
        if create:
            self.conn = sqlite3.connect(self.path, check_same_thread=False)
            self.conn.executescript(SCHEMA)
        else:
            uri = f"file:{self.path}?mode={'ro' if readonly else 'rw'}"
            self.conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        self._cols = _COLS
        if not create:
            try:
                have = {r[1] for r in self.conn.execute("PRAGMA table_info(chunks)")}
            except sqlite3.DatabaseError:
                have = set()  # a damaged file: the first real query says so
            if have and "page" not in have:  # written before PDF pages existed
                self._cols = _COLS.replace(", page", ", NULL AS page")

    def close(self) -> None:
        self.conn.close()

    # -- writing ---------------------------------------------------------
    def add(self, rows: Iterable[tuple[int, Chunk, str, list[str]]]) -> None:
        self.conn.executemany(
            f"INSERT INTO chunks ({_COLS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            ((row, c.chunk_id, c.doc_id, c.n, c.text, c.url, c.title,
              json.dumps(list(c.headings), ensure_ascii=False), c.doc_version, c.content_hash,
              eh, " ".join(toks), c.page) for row, c, eh, toks in rows),
        )

    def add_docs(self, docs: Iterable[tuple[str, str, int, str, str, int]]) -> None:
        self.conn.executemany("INSERT INTO docs VALUES (?,?,?,?,?,?)", docs)

    def add_sentences(self, items: Iterable[tuple[str, int]]) -> None:
        """(sha256 of a sentence's text, its row in ``sentences.npy``)."""
        self.conn.executemany("INSERT INTO sentences VALUES (?,?)", items)

    def commit(self) -> None:
        self.conn.commit()

    # -- reading ---------------------------------------------------------
    def count(self) -> int:
        return self.conn.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]

    def get(self, chunk_id: str) -> Chunk | None:
        r = self.conn.execute(f"SELECT {self._cols} FROM chunks WHERE chunk_id = ?", (chunk_id,)).fetchone()
        return _chunk(r) if r else None

    def by_rows(self, rows: list[int]) -> dict[int, Chunk]:
        out: dict[int, Chunk] = {}
        for i in range(0, len(rows), 500):
            part = rows[i:i + 500]
            q = f"SELECT {self._cols} FROM chunks WHERE row IN ({','.join('?' * len(part))})"
            for r in self.conn.execute(q, part):
                out[r[0]] = _chunk(r)
        return out

    def iter_chunks(self) -> Iterator[Chunk]:
        for r in self.conn.execute(f"SELECT {self._cols} FROM chunks ORDER BY doc_id, n"):
            yield _chunk(r)

    def iter_rows(self) -> Iterator[StoredRow]:
        for r in self.conn.execute(f"SELECT {self._cols} FROM chunks ORDER BY row"):
            yield StoredRow((r[0], _chunk(r), r[10], r[11].split(" ") if r[11] else []))

    def rows_of_docs(self, doc_ids: Iterable[str]) -> dict[str, list[StoredRow]]:
        ids = list(doc_ids)
        out: dict[str, list[StoredRow]] = {d: [] for d in ids}
        for i in range(0, len(ids), 500):
            part = ids[i:i + 500]
            q = f"SELECT {self._cols} FROM chunks WHERE doc_id IN ({','.join('?' * len(part))}) ORDER BY doc_id, n"
            for r in self.conn.execute(q, part):
                out[r[2]].append(StoredRow((r[0], _chunk(r), r[10], r[11].split(" ") if r[11] else [])))
        return out

    def sentence_rows(self, shas: list[str] | None = None) -> dict[str, int]:
        """sha256 of a sentence → its row in ``sentences.npy`` (all of them when ``shas`` is None);
        empty for a store written before sentence vectors existed."""
        out: dict[str, int] = {}
        try:
            if shas is None:
                return dict(self.conn.execute("SELECT sha, row FROM sentences"))
            for i in range(0, len(shas), 500):
                part = shas[i:i + 500]
                q = f"SELECT sha, row FROM sentences WHERE sha IN ({','.join('?' * len(part))})"
                out.update(self.conn.execute(q, part))
        except sqlite3.OperationalError:  # no such table: an older generation
            return {}
        return out

    def docs(self) -> dict[str, tuple[str, int, str, str, int]]:
        """doc_id -> (content_hash, version, url, title, n_chunks)."""
        return {r[0]: tuple(r[1:]) for r in self.conn.execute("SELECT * FROM docs")}

    def check(self) -> None:
        """Raise sqlite3.DatabaseError when the file is damaged."""
        r = self.conn.execute("PRAGMA quick_check").fetchone()
        if not r or r[0] != "ok":
            raise sqlite3.DatabaseError(f"quick_check: {r[0] if r else 'no answer'}")

"""Crawl state in SQLite (``corpus/crawl.sqlite``).

``pages``: one row per URL ever seen — HTTP status, ETag, Last-Modified, content
hash, first/last seen, last changed, failure count, consecutive 404/410 count,
last error, the links it had (so a 304 still feeds the frontier).
``documents``: every version of every document (never updated in place).
``docs``: one row per document id — its current version and whether it is
``live``, a ``duplicate`` of another, or ``tombstoned``.
A version of a PDF document keeps ``media_type`` and its ``pages`` (JSON
``[{"n", "start"}]``); schema 2 added both columns, and an older file gains
them when it is opened (HTML versions: ``text/html`` and NULL).

Every page outcome is written in its own transaction, so a run killed at any
moment leaves a consistent database; documents.jsonl is exported from it.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any, Iterator

__all__ = ["CrawlState", "SCHEMA_VERSION"]

SCHEMA_VERSION = 2

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS pages (
    url TEXT PRIMARY KEY,
    site TEXT NOT NULL,
    status INTEGER,            -- last HTTP status (NULL: never answered)
    state TEXT,                -- ok | not_modified | redirect | not_found | failed | skipped | duplicate
    etag TEXT,
    last_modified TEXT,
    content_hash TEXT,         -- sha256 of the extracted text last stored from this URL
    doc_id TEXT,
    canonical_url TEXT,
    redirect_to TEXT,
    encoding TEXT,
    depth INTEGER,
    links TEXT,                -- JSON list of links on the page
    first_seen TEXT,
    last_seen TEXT,            -- last 200/304
    last_changed TEXT,         -- last time the content hash changed
    last_fetched TEXT,         -- last attempt
    fail_count INTEGER NOT NULL DEFAULT 0,   -- consecutive failed fetches
    gone_count INTEGER NOT NULL DEFAULT 0,   -- consecutive 404/410
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS pages_site ON pages(site);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    url TEXT NOT NULL,
    canonical_url TEXT NOT NULL,
    site TEXT NOT NULL,
    title TEXT,
    date TEXT,
    language TEXT,
    attribution TEXT,
    text TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    flags TEXT NOT NULL DEFAULT '[]',
    media_type TEXT NOT NULL DEFAULT 'text/html',
    pages TEXT,                -- PDF: JSON [{"n": page number, "start": offset in text}]; NULL for HTML
    PRIMARY KEY (doc_id, version)
);
CREATE TABLE IF NOT EXISTS docs (
    doc_id TEXT PRIMARY KEY,
    site TEXT NOT NULL,
    url TEXT NOT NULL,         -- page URL the current version came from
    current_version INTEGER NOT NULL,
    state TEXT NOT NULL,       -- live | duplicate | tombstoned
    duplicate_of TEXT,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    started TEXT NOT NULL,
    finished TEXT,
    summary TEXT
);
"""

_PAGE_COLS = (
    "site status state etag last_modified content_hash doc_id canonical_url redirect_to encoding depth links "
    "first_seen last_seen last_changed last_fetched fail_count gone_count last_error"
).split()


class CrawlState:
    """The SQLite crawl-state file. Use from one thread."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(self.path), isolation_level=None, timeout=30)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)
        cols = {r[1] for r in self.db.execute("PRAGMA table_info(documents)")}
        if "media_type" not in cols:  # schema 1 → 2: PDF documents
            self.db.execute("ALTER TABLE documents ADD COLUMN media_type TEXT NOT NULL DEFAULT 'text/html'")
        if "pages" not in cols:
            self.db.execute("ALTER TABLE documents ADD COLUMN pages TEXT")
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "CrawlState":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- pages ---------------------------------------------------------------
    def page(self, url: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT * FROM pages WHERE url = ?", (url,)).fetchone()
        return dict(row) if row else None

    def pages(self, site: str | None = None) -> list[dict[str, Any]]:
        q = "SELECT * FROM pages" + (" WHERE site = ?" if site else "") + " ORDER BY url"
        return [dict(r) for r in self.db.execute(q, (site,) if site else ())]

    def upsert_page(self, url: str, **values: Any) -> None:
        bad = set(values) - set(_PAGE_COLS)
        if bad:
            raise KeyError(f"unknown page columns {bad}")
        if "links" in values and not isinstance(values["links"], (str, type(None))):
            values["links"] = json.dumps(values["links"], ensure_ascii=False)
        cols = ["url", *values]
        ph = ", ".join("?" for _ in cols)
        upd = ", ".join(f"{c} = excluded.{c}" for c in values) or "url = url"
        self.db.execute(
            f"INSERT INTO pages ({', '.join(cols)}) VALUES ({ph}) ON CONFLICT(url) DO UPDATE SET {upd}",
            (url, *values.values()),
        )

    # -- documents -----------------------------------------------------------
    def doc(self, doc_id: str) -> dict[str, Any] | None:
        row = self.db.execute(
            "SELECT d.*, v.content_hash, v.canonical_url, v.text, v.pages FROM docs d "
            "JOIN documents v ON v.doc_id = d.doc_id AND v.version = d.current_version WHERE d.doc_id = ?",
            (doc_id,),
        ).fetchone()
        return dict(row) if row else None

    def add_version(self, record: dict[str, Any], now: str) -> int:
        """Store a new version of ``record['doc_id']`` (live); return its version number."""
        with self.transaction():
            cur = self.db.execute("SELECT MAX(version) FROM documents WHERE doc_id = ?", (record["doc_id"],)).fetchone()[0]
            version = (cur or 0) + 1
            self.db.execute(
                "INSERT INTO documents (doc_id, version, url, canonical_url, site, title, date, language, attribution, "
                "text, content_hash, fetched_at, flags, media_type, pages) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (record["doc_id"], version, record["url"], record["canonical_url"], record["site"], record["title"],
                 record["date"], record["language"], record["attribution"], record["text"], record["content_hash"],
                 record["fetched_at"], json.dumps(record["flags"], ensure_ascii=False),
                 record.get("media_type") or "text/html",
                 json.dumps(record["pages"]) if record.get("pages") is not None else None),
            )
            self.db.execute(
                "INSERT INTO docs (doc_id, site, url, current_version, state, duplicate_of, updated_at) "
                "VALUES (?,?,?,?, 'live', NULL, ?) ON CONFLICT(doc_id) DO UPDATE SET url = excluded.url, "
                "current_version = excluded.current_version, state = 'live', duplicate_of = NULL, updated_at = excluded.updated_at",
                (record["doc_id"], record["site"], record["url"], version, now),
            )
        return version

    def set_doc_state(self, doc_id: str, state: str, now: str, duplicate_of: str | None = None) -> None:
        self.db.execute(
            "UPDATE docs SET state = ?, duplicate_of = ?, updated_at = ? WHERE doc_id = ?",
            (state, duplicate_of, now, doc_id),
        )

    def docs(self, states: tuple[str, ...] = ("live",), site: str | None = None) -> list[dict[str, Any]]:
        q = (
            "SELECT d.doc_id, d.state, d.duplicate_of, d.url AS page_url, v.* FROM docs d "
            "JOIN documents v ON v.doc_id = d.doc_id AND v.version = d.current_version "
            f"WHERE d.state IN ({', '.join('?' for _ in states)})"
        )
        args: list[Any] = list(states)
        if site:
            q += " AND d.site = ?"
            args.append(site)
        q += " ORDER BY v.url"
        out = []
        for r in self.db.execute(q, args):
            d = dict(r)
            d["flags"] = json.loads(d.get("flags") or "[]")
            out.append(d)
        return out

    def iter_documents(self) -> Iterator[dict[str, Any]]:
        """Current version of every live document, in the documents.jsonl shape."""
        for d in self.docs(("live",)):
            yield {
                "doc_id": d["doc_id"], "version": d["version"], "url": d["url"],
                "canonical_url": d["canonical_url"], "site": d["site"], "title": d["title"] or "",
                "date": d["date"], "language": d["language"] or "und", "attribution": d["attribution"] or "",
                "text": d["text"], "content_hash": d["content_hash"], "fetched_at": d["fetched_at"],
                "flags": d["flags"], "media_type": d.get("media_type") or "text/html",
                "pages": json.loads(d["pages"]) if d.get("pages") else None,
            }

    # -- runs ----------------------------------------------------------------
    def start_run(self, run_id: str, kind: str, started: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO runs (run_id, kind, started) VALUES (?,?,?)", (run_id, kind, started))

    def finish_run(self, run_id: str, finished: str, summary: dict[str, Any]) -> None:
        self.db.execute(
            "UPDATE runs SET finished = ?, summary = ? WHERE run_id = ?",
            (finished, json.dumps(summary, ensure_ascii=False), run_id),
        )

    def transaction(self):
        return _Tx(self.db)


class _Tx:
    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type, exc, tb):
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")
        return False

"""The corpus directory: documents.jsonl export, manifest, run summaries, the lock,
and the readers the stages downstream and the face use.

ingest owns ``corpus/``: nobody else opens its files by path. Readers:
:func:`load_documents` (the live documents), :func:`read_corpus_manifest` (a typed
:class:`CorpusManifest`), :func:`last_run_summary` (the latest crawl/refresh summary);
:func:`write_documents` writes a documents.jsonl (the crawl's export, and synthetic
corpora of benchmarks and tests).
"""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

from ingest.config import IngestSettings
from tenkan.errors import CorpusError, LockedError
from tenkan.manifest import MANIFEST, atomic_write_json, atomic_write_text, write_manifest
from tenkan.paths import Workspace

__all__ = ["export_corpus", "load_documents", "write_documents", "documents_file", "corpus_lock", "write_run_summary",
           "CorpusManifest", "read_corpus_manifest", "has_corpus", "last_run_summary", "DOCUMENTS", "STATE_DB"]

log = logging.getLogger(__name__)

DOCUMENTS = "documents.jsonl"
STATE_DB = "crawl.sqlite"


@contextmanager
def corpus_lock(ws: Workspace) -> Iterator[None]:
    """Hold the workspace's corpus lock (``<home>/.corpus.lock``) or raise :class:`LockedError`.

    An OS file lock (``flock``): the kernel releases it when the holder exits,
    even on SIGKILL, so a killed run never leaves a stale lock behind.
    """
    path = ws.lock_path("corpus")
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                holder = Path(path).read_text(encoding="utf-8", errors="replace").strip() or "another process"
                raise LockedError(
                    f"another crawl or refresh is running in {ws.root} ({holder})",
                    hint="wait for it to finish; the lock frees itself when that process exits",
                ) from exc
            raise
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()}".encode())
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def write_documents(ws: Workspace, docs: Iterable[dict[str, Any]]) -> int:
    """Write ``corpus/documents.jsonl`` atomically (one JSON object a line); the number written."""
    lines = [json.dumps(d, ensure_ascii=False) for d in docs]
    atomic_write_text(ws.corpus_dir(create=True) / DOCUMENTS, "\n".join(lines) + ("\n" if lines else ""))
    return len(lines)


def export_corpus(cfg: IngestSettings, ws: Workspace, state, summary, sites) -> int:
    """Write documents.jsonl (atomically) and manifest.json from the crawl state."""
    corpus = ws.corpus_dir(create=True)
    n = write_documents(ws, state.iter_documents())
    sites_file = cfg.ingest.sites_file or str(Path(__file__).resolve().parent.parent / "data" / "sites.toml")
    write_manifest(
        corpus,
        "ingest.crawl",
        inputs={"sites_file": sites_file, "documents": corpus / DOCUMENTS},
        settings={"ingest": cfg.ingest, "sites": {n: {k: v for k, v in vars(s).items() if not k.startswith("_")}
                                                 for n, s in sites.items()}},
        extra={"documents": n, "run_id": summary.run_id, "kind": summary.kind},
    )
    return n


def write_run_summary(ws: Workspace, summary) -> Path:
    """Save the run summary to ``corpus/runs/<run-id>.json``."""
    path = ws.corpus_dir(create=True) / "runs" / f"{summary.run_id}.json"
    atomic_write_json(path, summary.to_dict())
    return path


def documents_file(ws: Workspace) -> Path:
    """Where ``documents.jsonl`` lies: for an artifact manifest's ``inputs`` (its sha256 records which
    corpus the artifact was built from). Read the documents with :func:`load_documents`."""
    return ws.corpus_dir() / DOCUMENTS


def has_corpus(ws: Workspace) -> bool:
    """Whether workspace ``ws`` has a corpus export (``documents.jsonl``) to read."""
    return (ws.corpus_dir() / DOCUMENTS).is_file()


def load_documents(ws: Workspace) -> list[dict[str, Any]]:
    """The current version of every live document (``corpus/documents.jsonl``), in file order.

    Every line must be a JSON object with at least ``doc_id`` and ``text`` (the shape is in
    docs/ARCHITECTURE.md); when a ``doc_id`` appears twice, the later line wins. Raises
    ``CorpusError`` (hint: ``tenkan crawl``) when the file is missing or a line is not a document.
    """
    path = ws.corpus_dir() / DOCUMENTS
    if not path.is_file():
        raise CorpusError(f"no corpus in {ws.root}: {path} is missing", hint="tenkan crawl")
    docs: dict[str, dict[str, Any]] = {}
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                d = json.loads(line)
                if not isinstance(d, dict) or not isinstance(d["doc_id"], str) or not isinstance(d["text"], str):
                    raise TypeError("doc_id and text must be strings")
            except json.JSONDecodeError as exc:
                raise CorpusError(f"{path} line {n} is not valid JSON: {exc}", hint="tenkan crawl") from exc
            except (KeyError, TypeError) as exc:
                raise CorpusError(f"{path} line {n} is not a document record ({exc!r})", hint="tenkan crawl") from exc
            docs[d["doc_id"]] = d
    return list(docs.values())


@dataclass(frozen=True)
class CorpusManifest:
    """``corpus/manifest.json`` as :func:`export_corpus` writes it.

    ``documents`` live documents exported by run ``run_id`` of ``kind`` (``crawl`` or
    ``refresh``) at ``created``; ``inputs`` the sites file and documents.jsonl with their sha256;
    ``settings`` the ingest settings and the site list; ``versions`` the package versions.
    ``raw`` is the whole JSON object, for display."""

    created: str
    documents: int
    run_id: str
    kind: str
    producer: str = "ingest.crawl"
    inputs: dict[str, Any] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


def read_corpus_manifest(ws: Workspace) -> CorpusManifest:
    """The corpus manifest of workspace ``ws``; ``CorpusError`` (hint: ``tenkan crawl``) when
    it is missing or is not a corpus manifest."""
    path = ws.corpus_dir() / MANIFEST
    if not path.is_file():
        raise CorpusError(f"no corpus in {ws.root}: {path} is missing", hint="tenkan crawl")
    try:
        m = json.loads(path.read_text(encoding="utf-8"))
        return CorpusManifest(
            created=str(m["created"]), documents=int(m["documents"]), run_id=str(m.get("run_id", "")),
            kind=str(m.get("kind", "")), producer=str(m.get("producer", "")), inputs=dict(m.get("inputs") or {}),
            settings=dict(m.get("settings") or {}), versions=dict(m.get("versions") or {}), raw=m,
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CorpusError(f"corpus manifest {path} is unreadable ({exc!r})",
                          hint="tenkan crawl   (writes it anew)") from exc


def last_run_summary(ws: Workspace) -> dict[str, Any] | None:
    """The newest run summary (``corpus/runs/<run-id>.json``: ``CrawlSummary.to_dict()``), or None
    when no crawl has finished; ``CorpusError`` when that file is unreadable."""
    runs_dir = ws.corpus_dir() / "runs"
    runs = sorted(runs_dir.glob("*.json")) if runs_dir.is_dir() else []
    if not runs:
        return None
    try:
        summary = json.loads(runs[-1].read_text(encoding="utf-8"))
        if not isinstance(summary, dict):
            raise TypeError("not a JSON object")
    except (OSError, ValueError, TypeError) as exc:
        raise CorpusError(f"run summary {runs[-1]} is unreadable ({exc!r})", hint="tenkan refresh") from exc
    return summary

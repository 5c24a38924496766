"""The corpus directory: documents.jsonl export, manifest, run summaries, the lock,
and :func:`load_documents` for the stages downstream."""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from tenkan.errors import CorpusError, LockedError
from tenkan.manifest import atomic_write_json, atomic_write_text, write_manifest

__all__ = ["export_corpus", "load_documents", "corpus_lock", "write_run_summary", "DOCUMENTS", "STATE_DB"]

log = logging.getLogger(__name__)

DOCUMENTS = "documents.jsonl"
STATE_DB = "crawl.sqlite"


@contextmanager
def corpus_lock(ws) -> Iterator[None]:
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


def export_corpus(cfg, ws, state, summary, sites) -> int:
    """Write documents.jsonl (atomically) and manifest.json from the crawl state."""
    corpus = ws.corpus_dir(create=True)
    lines = [json.dumps(d, ensure_ascii=False) for d in state.iter_documents()]
    atomic_write_text(corpus / DOCUMENTS, "\n".join(lines) + ("\n" if lines else ""))
    sites_file = cfg.ingest.sites_file or str(Path(__file__).resolve().parent.parent / "data" / "sites.toml")
    write_manifest(
        corpus,
        "ingest.crawl",
        inputs={"sites_file": sites_file, "documents": corpus / DOCUMENTS},
        settings={"ingest": cfg.ingest, "sites": {n: {k: v for k, v in vars(s).items() if not k.startswith("_")}
                                                 for n, s in sites.items()}},
        extra={"documents": len(lines), "run_id": summary.run_id, "kind": summary.kind},
    )
    return len(lines)


def write_run_summary(ws, summary) -> Path:
    """Save the run summary to ``corpus/runs/<run-id>.json``."""
    path = ws.corpus_dir(create=True) / "runs" / f"{summary.run_id}.json"
    atomic_write_json(path, summary.to_dict())
    return path


def load_documents(ws) -> list[dict[str, Any]]:
    """The current version of every live document (``corpus/documents.jsonl``)."""
    path = ws.corpus_dir() / DOCUMENTS
    if not path.is_file():
        raise CorpusError(f"no corpus in {ws.root}: {path} is missing", hint="tenkan crawl")
    docs = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                docs.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise CorpusError(f"{path} line {n} is not valid JSON: {exc}", hint="tenkan crawl") from exc
    return docs

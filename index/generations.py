"""Index generations on disk and the atomic swap between them.

::

    var/index/CURRENT          "gen-7"  (replaced with os.replace: readers see old or new)
    var/index/gen-6/           previous generation (kept, ``keep_generations``)
    var/index/gen-7/           live generation
    var/index/.tmp-gen-8-<pid> a build in progress (deleted by the next build if it died)

A build writes every file of the new generation into a temporary directory,
fsyncs them, writes the manifest last (with each file's size and sha256),
renames the directory to ``gen-<n>`` and only then replaces ``CURRENT``. A
process killed at any point therefore leaves ``CURRENT`` naming a complete
generation: the old one, or the new one.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import re
import shutil
from pathlib import Path

from tenkan.errors import LockedError
from tenkan.manifest import atomic_write_text

__all__ = ["has_index", "current_name", "current_dir", "next_tmp_dir", "publish", "cleanup", "build_lock", "fsync_tree"]

log = logging.getLogger(__name__)

CURRENT = "CURRENT"
_GEN = re.compile(r"^gen-(\d+)$")
_TMP = re.compile(r"^\.tmp-gen-(\d+)-(\d+)$")


def current_name(index_dir: Path) -> str | None:
    p = index_dir / CURRENT
    if not p.is_file():
        return None
    name = p.read_text(encoding="utf-8").strip()
    return name or None


def current_dir(index_dir: Path) -> Path | None:
    name = current_name(index_dir)
    return index_dir / name if name else None


def has_index(ws) -> bool:
    """Whether workspace ``ws`` has a live index generation (``CURRENT`` names a directory)."""
    d = current_dir(ws.index_dir())
    return d is not None and d.is_dir()


def generation_number(name: str) -> int:
    m = _GEN.match(name)
    return int(m.group(1)) if m else 0


def _numbers(index_dir: Path) -> list[int]:
    out = []
    if index_dir.is_dir():
        for p in index_dir.iterdir():
            m = _GEN.match(p.name) or _TMP.match(p.name)
            if m:
                out.append(int(m.group(1)))
    return out


def next_tmp_dir(index_dir: Path) -> tuple[Path, int]:
    """A fresh temporary directory for generation n+1 (n = highest number seen)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    n = max(_numbers(index_dir), default=0) + 1
    tmp = index_dir / f".tmp-gen-{n}-{os.getpid()}"
    tmp.mkdir()
    return tmp, n


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(path: Path) -> None:
    """fsync every file and directory under ``path`` (so a rename publishes complete data)."""
    for root, dirs, files in os.walk(path):
        for f in files:
            fd = os.open(os.path.join(root, f), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _fsync_dir(Path(root))


def publish(tmp: Path, n: int, on_phase=None) -> Path:
    """Rename the finished ``tmp`` to ``gen-<n>`` and point CURRENT at it, atomically."""
    index_dir = tmp.parent
    final = index_dir / f"gen-{n}"
    fsync_tree(tmp)
    os.rename(tmp, final)
    _fsync_dir(index_dir)
    if on_phase:
        on_phase("renamed")
    atomic_write_text(index_dir / CURRENT, final.name + "\n")
    _fsync_dir(index_dir)
    return final


def cleanup(index_dir: Path, keep: int) -> list[str]:
    """Delete leftovers of dead builds and generations beyond the newest ``keep`` (never the live one)."""
    removed = []
    live = current_name(index_dir)
    gens = sorted((p for p in index_dir.iterdir() if _GEN.match(p.name)), key=lambda p: generation_number(p.name))
    old = [p for p in gens if p.name != live]
    for p in old[: max(0, len(old) - (keep - 1))]:
        shutil.rmtree(p, ignore_errors=True)
        removed.append(p.name)
    for p in index_dir.iterdir():
        m = _TMP.match(p.name)
        if m and int(m.group(2)) != os.getpid():
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p.name)
    if removed:
        log.info("index: removed %s", ", ".join(removed))
    return removed


@contextlib.contextmanager
def build_lock(lock_path: Path):
    """One index build per workspace at a time (an flock, released if the process dies)."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fh = open(lock_path, "a+")
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockedError(f"another index build holds {lock_path}",
                              hint="wait for it to finish (tenkan refresh / tenkan index)") from None
        yield
    finally:
        try:
            fcntl.flock(fh, fcntl.LOCK_UN)
        finally:
            fh.close()

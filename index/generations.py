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

This module owns what a generation is on disk: its files, its ``manifest.json``
(read as a :class:`GenerationManifest` by :func:`check_generation`) and the check that
a configured embedder matches the one it was built with (:func:`check_embedder`).
Nothing outside ``index/`` reads ``CURRENT`` or a generation's manifest by path.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from index.config import IndexConfig
from tenkan.errors import IndexCorruptError, IndexMismatchError, LockedError
from tenkan.manifest import MANIFEST, atomic_write_text, sha256_file

__all__ = ["has_index", "current_name", "current_dir", "live_generation", "live_manifest", "next_tmp_dir", "publish", "cleanup",
           "build_lock", "fsync_tree", "GenerationManifest", "check_generation", "check_embedder", "embedder_desc",
           "verify_files", "FORMAT", "FILES", "SENTENCE_FILE", "REBUILD"]

log = logging.getLogger(__name__)

CURRENT = "CURRENT"
#: version of the generation layout; a generation of another format is refused (rebuild it)
FORMAT = 1
#: files every generation has (their size and sha256 are in the manifest)
FILES = ("chunks.sqlite", "vectors.npy", "faiss.index")
#: sentence vectors, present when the generation was built with ``index.sentence_vectors``
SENTENCE_FILE = "sentences.npy"
REBUILD = "tenkan index --full"
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


def live_generation(ws) -> Path | None:
    """The directory of workspace ``ws``'s live generation, or None when there is no index."""
    index_dir = ws.index_dir()
    return current_dir(index_dir) if index_dir.is_dir() else None


def live_manifest(ws) -> GenerationManifest | None:
    """The live generation's manifest, read without loading the index (doctor, the corpus page):
    None when workspace ``ws`` has no index. The files are checked by size, not hashed;
    ``IndexCorruptError``/``IndexMismatchError`` as :func:`check_generation`."""
    gen = live_generation(ws)
    return None if gen is None else check_generation(gen, verify_hashes=False)


@dataclass(frozen=True)
class GenerationManifest:
    """A generation's ``manifest.json`` as ``index.build`` writes it.

    ``embedder`` is what identifies the embedding space (``name``, ``dim``, and for ``st:``
    models ``query_prefix``/``passage_prefix``); ``settings`` the index settings it was built
    with; ``build`` the build summary; ``files`` each file's size and sha256. ``raw`` is the
    whole JSON object, for display (``tenkan index --info``, the corpus page)."""

    path: Path
    format: int
    generation: int
    embedder: dict[str, Any]
    dim: int
    chunks: int
    documents: int
    sentences: int
    corpus_digest: str
    settings_digest: str
    faiss_index: str
    created: str
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    build: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def name(self) -> str:
        """The generation's directory name (``gen-7``)."""
        return self.path.name

    @property
    def embedder_name(self) -> str:
        return str(self.embedder["name"])

    @classmethod
    def from_dict(cls, path: Path, m: dict[str, Any]) -> GenerationManifest:
        """Raises KeyError/TypeError/ValueError on a manifest without the required keys."""
        if not isinstance(m, dict) or not isinstance(m["embedder"], dict):
            raise TypeError("the manifest and its 'embedder' must be JSON objects")
        str(m["embedder"]["name"])  # required
        return cls(
            path=path, format=m.get("format"), generation=int(m.get("generation", generation_number(path.name))),
            embedder=m["embedder"], dim=int(m["dim"]), chunks=int(m["chunks"]),
            documents=int(m.get("documents", 0)), sentences=int(m.get("sentences", 0)),
            corpus_digest=str(m.get("corpus_digest", "")), settings_digest=str(m.get("settings_digest", "")),
            faiss_index=str(m.get("faiss_index", "")), created=str(m.get("created", "")),
            files=dict(m.get("files") or {}), settings=dict(m.get("settings") or {}),
            build=dict(m.get("build") or {}), raw=m,
        )


def verify_files(gen_dir: Path, files: dict[str, dict[str, Any]], hashes: bool) -> None:
    """Every file the manifest lists is there with its size (and, when ``hashes``, its sha256)."""
    for f, meta in files.items():
        p = gen_dir / f
        if not p.is_file():
            raise IndexCorruptError(f"index file {p} is missing", hint=REBUILD)
        if p.stat().st_size != meta.get("size"):
            raise IndexCorruptError(f"index file {p} has the wrong size", hint=REBUILD)
        if hashes and sha256_file(p) != meta.get("sha256"):
            raise IndexCorruptError(f"index file {p} does not match its manifest checksum", hint=REBUILD)


def check_generation(gen_dir: Path, verify_hashes: bool = True) -> GenerationManifest:
    """Read and check a generation's manifest and files.

    Raises ``IndexCorruptError`` (missing or unreadable manifest, a file missing or not matching
    its size/sha256) or ``IndexMismatchError`` (another layout format); both name the rebuild."""
    mpath = gen_dir / MANIFEST
    if not gen_dir.is_dir() or not mpath.is_file():
        raise IndexCorruptError(f"index generation {gen_dir} is missing or has no manifest", hint=REBUILD)
    try:
        manifest = GenerationManifest.from_dict(gen_dir, json.loads(mpath.read_text(encoding="utf-8")))
    except (ValueError, KeyError, TypeError) as exc:
        raise IndexCorruptError(f"index manifest {mpath} is unreadable ({exc})", hint=REBUILD) from exc
    if manifest.format != FORMAT:
        raise IndexMismatchError(
            f"index at {gen_dir} has format {manifest.format!r}, this version reads {FORMAT}", hint=REBUILD)
    verify_files(gen_dir, manifest.files, verify_hashes)
    return manifest


def embedder_desc(icfg: IndexConfig) -> dict[str, str]:
    """What identifies the configured embedding space, without loading the model."""
    d = {"name": icfg.embedder}
    if icfg.embedder.startswith("st:"):
        d.update(query_prefix=icfg.query_prefix, passage_prefix=icfg.passage_prefix)
    return d


def check_embedder(manifest: GenerationManifest, want: dict[str, str]) -> None:
    """Refuse (``IndexMismatchError``) an embedder other than the one the generation was built with:
    vectors of different models (or of one model with other prefixes) cannot be compared or mixed.
    ``want`` is :func:`embedder_desc` of the settings, or ``{"name": ...}`` of a given embedder."""
    built = manifest.embedder
    if built["name"] == want["name"] and all(
            built.get(k, "") == want.get(k, "") for k in ("query_prefix", "passage_prefix")):
        return
    raise IndexMismatchError(
        f"the index at {manifest.path} was built with embedder {built['name']!r} ({manifest.dim}-d) but the "
        f"settings name {want['name']!r}; vectors of different models cannot be mixed",
        hint=f"{REBUILD}   (rebuild with the configured embedder; or --set index.embedder={built['name']} "
             "to use the index as built)",
    )


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

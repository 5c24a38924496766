"""Workspace layout. Every run-time artifact lives under one directory.

Resolution order: an explicit ``--home`` flag, then ``$TENKAN_HOME``, then
``var/`` in the current directory.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

#: Repository root (this file is ``<root>/tenkan/paths.py``).
REPO_ROOT = Path(__file__).resolve().parent.parent
#: Bundled data: demo site, site list, evaluation sets.
DATA_DIR = REPO_ROOT / "data"
DEMO_SITE_DIR = DATA_DIR / "demo_site"
SITES_FILE = DATA_DIR / "sites.toml"
EVAL_DIR = DATA_DIR / "eval"
DEFAULT_CONFIG_FILE = REPO_ROOT / "tenkan.toml"


#: How a path inside the workspace is written in artifacts (see :func:`portable_path`).
HOME_PREFIX = "$TENKAN_HOME"


def portable_path(path: str | os.PathLike, workspace: str | os.PathLike | None = None) -> str:
    """A path as artifacts record it, without this machine's directories:
    ``$TENKAN_HOME/<relative>`` inside the workspace, ``<relative>`` inside the
    repository, else the path as given (a file of the user's own, outside both)."""
    p = Path(path)
    try:
        resolved = p.resolve()
    except OSError:
        return str(p)
    if workspace is not None:
        try:
            rel = resolved.relative_to(Path(workspace).resolve()).as_posix()
            return HOME_PREFIX if rel == "." else f"{HOME_PREFIX}/{rel}"
        except ValueError:
            pass
    try:
        return resolved.relative_to(REPO_ROOT).as_posix() or "."
    except ValueError:
        return str(p)


def resolve_home(home: str | os.PathLike | None = None) -> Path:
    if home:
        return Path(home).expanduser().resolve()
    env = os.environ.get("TENKAN_HOME")
    if env:
        return Path(env).expanduser().resolve()
    return (Path.cwd() / "var").resolve()


@dataclass(frozen=True)
class Workspace:
    """The directories artifacts are written to. Nothing is created until asked."""

    root: Path

    @classmethod
    def from_home(cls, home: str | os.PathLike | None = None) -> "Workspace":
        return cls(resolve_home(home))

    def _dir(self, name: str, create: bool) -> Path:
        p = self.root / name
        if create:
            p.mkdir(parents=True, exist_ok=True)
        return p

    def corpus_dir(self, create: bool = False) -> Path:
        """Crawl state (SQLite) and documents (JSONL)."""
        return self._dir("corpus", create)

    def index_dir(self, create: bool = False) -> Path:
        """Index generations and the pointer to the current one."""
        return self._dir("index", create)

    def datasets_dir(self, create: bool = False) -> Path:
        return self._dir("datasets", create)

    def adapters_dir(self, create: bool = False) -> Path:
        return self._dir("adapters", create)

    def models_dir(self, create: bool = False) -> Path:
        """Converted model cache (e.g. GGUF → safetensors)."""
        return self._dir("models", create)

    def runs_dir(self, create: bool = False) -> Path:
        """Evaluation runs."""
        return self._dir("runs", create)

    def logs_dir(self, create: bool = False) -> Path:
        return self._dir("logs", create)

    def feedback_dir(self, create: bool = False) -> Path:
        """Ratings given in the app."""
        return self._dir("feedback", create)

    def lock_path(self, name: str) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        return self.root / f".{name}.lock"

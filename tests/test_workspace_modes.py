"""Artifacts get the permissions the umask gives, so an app running as another user
can read what a ``User=tenkan`` refresh wrote (README's systemd unit)."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def umask(mask: int):
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.parametrize("mask", [0o022, 0o027, 0o077, 0o002])
def test_atomic_write_gives_the_umask_mode(tmp_path, mask):
    from tenkan.manifest import atomic_write_json, atomic_write_text, current_umask

    with umask(mask):
        assert current_umask() == mask
        atomic_write_text(tmp_path / "a.txt", "x")
        atomic_write_json(tmp_path / "b.json", {"k": 1})
        with open(tmp_path / "plain.txt", "w") as fh:  # what open() gives, for comparison
            fh.write("x")
    for name in ("a.txt", "b.json"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o666 & ~mask
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == stat.S_IMODE((tmp_path / "plain.txt").stat().st_mode)
    assert not list(tmp_path.glob(".*.tmp")), "no temporary file is left behind"


def _build(root: Path, server) -> Path:
    """Crawl the demo site and index it (fast hash embedder) into workspace ``root``."""
    from tenkan.face.refresh import refresh
    from tenkan.face.config import load_config
    from tenkan.paths import Workspace

    cfg = load_config(None, [f"ingest.mirror={{\"http://127.0.0.1:8765\" = {json.dumps(server.base_url)}}}",
                             "index.embedder=hash:256"])
    ws = Workspace(root)
    summary = refresh(cfg, ws)
    assert summary.ok and summary.index == "updated", summary.format()
    return root


def _modes(root: Path) -> dict[str, tuple[bool, int]]:
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for n in dirnames + filenames:
            p = Path(dirpath) / n
            if p.is_symlink():
                continue
            out[str(p.relative_to(root))] = (p.is_dir(), stat.S_IMODE(p.stat().st_mode))
    return out


@pytest.fixture
def shared_dir():
    """A directory other users may enter (pytest's own tmp root is 0700)."""
    d = Path(tempfile.mkdtemp(prefix="tenkan-modes-"))
    d.chmod(0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def test_built_workspace_is_readable_by_another_user(shared_dir, demo_site):
    with umask(0o022):
        root = _build(shared_dir / "home", demo_site)
    modes = _modes(root)
    for must in ("index/CURRENT", "corpus/documents.jsonl", "corpus/manifest.json", "corpus/crawl.sqlite"):
        assert must in modes, must
    assert any(k.endswith("/manifest.json") and k.startswith("index/gen-") for k in modes)
    wrong = {k: oct(m) for k, (is_dir, m) in modes.items()
             if m != (0o755 if is_dir else 0o644)}
    assert not wrong, f"not the umask 022 mode: {wrong}"

    if os.geteuid() == 0:
        try:
            import pwd

            pwd.getpwnam("nobody")
        except KeyError:
            pytest.skip("no 'nobody' user to read as")
        # root reads anything, so read as a real second user (system binaries only: the
        # virtualenv's python may live where nobody cannot go)
        r = subprocess.run(["find", str(root), "-type", "f", "-exec", "cat", "{}", "+"], user="nobody",
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        cur = subprocess.run(["cat", str(root / "index" / "CURRENT")], user="nobody", capture_output=True,
                             text=True, timeout=10)
        assert cur.returncode == 0 and cur.stdout.strip().startswith("gen-")


def test_a_stricter_umask_is_respected(shared_dir, demo_site):
    with umask(0o027):
        root = _build(shared_dir / "home", demo_site)
    wrong = {k: oct(m) for k, (is_dir, m) in _modes(root).items()
             if m != (0o750 if is_dir else 0o640)}
    assert not wrong, f"not the umask 027 mode: {wrong}"

"""Shared test fixtures.

Real components where a user has them: the demo site is served by a real HTTP
server on 127.0.0.1, the corpus is a real SQLite file, the index a real FAISS
index. Stage-specific shared fixtures live in ``tests/fixtures/<stage>.py``.
"""

from __future__ import annotations

import os

import pytest

# Offline, always: no hub downloads, no telemetry.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("RAGAS_DO_NOT_TRACK", "true")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

pytest_plugins = [
    "tests.fixtures.ingest",
    "tests.fixtures.index",
    "tests.fixtures.generator",
    "tests.fixtures.assistant",
    "tests.fixtures.eval",
]


@pytest.fixture(scope="session")
def demo_site():
    """The bundled demo site served on a free loopback port for the whole session."""
    from ingest.demo_server import DemoSiteServer

    with DemoSiteServer(port=0) as srv:
        yield srv


@pytest.fixture
def workspace(tmp_path):
    """An empty workspace directory (what ``--home`` points at)."""
    from tenkan.paths import Workspace

    return Workspace(tmp_path / "home")


@pytest.fixture
def config():
    """Default settings, as a user without a config file gets them."""
    from tenkan.face.config import load_config

    return load_config()


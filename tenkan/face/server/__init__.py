"""``tenkan serve``: the assistant behind an OpenAI-compatible HTTP API.

A face of the project (like the CLI and the app): it composes the stages and none of
them imports it. Starlette and uvicorn load only when a server is made."""

from __future__ import annotations

import importlib

__all__ = ["create_app", "ServeConfig", "ServerThread", "serve"]

_WHERE = {
    "create_app": "tenkan.face.server.app",
    "ServeConfig": "tenkan.face.server.config",
    "ServerThread": "tenkan.face.server.runner",
    "serve": "tenkan.face.server.runner",
}


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'tenkan.face.server' has no attribute {name!r}")

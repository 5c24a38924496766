"""Which answer mode runs: ``auto`` resolved, and which generator a mode needs.

``auto`` is the default a patient gets: the tuned model with sources (``rag-ft``) when a tuned
adapter is here and its base model can be loaded without a download, else the extractive
answer (quotes, no model). Either way every generated answer still falls back to quoting its
sources when the citation check rejects it, so ``auto`` never answers worse than its checks.
"""

from __future__ import annotations

import logging

from generator.config import GeneratorSettings
from generator.inference import find_adapter
from generator.sources import loadable
from tenkan.errors import TenkanError
from tenkan.paths import Workspace
from tenkan.vocab import FT_MODES, MODE_SETTINGS, MODES, Mode

__all__ = ["resolve_mode", "generator_key"]

log = logging.getLogger(__name__)


def generator_key(mode: Mode) -> str | None:
    """Which generator a mode runs: ``"ft"`` (tuned adapter), ``"base"``, or None (extractive)."""
    if mode == "extractive":
        return None
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}")
    return "ft" if mode in FT_MODES else "base"


def resolve_mode(mode: str, cfg: GeneratorSettings, ws: Workspace) -> Mode:
    """``mode`` itself, or for ``auto``: ``rag-ft`` when a tuned adapter is found
    (``generator.find_adapter``) and the base model is loadable, else ``extractive``."""
    if mode not in MODE_SETTINGS:
        raise TenkanError(f"unknown mode {mode!r}", hint=f"use one of {', '.join(MODE_SETTINGS)}")
    if mode != "auto":
        return mode  # type: ignore[return-value]
    try:
        adapter = find_adapter(ws, cfg)
    except Exception as exc:  # noqa: BLE001 - auto never fails: it falls back to quoting
        log.info("auto mode: no adapter (%s); answering extractively", exc)
        return "extractive"
    if adapter is not None and loadable(cfg.generator.base_model):
        return "rag-ft"
    return "extractive"

"""What ``tenkan-auto`` means until the assistant has an ``auto`` mode of its own.

:func:`auto_mode` is deliberately small and the only place that decides it, so that a
later ``assistant.mode = "auto"`` can replace it: the tuned model with sources
(``rag-ft``) when a tuned adapter is present and its base model can be loaded here,
else the extractive answer (quotes, no model).
"""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path

import generator
from generator.sources import parse_source
from tenkan.vocab import FT_MODES, MODES

__all__ = ["auto_mode", "generator_key", "base_model_loadable"]

log = logging.getLogger(__name__)


def generator_key(mode: str) -> str | None:
    """Which generator a mode runs: ``"ft"`` (tuned adapter), ``"base"``, or None (extractive)."""
    if mode == "extractive":
        return None
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}")
    return "ft" if mode in FT_MODES else "base"


def base_model_loadable(gcfg, ws) -> bool:
    """Can ``generator.base_model`` be loaded on this machine without a download?

    An endpoint counts as loadable (it is checked on first use), a ``gguf-pkg:`` source when
    its package is installed, a Hugging Face id when it is a local directory or already in the
    local hub cache."""
    try:
        src = parse_source(gcfg.base_model)
    except Exception:  # noqa: BLE001 - a bad source is simply not loadable
        return False
    if src.is_remote:
        return True
    if src.kind == "gguf-pkg":
        return importlib.util.find_spec(src.ref.replace("-", "_")) is not None
    p = Path(src.ref)
    if p.is_dir():
        return (p / "config.json").is_file()
    try:
        from huggingface_hub import try_to_load_from_cache

        return isinstance(try_to_load_from_cache(src.ref, "config.json"), str)
    except Exception:  # noqa: BLE001
        return False


def auto_mode(cfg, ws) -> str:
    """``rag-ft`` when a tuned adapter is found (``generator.find_adapter``) and the base model
    is loadable, else ``extractive``."""
    try:
        adapter = generator.find_adapter(ws, cfg)
    except Exception as exc:  # noqa: BLE001 - auto never fails: it falls back to quoting
        log.info("tenkan-auto: no adapter (%s); answering extractively", exc)
        return "extractive"
    if adapter is not None and base_model_loadable(cfg.generator, ws):
        return "rag-ft"
    return "extractive"

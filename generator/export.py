"""``tenkan export-adapter --merged DIR``: base model + LoRA adapter merged into one plain
transformers model (safetensors + tokenizer), for engines that do not load PEFT adapters:
``AutoModelForCausalLM.from_pretrained(DIR)``, ``vllm serve DIR``, or llama.cpp's
``convert_hf_to_gguf.py DIR`` followed by ``llama-server``.

The merge is PEFT's ``merge_and_unload`` in float32 (bfloat16 on request); greedy output of
the merged model equals base + adapter (tests/test_generator_export.py checks it).
"""

from __future__ import annotations

import logging
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from generator.config import GeneratorSettings
from generator.inference import _adapter_path
from generator.sources import parse_source, resolve_local_dir
from tenkan.errors import ConfigError, ModelUnavailableError
from tenkan.manifest import sha256_file, write_manifest
from tenkan.paths import Workspace

__all__ = ["export_merged", "ExportSummary"]

log = logging.getLogger(__name__)


@dataclass
class ExportSummary:
    out_dir: Path
    base_model: str
    adapter_dir: Path
    seconds: float


def export_merged(cfg: GeneratorSettings, ws: Workspace, out_dir: str | Path, *, adapter: str | Path | None = None,
                  dtype: str = "float32", overwrite: bool = False) -> ExportSummary:
    """Merge ``adapter`` (default ``generator.adapter``) into ``generator.base_model`` and save
    the result to ``out_dir`` (written beside it first, then renamed: no half-written model)."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    g = cfg.generator
    if dtype not in ("float32", "bfloat16"):
        raise ConfigError(f"dtype must be float32 or bfloat16, not {dtype!r}")
    if parse_source(g.base_model).is_remote:
        raise ConfigError("cannot merge into an HTTP endpoint", hint="set generator.base_model to local weights")
    out = Path(out_dir)
    if out.exists() and any(out.iterdir()) and not overwrite:
        raise ConfigError(f"{out} exists and is not empty", hint="choose a new directory or pass --force")
    adir = _adapter_path(ws, adapter if adapter is not None else g.adapter)
    t0 = time.perf_counter()
    base_dir = resolve_local_dir(g.base_model, ws)
    try:
        tok = AutoTokenizer.from_pretrained(base_dir)
        model = AutoModelForCausalLM.from_pretrained(base_dir, dtype=torch.float32)
    except OSError as exc:
        raise ModelUnavailableError(f"cannot load base model {g.base_model!r}: {exc}",
                                    hint="name a local directory or a gguf-pkg: source") from exc
    merged = PeftModel.from_pretrained(model, str(adir)).merge_and_unload()
    if dtype == "bfloat16":
        merged = merged.to(torch.bfloat16)
    merged.eval()
    tmp = out.with_name(f".{out.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    merged.save_pretrained(str(tmp), safe_serialization=True)
    tok.save_pretrained(str(tmp))
    for extra in ("training_card.json", "README.md"):
        if (adir / extra).is_file():
            shutil.copy2(adir / extra, tmp / f"adapter_{extra}")
    write_manifest(tmp, "tenkan export-adapter --merged",
                   inputs={"adapter_model": adir / "adapter_model.safetensors"},
                   extra={"base_model": str(parse_source(g.base_model)), "adapter": adir.name, "dtype": dtype,
                          "template": g.template,
                          "adapter_sha256": sha256_file(adir / "adapter_model.safetensors")})
    if out.exists():
        shutil.rmtree(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp.rename(out)
    secs = time.perf_counter() - t0
    log.info("merged %s into %s → %s in %.1f s", adir, g.base_model, out, secs)
    return ExportSummary(out, str(parse_source(g.base_model)), adir, round(secs, 1))

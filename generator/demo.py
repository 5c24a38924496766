"""The committed demo adapter (``data/adapters/demo/``) and how to rebuild it:
``train_demo_adapter(cfg, ws)`` is what ``tenkan demo --train`` calls.

The recipe is the project's default one (docs/training.md: contexts from the real retriever
as sentence windows, gold passage in about 80% of them, patient-style questions, targets that
cite their passage, the ``small-all-linear`` LoRA preset, early stopping on dev loss), sized
to stay under 90 minutes of a quiet 2-core CPU for Gemma 3 270M: one styled variant per
page question instead of two (about 500 context examples instead of about 770) and one epoch.
The dataset is built under its own name (``demo-raft``) so it never mixes with the
default-sized ``tenkan dataset`` output.
"""

from __future__ import annotations

import copy
import logging
import shutil
from pathlib import Path
from typing import Iterable

from generator.config import GeneratorSettings
from generator.dataset import build_dataset
from generator.training import train
from tenkan.paths import Workspace

__all__ = ["DEMO_DATASET", "DEMO_TRAIN_SETTINGS", "train_demo_adapter", "demo_config"]

log = logging.getLogger(__name__)

#: Name of the dataset the demo adapter is trained on.
DEMO_DATASET = "demo-raft"

#: Overrides on top of the user's [generator] settings for the CPU demo run.
DEMO_TRAIN_SETTINGS = {
    "lora_preset": "small-all-linear",  # every linear layer, r=16 (bench/results/train.json: pilot)
    "train_shapes": ["closed", "context"],
    "styled_questions": 1,              # CPU-sized: one patient-style variant per page question
    # the gold passage where the retriever ranked it (nearly always [1]). A retrain with it at a random
    # position (RAFT's shuffle) cited all four positions but kept fewer of its own answers on the style
    # set's test half (0.35 vs 0.56) and fewer of those cited a gold page (0.71 vs 0.82): docs/training.md
    "gold_position": "retrieved",
    "max_length": 768,                  # context prompts are ~420 tokens (3 windows of 180 characters)
    "batch_size": 4,
    "grad_accum": 1,
    "epochs": 1.0,
    "max_steps": 0,
    "eval_steps": 64,                   # dev loss every 64 steps; the best adapter is kept
    "early_stop_patience": 2,
    "save_steps": 25,
}


def demo_config(cfg: GeneratorSettings) -> GeneratorSettings:
    c = copy.deepcopy(cfg)
    for k, v in DEMO_TRAIN_SETTINGS.items():
        setattr(c.generator, k, v)
    c.generator.__post_init__()
    return c


def train_demo_adapter(cfg: GeneratorSettings, ws: Workspace, *, dataset: str | None = None, commit_dir: Path | None = None,
                       resume: bool = False, progress: bool = True, exclude_questions: Iterable[str] = ()):
    """Build the demo dataset if missing (needs the index), train the demo adapter into
    ``var/adapters/demo/``, and copy it to ``commit_dir`` (e.g. ``data/adapters/demo``) when given."""
    c = demo_config(cfg)
    name = dataset or DEMO_DATASET
    if not (ws.datasets_dir() / name / "train.jsonl").is_file():
        build_dataset(c, ws, name, exclude_questions=exclude_questions)
    note = ("CPU demo run of the RAFT recipe: one epoch over closed-book and retrieval-shaped context examples "
            "(3 sources as 180-character sentence windows, gold ~80%, one patient-style variant per page question, "
            "small-all-linear LoRA, best dev loss kept).")
    s = train(c, ws, dataset=name, out_name="demo", resume=resume, progress=progress, note=note)
    if commit_dir is not None:
        commit_dir = Path(commit_dir)
        shutil.rmtree(commit_dir, ignore_errors=True)
        shutil.copytree(s.adapter_dir, commit_dir, ignore=shutil.ignore_patterns("checkpoints"))
        log.info("copied the demo adapter to %s", commit_dir)
    return s


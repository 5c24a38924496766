"""The committed demo adapter (``data/adapters/demo/``) and how to rebuild it:
``train_demo_adapter(cfg, ws)`` is what ``tenkan demo --train`` calls.

Settings are chosen to fit well under an hour of a quiet 2-core CPU for Gemma 3
270M (fp32, 262k-token vocabulary): one epoch over both example shapes, with the
context-conditioned inputs made CPU-sized (one distractor, 200 characters per
source, so an example is about 400 tokens instead of about 540; at the default
``max_length`` of 512 most default-sized context examples would be dropped).
The dataset is built under its own name (``demo-cpu``) so it never mixes with
the default-sized ``tenkan dataset`` output.
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
DEMO_DATASET = "demo-cpu"

#: Overrides on top of the user's [generator] settings for the CPU demo run.
DEMO_TRAIN_SETTINGS = {
    "lora_preset": "alpaca-lora",   # r=8, alpha=16, q_proj/v_proj
    "learning_rate": 1e-3,          # raised from 3e-4: one short epoch is all a CPU affords
    "train_shapes": ["closed", "context"],
    "distractors": 1,               # CPU-sized context inputs (see the module docstring)
    "context_chars": 200,
    "max_length": 448,
    "batch_size": 4,
    "grad_accum": 1,
    "epochs": 1.0,
    "max_steps": 0,
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
    note = ("CPU demo run: one epoch over closed-book and context-conditioned examples "
            "(1 distractor, 200 characters per source, max_length 448).")
    s = train(c, ws, dataset=name, out_name="demo", resume=resume, progress=progress, note=note)
    if commit_dir is not None:
        commit_dir = Path(commit_dir)
        shutil.rmtree(commit_dir, ignore_errors=True)
        shutil.copytree(s.adapter_dir, commit_dir, ignore=shutil.ignore_patterns("checkpoints"))
        log.info("copied the demo adapter to %s", commit_dir)
    return s


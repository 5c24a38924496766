"""The committed demo adapter (``data/adapters/demo/``) and how to rebuild it:
``train_demo_adapter(cfg, ws)`` is what ``tenkan demo --train`` calls.

Settings are chosen to fit about 20 minutes of a shared 2-core CPU for Gemma 3
270M (fp32, 262k-token vocabulary): closed-book examples only, short sequences,
a capped number of steps -- less than one epoch, which the training card says.
"""

from __future__ import annotations

import copy
import logging
import shutil
from pathlib import Path

from generator.inference import DEMO_ADAPTER_DIR
from tenkan.paths import Workspace

__all__ = ["DEMO_TRAIN_SETTINGS", "train_demo_adapter", "demo_config"]

log = logging.getLogger(__name__)

#: Overrides on top of the user's [generator] settings for the CPU demo run.
DEMO_TRAIN_SETTINGS = {
    "lora_preset": "alpaca-lora",   # r=8, alpha=16, q_proj/v_proj
    "learning_rate": 1e-3,          # raised from 3e-4: only a few dozen steps fit the CPU budget
    "train_shapes": ["closed"],     # context-conditioned inputs are ~3x longer
    "max_length": 192,
    "batch_size": 4,
    "grad_accum": 1,
    "max_steps": 20,
    "save_steps": 5,
}


def demo_config(cfg):
    c = copy.deepcopy(cfg)
    for k, v in DEMO_TRAIN_SETTINGS.items():
        setattr(c.generator, k, v)
    c.generator.__post_init__()
    return c


def train_demo_adapter(cfg, ws: Workspace, *, dataset: str | None = None, commit_dir: Path | None = None,
                       resume: bool = False, progress: bool = True):
    """Build the demo dataset if missing (needs the index), train the demo adapter into
    ``var/adapters/demo/``, and copy it to ``commit_dir`` (e.g. ``data/adapters/demo``) when given."""
    from generator.dataset import build_dataset
    from generator.training import train

    c = demo_config(cfg)
    name = dataset or c.generator.dataset
    if not (ws.datasets_dir() / name / "train.jsonl").is_file():
        build_dataset(c, ws, name)
    note = ("CPU demo run: closed-book examples only, max_length 192, capped steps; "
            "see epochs_completed for how much of the training split it saw.")
    s = train(c, ws, dataset=name, out_name="demo", resume=resume, progress=progress, note=note)
    if commit_dir is not None:
        commit_dir = Path(commit_dir)
        shutil.rmtree(commit_dir, ignore_errors=True)
        shutil.copytree(s.adapter_dir, commit_dir, ignore=shutil.ignore_patterns("checkpoints"))
        log.info("copied the demo adapter to %s", commit_dir)
    return s


if __name__ == "__main__":  # pragma: no cover - manual rebuild of the committed adapter
    import sys

    from tenkan.config import load_config

    logging.basicConfig(level=logging.INFO)
    home = sys.argv[1] if len(sys.argv) > 1 else None
    train_demo_adapter(load_config(), Workspace.from_home(home), commit_dir=DEMO_ADAPTER_DIR, progress=False)

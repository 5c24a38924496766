"""generator stage: instruction data, model sources, Prompter + templates, LoRA
training and inference. Nothing heavy is imported here; names load lazily."""

from __future__ import annotations

import importlib

__all__ = ["Prompter", "load_generator", "find_adapter", "Generator", "build_dataset", "train",
           "train_demo_adapter", "parse_source"]

_WHERE = {
    "Prompter": "generator.prompter",
    "load_generator": "generator.inference",
    "find_adapter": "generator.inference",
    "Generator": "generator.inference",
    "build_dataset": "generator.dataset",
    "train": "generator.training",
    "train_demo_adapter": "generator.demo",
    "parse_source": "generator.sources",
}


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'generator' has no attribute {name!r}")

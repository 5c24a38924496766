"""generator stage: instruction data, model sources, Prompter + templates, LoRA
training and inference.

torch, transformers, peft, accelerate, bitsandbytes, gguf and llama_cpp are imported inside
the functions that need them, never at a module's top: they take seconds to import and
``tenkan --help``, the app's first paint and every stage above this one import these modules.
Our own modules are imported at the top; the names below load lazily only to keep
``import generator`` itself free."""

from __future__ import annotations

import importlib

__all__ = ["Prompter", "load_generator", "find_adapter", "Generator", "build_dataset", "train",
           "train_demo_adapter", "parse_source", "prompt_shape_mismatch"]

_WHERE = {
    "Prompter": "generator.prompter",
    "load_generator": "generator.inference",
    "find_adapter": "generator.inference",
    "prompt_shape_mismatch": "generator.inference",
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

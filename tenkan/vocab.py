"""The project's shared words, defined once.

Answer modes, retrieval methods and grounding states are spelled here and nowhere
else: stage configs validate against these tuples, the CLI offers them as choices,
the app lists them and eval iterates over them. Each is a ``Literal`` (for type
checks and readers) plus the tuple of its values in their canonical order.
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = [
    "Mode", "MODES", "RAG_MODES", "FT_MODES", "ModeSetting", "MODE_SETTINGS",
    "Method", "METHODS",
    "Grounding", "GROUNDINGS", "MODEL_STATES",
]

#: How an answer is made: retrieval + tuned model, tuned model alone, retrieval + base model,
#: base model alone, or quoting retrieved sentences without a model.
Mode = Literal["rag-ft", "ft", "rag-base", "base", "extractive"]
MODES: tuple[Mode, ...] = get_args(Mode)
#: what a setting, the CLI or the app may ask for: a mode, or ``auto`` (the assistant picks: rag-ft when a tuned
#: adapter and its base model are here, else extractive; ``assistant.modes.resolve_mode``)
ModeSetting = Literal["auto", "rag-ft", "ft", "rag-base", "base", "extractive"]
MODE_SETTINGS: tuple[ModeSetting, ...] = get_args(ModeSetting)
#: modes that retrieve sources before answering
RAG_MODES: tuple[Mode, ...] = ("rag-ft", "rag-base", "extractive")
#: modes that load the tuned adapter
FT_MODES: tuple[Mode, ...] = ("rag-ft", "ft")

#: How the index is searched: BM25 and dense fused by reciprocal rank, or one of them alone.
Method = Literal["hybrid", "bm25", "dense"]
METHODS: tuple[Method, ...] = get_args(Method)

#: What the citation check concluded about an answer (``Answer.grounding``); the meaning of
#: each is ``assistant.answer.GROUNDING_STATES``.
Grounding = Literal["verified", "pruned", "extractive", "fallback", "unverified", "no_sources", "out_of_scope"]
GROUNDINGS: tuple[Grounding, ...] = get_args(Grounding)
#: states in which the model's own text was kept (eval's ``model_grounded``)
MODEL_STATES: tuple[Grounding, ...] = ("verified", "pruned")

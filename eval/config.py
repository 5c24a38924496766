"""Settings of the evaluation stage."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import Protocol

from assistant.config import AssistantConfig
from generator.config import GeneratorConfig
from index.config import IndexConfig
from tenkan.config import check_types, option
from tenkan.vocab import METHODS, Method, Mode

EXAM_SCORINGS = ("auto", "loglik", "generate")
EXAM_LOGLIK_TARGETS = ("letter", "text")


def exam_formats() -> list[str]:
    """The prompt formats in ``eval/exam_templates/``."""
    return sorted(p.name[:-5] for p in resources.files("eval.exam_templates").iterdir() if p.name.endswith(".json"))


@dataclass
class EvalConfig:
    questions: str = option("", "evaluation set (JSONL); empty = the bundled data/eval/questions.jsonl; 'none' = skip it")
    dataset: str = option("auto", "instruction dataset whose test.jsonl is also evaluated: a name under "
                                  "datasets/, 'auto' = the newest one present, '' or 'none' = skip")
    modes: list[Mode] = option(["rag-ft", "ft", "rag-base", "extractive"], "answer modes to compare")
    limit: int = option(0, "evaluate only the first N questions of each set (0 = all)")
    bootstrap: int = option(1000, "bootstrap resamples for confidence intervals")
    seed: int = option(0, "random seed")
    ks: list[int] = option([1, 3, 5, 10], "k values of retrieval recall@k (pages)")
    retrieval_methods: list[Method] = option(list(METHODS), "retrieval methods scored against the gold pages")
    meteor_wordnet: str = option("none", "METEOR synonym stage: 'none' (synonym-free, exact+stem; the default), "
                                         "'debian' (/usr/share/wordnet from apt wordnet-base + wordnet-sense-index) or a WordNet dict directory")
    semantic_similarity: bool = option(True, "compute ragas semantic similarity with the index's embedder")
    judge: str = option("", "LLM judge for faithfulness/answer relevancy/context precision: 'openai:<base url>', "
                            "'hf:<id or dir>', or '' (none: those metrics are reported as not computed)")
    judge_model: str = option("", "model name sent to an OpenAI-compatible judge")
    judge_api_key_env: str = option("OPENAI_API_KEY", "environment variable holding the judge's API key")
    exam_formats: list[str] = option(["plain", "cot"], "exam prompt formats (eval/exam_templates/<name>.json): 'plain' "
                                                       "(letters only), 'cot' (reason, then answer; generation scoring only)")
    exam_modes: list[Mode] = option(["rag-ft", "ft"], "exam generators: ft/base, rag-* adds retrieved context, "
                                                     "'extractive' picks choices by overlap with retrieved text")
    exam_scoring: str = option("auto", "how exam answers are scored: 'loglik' (the choice with the highest "
                                       "log-likelihood, local models), 'generate' (letters parsed from a generated "
                                       "response), 'auto' (loglik for local models, generate for endpoints)")
    exam_loglik_target: str = option("letter", "what log-likelihood scoring compares: 'letter' (each choice's letter) "
                                               "or 'text' (each choice's text, per character)")
    exam_max_new_tokens: int = option(96, "generation limit for exam answers (times the format's max_new_tokens_factor)")

    def __post_init__(self) -> None:
        check_types(self)
        if self.bootstrap < 0:
            raise ValueError("bootstrap must be >= 0")
        if self.limit < 0:
            raise ValueError("limit must be >= 0")
        formats = exam_formats()
        for f in self.exam_formats:
            if f not in formats:
                raise ValueError(f"unknown exam format {f!r}; valid: {', '.join(formats)} (eval/exam_templates/)")
        if self.exam_scoring not in EXAM_SCORINGS:
            raise ValueError(f"exam_scoring must be one of {', '.join(EXAM_SCORINGS)}")
        if self.exam_loglik_target not in EXAM_LOGLIK_TARGETS:
            raise ValueError(f"exam_loglik_target must be one of {', '.join(EXAM_LOGLIK_TARGETS)}")
        if not self.ks or any(k < 1 for k in self.ks):
            raise ValueError("ks must be positive integers")
        if self.judge and not (self.judge.startswith(("openai:", "hf:")) or "/" in self.judge):
            raise ValueError("judge must be 'openai:<url>', 'hf:<id or dir>' or empty")


class EvalSettings(Protocol):
    """What the evaluation stage reads of the composed settings (``tenkan.face.config.TenkanConfig``)."""

    index: IndexConfig
    generator: GeneratorConfig
    assistant: AssistantConfig
    eval: EvalConfig

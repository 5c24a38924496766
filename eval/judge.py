"""LLM-judged metrics with Japanese prompts: faithfulness, answer relevancy,
context precision.

These follow ragas's definitions but are this project's own implementations:
ragas 0.4's LLM metrics need an instructor-wrapped client and their prompts
are English, which makes small judges answer in English or fail on Japanese
answers. Here every prompt is Japanese and asks for a one-word verdict
(「はい」/「いいえ」) or one question, which small judges manage:

* ``faithfulness``  -- share of the answer's sentences (split by
  :func:`tenkan.jatext.split_sentences`) the judge says follow from the
  retrieved context;
* ``answer_relevancy`` -- mean cosine between the question and questions the
  judge writes back from the answer (needs the embedder);
* ``llm_context_precision`` -- ragas's average precision over the retrieved
  chunks, each judged useful or not for reaching the reference answer.

Judges: ``openai:<base url>`` (any OpenAI-compatible chat endpoint; model from
``eval.judge_model``, key from the environment variable ``eval.judge_api_key_env``)
or ``hf:<id or local dir>`` / a local directory (a transformers causal LM).
Without a judge nothing here runs, and the report says "not computed".

The prompts are data files, ``eval/judge_templates/<metric>.txt`` (:func:`judge_prompt`), like the
answer templates under ``generator/templates/`` and the exam formats under ``eval/exam_templates/``.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import string
from dataclasses import dataclass
from importlib import resources
from typing import Any, Callable, Sequence

import numpy as np

from generator.openai_client import OpenAIClient
from generator.sources import load_model_and_tokenizer
from tenkan.errors import ConfigError
from tenkan.jatext import split_sentences

__all__ = ["JUDGE_METRICS", "JUDGE_PROMPTS", "judge_prompt", "Judge", "OpenAIJudge", "TransformersJudge", "load_judge",
           "JudgeScorer", "parse_verdict"]

log = logging.getLogger(__name__)

JUDGE_METRICS = ("faithfulness", "answer_relevancy", "llm_context_precision")

#: the prompt of each metric: ``eval/judge_templates/<name>.txt`` (see the README there)
JUDGE_PROMPTS = {"faithfulness": ("context", "statement"), "answer_relevancy": ("answer",),
                 "context_precision": ("question", "reference", "context")}


@functools.lru_cache(maxsize=None)
def judge_prompt(name: str) -> str:
    """The judge prompt ``name`` (a key of :data:`JUDGE_PROMPTS`), as written in its template file less the
    file's final newline; a template that lacks one of its variables is a :class:`ConfigError`."""
    if name not in JUDGE_PROMPTS:
        raise ConfigError(f"unknown judge prompt {name!r}; valid: {', '.join(JUDGE_PROMPTS)}")
    text = resources.files("eval.judge_templates").joinpath(f"{name}.txt").read_text(encoding="utf-8")
    text = text[:-1] if text.endswith("\n") else text
    have = {f for _, f, _, _ in string.Formatter().parse(text) if f}
    if have != set(JUDGE_PROMPTS[name]):
        raise ConfigError(f"judge prompt eval/judge_templates/{name}.txt has variables {sorted(have)}, "
                          f"needs {sorted(JUDGE_PROMPTS[name])}")
    return text


class Judge:
    """A judge model: ``complete(prompt) -> text``."""

    name = "judge"

    def complete(self, prompt: str, max_tokens: int = 64) -> str:  # pragma: no cover - interface
        raise NotImplementedError


@dataclass
class OpenAIJudge(Judge):
    """A judge behind an OpenAI-compatible chat endpoint, through the project's one
    endpoint client (retries on 429/5xx/connection errors, errors as
    :class:`tenkan.errors.ModelUnavailableError`)."""

    base_url: str
    model: str = ""
    api_key: str = ""
    timeout_s: float = 60.0
    retries: int = 3

    def __post_init__(self) -> None:
        self._client = OpenAIClient(self.base_url, api_key=self.api_key or None, timeout=self.timeout_s,
                                    max_retries=self.retries)

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"openai:{self.base_url}#{self.model}"

    def complete(self, prompt: str, max_tokens: int = 64) -> str:
        return self._client.complete(prompt, model=self.model or "default", api="chat", max_tokens=max_tokens,
                                     temperature=0.0)


class TransformersJudge(Judge):
    """A local causal LM (HF id or directory) used greedily; chat template when it has one."""

    def __init__(self, spec: str, ws):
        self.spec = spec
        self.model, self.tokenizer = load_model_and_tokenizer(spec, ws)

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"hf:{self.spec}"

    def complete(self, prompt: str, max_tokens: int = 64) -> str:
        import torch

        tok = self.tokenizer
        if getattr(tok, "chat_template", None):
            text = tok.apply_chat_template([{"role": "user", "content": prompt}], tokenize=False,
                                           add_generation_prompt=True)
        else:
            text = prompt
        enc = tok(text, return_tensors="pt")
        with torch.no_grad():
            out = self.model.generate(**enc, max_new_tokens=max_tokens, do_sample=False,
                                      pad_token_id=tok.pad_token_id or tok.eos_token_id)
        return tok.decode(out[0, enc["input_ids"].shape[1]:], skip_special_tokens=True)


def load_judge(spec: str, *, model: str = "", api_key_env: str = "OPENAI_API_KEY", ws=None) -> Judge | None:
    """The judge named by ``eval.judge``; None when it is empty."""
    spec = (spec or "").strip()
    if not spec:
        return None
    if spec.startswith("openai:"):
        return OpenAIJudge(spec.split(":", 1)[1], model=model, api_key=os.environ.get(api_key_env, ""))
    if spec.startswith("hf:"):
        spec = spec.split(":", 1)[1]
    return TransformersJudge(spec, ws)


_YES = re.compile(r"^\W*(はい|yes|true|正しい|導ける|役立つ|1)", re.IGNORECASE)
_NO = re.compile(r"^\W*(いいえ|no|false|導けない|役立たない|0)", re.IGNORECASE)


def parse_verdict(text: str) -> bool | None:
    """「はい」→ True, 「いいえ」→ False, anything else → None (not counted)."""
    t = (text or "").strip()
    if _NO.match(t):
        return False
    if _YES.match(t):
        return True
    if "いいえ" in t[:20]:
        return False
    if "はい" in t[:20]:
        return True
    return None


class JudgeScorer:
    """Computes :data:`JUDGE_METRICS` for one answer with a judge (and an embedder for relevancy)."""

    def __init__(self, judge: Judge, embed_fn: Callable[[list[str]], Any] | None = None,
                 relevancy_questions: int = 2, max_context_chars: int = 3000):
        self.judge = judge
        self.embed_fn = embed_fn
        self.relevancy_questions = relevancy_questions
        self.max_context_chars = max_context_chars

    def faithfulness(self, answer: str, contexts: Sequence[str]) -> float | None:
        sentences = [s for s in split_sentences(answer or "") if len(s) > 3]
        ctx = "\n---\n".join(contexts)[: self.max_context_chars]
        if not sentences or not ctx:
            return None
        verdicts = [parse_verdict(self.judge.complete(judge_prompt("faithfulness").format(context=ctx, statement=s), 8))
                    for s in sentences]
        counted = [v for v in verdicts if v is not None]
        return sum(counted) / len(counted) if counted else None

    def answer_relevancy(self, question: str, answer: str) -> float | None:
        if self.embed_fn is None or not (answer or "").strip():
            return None
        gen = [self.judge.complete(judge_prompt("answer_relevancy").format(answer=answer), 64).strip().split("\n")[0]
               for _ in range(self.relevancy_questions)]
        gen = [g for g in gen if g]
        if not gen:
            return 0.0
        vecs = np.asarray(self.embed_fn([question] + gen), dtype=float)
        vecs = vecs / np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
        return float(np.clip(vecs[1:] @ vecs[0], 0.0, 1.0).mean())

    def context_precision(self, question: str, reference: str, contexts: Sequence[str]) -> float | None:
        if not contexts or not reference:
            return None
        useful = []
        for c in contexts:
            v = parse_verdict(self.judge.complete(
                judge_prompt("context_precision").format(question=question, reference=reference, context=c[: self.max_context_chars]), 8))
            useful.append(1 if v else 0)
        if not any(useful):
            return 0.0
        # ragas: sum_k precision@k * v_k / number of useful chunks
        total, hits = 0.0, 0
        for k, v in enumerate(useful, start=1):
            hits += v
            total += (hits / k) * v
        return total / sum(useful)

    def score(self, question: str, answer: str, reference: str, contexts: Sequence[str]) -> dict[str, float | None]:
        return {
            "faithfulness": self.faithfulness(answer, contexts),
            "answer_relevancy": self.answer_relevancy(question, answer),
            "llm_context_precision": self.context_precision(question, reference, contexts),
        }

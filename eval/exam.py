"""Five-choice exam scoring for IgakuQA-format JSONL files.

One question per line: ``problem_id``, ``problem_text``, ``choices`` (texts, in
order a–e; a leading ``a.``/``a)``/``a：`` is tolerated), ``answer`` (a list of
letters, several for "2つ選べ" questions) and optional ``text_only`` (``false``
means the question needs an image: skipped and counted). Questions without
choices (IgakuQA's calculation items) are scored by exact match of the answer
string.

Scores per question, averaged per variant (generator × prompt format):

* ``accuracy``    -- the set of letters parsed from the response equals the gold set;
* ``exact_match`` -- the response's answer part is exactly the gold letters and
  nothing else (separators and spaces ignored): format compliance as well as correctness;
* ``gestalt``     -- difflib ``SequenceMatcher`` ratio between the response and each
  choice text, averaged both ways (the ratio is not symmetric); the top-k choices
  (k = number of gold letters) must equal the gold set. This credits answers that
  restate the choice instead of naming its letter.

Two more ways to get a prediction, beside generating a response:

* **log-likelihood** (:func:`loglik_choice`, as lm-evaluation-harness scores
  MMLU-style questions): the choice whose letter -- or whose text, per character --
  the model finds most likely right after the prompt; a question asking for k
  answers takes the top k. A small model that never writes a letter still gets a
  comparable number.
* **published predictions** (:func:`score_prediction`): IgakuQA's
  ``baseline_results`` files, one ``{"problem_id", "prediction"}`` per line, where
  ``prediction`` is the final answer: comma-separated letters, anything else is
  no answer (the rule of IgakuQA's ``evaluate_main.py``).

Prompt formats are data files in ``eval/exam_templates/`` (:class:`ExamFormat`).
"""

from __future__ import annotations

import difflib
import functools
import json
import re
import string
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Callable, Sequence

from tenkan.errors import ConfigError, EvalError
from tenkan.jatext import char_ngrams, content_tokens, normalize

from eval.config import EXAM_LOGLIK_TARGETS as LOGLIK_TARGETS  # what log-likelihood scoring compares
from eval.config import exam_formats as available_exam_formats

__all__ = ["LETTERS", "ExamQuestion", "load_exam", "parse_letters", "answer_part", "gestalt_choices",
           "score_response", "build_instruction", "extractive_choice", "ExamFormat", "available_exam_formats",
           "loglik_choice", "score_loglik", "load_responses", "parse_prediction", "score_prediction",
           "LOGLIK_TARGETS"]

LETTERS = "abcde"
_LEAD = re.compile(r"^\s*[a-eａ-ｅA-E][\.．\)）:：、]\s*")


@dataclass
class ExamQuestion:
    problem_id: str
    problem_text: str
    choices: list[str]
    answer: list[str]
    text_only: bool = True
    extra: dict = field(default_factory=dict)

    @property
    def letters(self) -> str:
        return LETTERS[: len(self.choices)] if len(self.choices) <= len(LETTERS) else string.ascii_lowercase[: len(self.choices)]

    @property
    def gold(self) -> set[str]:
        return {a.strip().lower() for a in self.answer}


def load_exam(path: str | Path) -> list[ExamQuestion]:
    path = Path(path)
    if not path.is_file():
        raise EvalError(f"exam file {path} does not exist")
    out = []
    with open(path, encoding="utf-8") as fh:
        for i, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                r = json.loads(line)
                pid, text, ans = str(r["problem_id"]), r["problem_text"], r["answer"]
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise EvalError(f"{path}:{i}: not an IgakuQA record ({exc})",
                                hint="each line needs problem_id, problem_text, choices, answer") from exc
            if isinstance(ans, str):
                ans = [ans]
            choices = [_LEAD.sub("", str(c)) for c in (r.get("choices") or [])]
            extra = {k: v for k, v in r.items() if k not in ("problem_id", "problem_text", "choices", "answer", "text_only")}
            out.append(ExamQuestion(pid, text, choices, [str(a) for a in ans], bool(r.get("text_only", True)), extra))
    if not out:
        raise EvalError(f"exam file {path} has no questions")
    return out


_ANSWER_MARK = re.compile(r"(?:答え|解答|回答|正解|answer)\s*(?:は)?\s*[:：]?\s*", re.IGNORECASE)


def answer_part(response: str) -> str:
    """The part of a response that holds the answer: after the last 「答え:」 if any."""
    text = normalize(response or "")
    marks = list(_ANSWER_MARK.finditer(text))
    if marks:
        text = text[marks[-1].end():]
    return text.strip().split("\n")[0] if marks else text.strip()


def parse_letters(response: str, letters: str = LETTERS) -> set[str]:
    """Choice letters named in the answer part (standalone letters, not parts of words)."""
    part = answer_part(response).lower()
    compact = re.sub(r"[\s,、，・/。\.]+", "", part)
    if compact and re.fullmatch(rf"[{letters}]+", compact):  # "ac", "a, c"
        return set(compact)
    return set(re.findall(rf"(?<![a-z])([{letters}])(?![a-z])", part))


def _exact(response: str, gold: set[str]) -> bool:
    part = re.sub(r"[\s,、，・/と及びおよ。\.]+", "", answer_part(response).lower())
    return bool(part) and len(part) == len(gold) and set(part) == gold


def _ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()


def gestalt_choices(response: str, choices: Sequence[str]) -> list[float]:
    """Symmetrised difflib ratio between the response and each choice."""
    r = answer_part(response)
    return [(_ratio(r, c) + _ratio(c, r)) / 2 for c in choices]


def score_response(q: ExamQuestion, response: str) -> dict:
    gold = q.gold
    if not q.choices:  # calculation items: compare the answer string
        got = re.sub(r"\s+", "", answer_part(response))
        ok = float(any(got == re.sub(r"\s+", "", a) for a in q.answer))
        return {"accuracy": ok, "exact_match": ok, "gestalt": None, "predicted": [got]}
    pred = parse_letters(response, q.letters)
    sims = gestalt_choices(response, q.choices)
    k = max(1, len(gold))
    top = {q.letters[i] for i in sorted(range(len(sims)), key=lambda i: -sims[i])[:k]}
    return {"accuracy": float(pred == gold), "exact_match": float(_exact(response, gold)),
            "gestalt": float(top == gold), "predicted": sorted(pred), "gestalt_top": sorted(top)}


_FORMAT_FIELDS = ("question", "question_free", "choice", "request", "request_free", "answer_prefix", "loglik",
                  "max_new_tokens_factor")


def _fill(fmt: str, where: str, **values) -> str:
    need = {f for _, f, _, _ in string.Formatter().parse(fmt) if f}
    missing = sorted(f for f in need if values.get(f) is None)
    if missing:
        raise ConfigError(f"exam format field {where!r} needs variable(s) {', '.join(missing)}")
    return fmt.format(**{k: values[k] for k in need})


@dataclass(frozen=True)
class ExamFormat:
    """One prompt format (``eval/exam_templates/<name>.json``; fields in the README there)."""

    name: str
    spec: dict

    @classmethod
    def load(cls, name: str) -> "ExamFormat":
        return _load_format(name)

    @property
    def loglik(self) -> bool:
        return bool(self.spec["loglik"])

    @property
    def answer_prefix(self) -> str:
        return self.spec["answer_prefix"]

    @property
    def max_new_tokens_factor(self) -> int:
        return int(self.spec["max_new_tokens_factor"])

    def instruction(self, q: ExamQuestion) -> str:
        t = self.spec
        if not q.choices:
            return _fill(t["question_free"], "question_free", problem=q.problem_text.strip(),
                         request=_fill(t["request_free"], "request_free"))
        choices = "\n".join(_fill(t["choice"], "choice", letter=q.letters[i], text=c) for i, c in enumerate(q.choices))
        request = _fill(t["request"], "request", count=max(1, len(q.gold)),
                        letter_range=f"{q.letters[0]}〜{q.letters[-1]}")
        return _fill(t["question"], "question", problem=q.problem_text.strip(), choices=choices, request=request)


@functools.lru_cache(maxsize=None)
def _load_format(name: str) -> ExamFormat:
    res = resources.files("eval.exam_templates").joinpath(f"{name}.json")
    if not res.is_file():
        raise ConfigError(f"exam format {name!r} does not exist",
                          hint=f"available: {', '.join(available_exam_formats())} (eval/exam_templates/)")
    spec = json.loads(res.read_text(encoding="utf-8"))
    missing = [k for k in _FORMAT_FIELDS if k not in spec]
    if missing:
        raise ConfigError(f"exam format {name!r} lacks field(s) {', '.join(missing)}")
    return ExamFormat(name, spec)


def build_instruction(q: ExamQuestion, fmt: str) -> str:
    """The exam instruction for a prompt format (``eval/exam_templates/<fmt>.json``), in Japanese."""
    return ExamFormat.load(fmt).instruction(q)


# ------------------------------------------------------------------ log-likelihood
def loglik_choice(q: ExamQuestion, prompt: str, loglik: Callable[[str, list[str]], list[tuple[float, int]]],
                  *, target: str = "letter", answer_prefix: str = "") -> dict:
    """Predict by log-likelihood: ``loglik(prompt, continuations) -> [(sum log p, n tokens)]``.

    ``target="letter"`` scores ``answer_prefix + letter`` for each choice; ``"text"``
    scores ``answer_prefix + choice text`` divided by the text's length in characters
    (lm-evaluation-harness's ``acc_norm``, with characters for Japanese). The top k
    choices win, k = the number of gold answers (the question says "2つ選べ")."""
    if target not in LOGLIK_TARGETS:
        raise ValueError(f"target must be one of {LOGLIK_TARGETS}")
    if not q.choices:
        raise ValueError("a question without choices cannot be scored by log-likelihood")
    conts = [answer_prefix + (q.letters[i] if target == "letter" else c) for i, c in enumerate(q.choices)]
    raw = loglik(prompt, conts)
    scores = [lp if target == "letter" else lp / max(1, len(c)) for (lp, _), c in zip(raw, q.choices)]
    k = max(1, len(q.gold))
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    return {"predicted": sorted(q.letters[i] for i in order[:k]), "scores": [round(x, 4) for x in scores],
            "tokens": [n for _, n in raw]}


def score_loglik(q: ExamQuestion, chosen: dict) -> dict:
    """Scores of a log-likelihood prediction: accuracy = exact match (a choice set is an
    exact answer by construction); no Gestalt score (there is no response text)."""
    ok = float(set(chosen["predicted"]) == q.gold)
    return {"accuracy": ok, "exact_match": ok, "gestalt": None, "predicted": chosen["predicted"],
            "loglik": chosen["scores"]}


# ------------------------------------------------------------------ published predictions
def load_responses(path: str | Path) -> dict[str, str]:
    """``problem_id -> prediction`` from an IgakuQA ``baseline_results`` file (JSONL)."""
    path = Path(path)
    if not path.is_file():
        raise EvalError(f"responses file {path} does not exist")
    out: dict[str, str] = {}
    with open(path, encoding="utf-8") as fh:
        for i, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                r = json.loads(line)
                pid, pred = str(r["problem_id"]), r["prediction"]
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise EvalError(f"{path}:{i}: not a prediction record ({exc})",
                                hint='each line needs "problem_id" and "prediction" (IgakuQA baseline_results)') from exc
            if pid in out:
                raise EvalError(f"{path}:{i}: problem_id {pid} appears twice")
            out[pid] = "" if pred is None else str(pred)
    if not out:
        raise EvalError(f"responses file {path} has no predictions")
    return out


def parse_prediction(prediction: str, letters: str = LETTERS) -> set[str] | None:
    """The letters of a final-answer prediction (``"d"``, ``"d,e"``; full-width letters and
    「、」 tolerated), or None when it is not a list of choice letters (a sentence, a refusal)."""
    parts = [p for p in re.split(r"[,、，\s]+", normalize(prediction or "").strip().lower()) if p]
    if parts and all(len(p) == 1 and p in letters for p in parts):
        return set(parts)
    return None


def score_prediction(q: ExamQuestion, prediction: str | None) -> dict:
    """Scores of a published prediction (None = the file has no line for the question: wrong)."""
    if prediction is None:
        return {"accuracy": 0.0, "exact_match": 0.0, "gestalt": None if not q.choices else 0.0,
                "predicted": [], "missing": True}
    if not q.choices:
        got = re.sub(r"\s+", "", prediction)
        ok = float(any(got == re.sub(r"\s+", "", a) for a in q.answer))
        return {"accuracy": ok, "exact_match": ok, "gestalt": None, "predicted": [got]}
    pred = parse_prediction(prediction, q.letters)
    ok = float(pred is not None and pred == q.gold)
    sims = gestalt_choices(prediction, q.choices)
    k = max(1, len(q.gold))
    top = {q.letters[i] for i in sorted(range(len(sims)), key=lambda i: -sims[i])[:k]}
    return {"accuracy": ok, "exact_match": ok, "gestalt": float(top == q.gold), "predicted": sorted(pred or []),
            "gestalt_top": sorted(top)}


def extractive_choice(q: ExamQuestion, context: str) -> str:
    """A model-free baseline: the k choices sharing the most content words with the retrieved text."""
    if not q.choices:
        return ""
    ctx_tok, ctx_bi = set(content_tokens(context)), set(char_ngrams(context, 2))
    scores = []
    for c in q.choices:
        toks, bis = set(content_tokens(c)), set(char_ngrams(c, 2))
        s = (len(toks & ctx_tok) / len(toks) if toks else 0) + 0.5 * (len(bis & ctx_bi) / len(bis) if bis else 0)
        scores.append(s)
    k = max(1, len(q.gold))
    top = sorted(range(len(scores)), key=lambda i: -scores[i])[:k]
    return ",".join(q.letters[i] for i in sorted(top))

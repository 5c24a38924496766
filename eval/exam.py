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
"""

from __future__ import annotations

import difflib
import json
import re
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from tenkan.errors import EvalError

__all__ = ["LETTERS", "ExamQuestion", "load_exam", "parse_letters", "answer_part", "gestalt_choices",
           "score_response", "build_instruction", "extractive_choice"]

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
    from tenkan.jatext import normalize

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


def _count_hint(q: ExamQuestion) -> str:
    return f"{len(q.gold)}つ選んでください。" if len(q.gold) > 1 else "1つ選んでください。"


def build_instruction(q: ExamQuestion, fmt: str) -> str:
    """The exam instruction for a prompt format ("plain" or "cot"), in Japanese."""
    lines = [q.problem_text.strip()]
    if q.choices:
        lines += [f"{q.letters[i]}. {c}" for i, c in enumerate(q.choices)]
        tail = {"plain": f"正しい選択肢を{_count_hint(q)}答えは選択肢の記号（a〜e）だけを書いてください。",
                "cot": f"正しい選択肢を{_count_hint(q)}まず短く理由を考え、最後の行に「答え: 記号」の形で書いてください。"}[fmt]
    else:
        tail = {"plain": "答えだけを書いてください。",
                "cot": "まず短く考え方を書き、最後の行に「答え: 値」の形で書いてください。"}[fmt]
    return "\n".join(lines + ["", tail])


def extractive_choice(q: ExamQuestion, context: str) -> str:
    """A model-free baseline: the k choices sharing the most content words with the retrieved text."""
    from tenkan.jatext import char_ngrams, content_tokens

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

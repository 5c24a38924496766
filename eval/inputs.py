"""Evaluation inputs: a question set (read through :func:`eval.questions.load_questions`, which checks
its sha256) and the instruction data's test split, both turned into :class:`EvalItem` records."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path

from eval.config import EvalSettings
from eval.questions import QUESTIONS_FILE, load_questions
from generator.dataset import test_split_path
from tenkan.errors import DatasetError, EvalError
from tenkan.manifest import sha256_file
from tenkan.paths import Workspace

__all__ = ["EvalItem", "EvalSet", "DEMO_QUESTIONS", "load_question_file", "load_test_split", "find_test_split",
           "load_eval_sets"]

log = logging.getLogger(__name__)

DEMO_QUESTIONS = QUESTIONS_FILE


@dataclass
class EvalItem:
    id: str
    question: str
    reference: str
    gold_urls: list[str] = field(default_factory=list)
    gold_chunk_ids: list[str] = field(default_factory=list)
    type: str = ""
    source: str = ""  # which eval set

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class EvalSet:
    name: str
    path: str
    sha256: str
    items: list[EvalItem]

    def describe(self) -> dict:
        return {"name": self.name, "path": self.path, "sha256": self.sha256, "n": len(self.items)}


def _read_jsonl(path: Path) -> list[dict]:
    rows = []
    with open(path, encoding="utf-8") as fh:
        for i, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise EvalError(f"{path}:{i} is not valid JSON: {exc}") from exc
    return rows


def load_question_file(path: str | Path, name: str = "demo", split: str | None = None) -> EvalSet:
    """A question set in the demo format (``id, question, urls, reference, type``) or the user-wording
    format (``id, question, gold_pages, must_mention, style, split``; no reference, so no n-gram
    scores), read through :func:`eval.questions.load_questions`: refused unless it matches the sha256
    in the manifest beside it. ``split`` keeps the rows of one half (``tune``/``test``)."""
    path = Path(path)
    items = []
    rows = load_questions(path)
    if split:
        if not any("split" in r for r in rows):
            raise EvalError(f"{path} has no 'split' field: --split needs a set split into tune and test")
        rows = [r for r in rows if r.get("split") == split]
        name = f"{name}-{split}"
    for i, r in enumerate(rows, start=1):
        if not r.get("question"):
            raise EvalError(f"{path}:{i} has no 'question'")
        items.append(EvalItem(
            id=str(r.get("id") or f"{name}-{i:04d}"), question=r["question"],
            reference=r.get("reference") or r.get("answer") or "",
            gold_urls=list(r.get("urls") or ([r["url"]] if r.get("url") else []) or r.get("gold_pages") or []),
            gold_chunk_ids=list(r.get("chunk_ids") or []), type=r.get("type") or r.get("style", ""), source=name))
    return EvalSet(name, str(path), sha256_file(path), items)


def load_test_split(path: str | Path, name: str | None = None) -> EvalSet:
    """An Alpaca-format test split (``instruction, input, output, source_chunk_ids, url``)."""
    path = Path(path)
    name = name or f"test:{path.parent.name}"
    items = []
    for i, r in enumerate(_read_jsonl(path), start=1):
        q = (r.get("instruction") or "").strip()
        if r.get("input"):
            q = f"{q}\n{r['input']}".strip()
        if not q:
            continue
        urls = r.get("urls") or ([r["url"]] if r.get("url") else [])
        items.append(EvalItem(id=str(r.get("id") or f"{name}-{i:04d}"), question=q, reference=r.get("output", ""),
                              gold_urls=list(urls), gold_chunk_ids=list(r.get("source_chunk_ids") or []),
                              type=r.get("type", "instruction"), source=name))
    return EvalSet(name, str(path), sha256_file(path), items)


def find_test_split(ws: Workspace, dataset: str) -> Path | None:
    """The test split of instruction dataset ``dataset`` (``"auto"`` = the newest), through the generator
    stage that owns datasets; ``EvalError`` when a named one has none."""
    if not dataset:
        return None
    try:
        return test_split_path(ws, dataset)
    except DatasetError as exc:
        raise EvalError(str(exc), hint=exc.hint) from exc


def load_eval_sets(cfg: EvalSettings, ws: Workspace, *, questions: str | None = None, dataset: str | None = None,
                   split: str | None = None) -> list[EvalSet]:
    """The sets ``tenkan eval`` runs on: the question set (default: the bundled demo
    set) and, when present, the instruction data's test split."""
    sets = []
    qpath = questions or cfg.eval.questions or str(DEMO_QUESTIONS)
    if qpath and qpath != "none":
        is_demo = Path(qpath).resolve() == DEMO_QUESTIONS.resolve()
        sets.append(load_question_file(qpath, "demo" if is_demo else Path(qpath).stem, split=split))
    ds = dataset if dataset is not None else cfg.eval.dataset
    split = find_test_split(ws, ds) if ds and ds != "none" else None
    if split is not None:
        sets.append(load_test_split(split))
    if not sets:
        raise EvalError("nothing to evaluate: no question set and no dataset test split",
                        hint="pass --questions FILE or build a dataset with `tenkan dataset`")
    return sets

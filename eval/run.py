"""The skeleton every evaluation run shares: ``tenkan eval`` on question sets (:mod:`eval.runner`),
on an exam (:mod:`eval.exam_run`) and on published exam predictions.

A run

1. makes its directory ``ws.runs_dir()/<run-id>/`` (:func:`start_run`; never reuses one);
2. answers a list of ``(variant, item)`` tasks in order with a progress bar, writing each record to
   ``per_question.jsonl`` as soon as it exists (:meth:`Run.answer_all`); a variant whose answer raises a
   :class:`~tenkan.errors.TenkanError` (no adapter, no endpoint…) is recorded in ``unavailable`` with
   the first line of the reason, and its remaining tasks are skipped while the others go on;
3. compares the variants pairwise on the questions both answered (:func:`paired_differences`: paired
   BCa bootstrap intervals from :mod:`eval.stats`);
4. writes ``metrics.json``, the report and ``manifest.json`` (:meth:`Run.finish`).

What differs between run types -- how one item is answered and scored, the metrics and the report --
is passed in by the caller.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence, TypeVar

from tqdm import tqdm

from eval.config import EvalSettings
from eval.stats import paired_bootstrap
from tenkan.errors import TenkanError
from tenkan.manifest import atomic_write_json, write_manifest
from tenkan.paths import Workspace

__all__ = ["Run", "RunResult", "new_run_id", "start_run", "list_runs", "paired_differences"]

log = logging.getLogger(__name__)

T = TypeVar("T")

PER_QUESTION = "per_question.jsonl"


@dataclass
class RunResult:
    run_dir: Path
    metrics: dict
    records: list[dict] = field(default_factory=list)

    def summary(self) -> dict:
        """The ``--json`` object: ``{"run_dir", "modes": {MODE: {METRIC: value, "n": count}}}``."""
        return {"run_dir": str(self.run_dir), "modes": self.metrics["modes"]}


def new_run_id(prefix: str = "eval") -> str:
    return f"{prefix}-{_dt.datetime.now().strftime('%Y%m%d-%H%M%S-%f')[:-3]}"


@dataclass
class Run:
    """One run directory being filled: its records and the variants found unavailable so far."""

    run_id: str
    run_dir: Path
    records: list[dict] = field(default_factory=list)
    unavailable: dict[str, str] = field(default_factory=dict)

    def header(self, kind: str) -> dict:
        """The first keys of ``metrics.json``: ``run_id``, ``kind`` (questions, exam), ``created``."""
        return {"run_id": self.run_id, "kind": kind,
                "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")}

    def answer_all(self, tasks: Sequence[tuple[str, T]], answer: Callable[[str, T], dict | None], *,
                   label: Callable[[T], str], desc: str, progress: bool, what: str = "mode") -> list[dict]:
        """Answer every ``(variant, item)`` task in order; ``answer`` returns the record to keep, or None
        for an item the variant cannot score (counted by the caller). Returns the records."""
        bar = tqdm(total=len(tasks), desc=desc, unit="answer", file=sys.stderr, disable=not progress,
                   dynamic_ncols=True)
        with open(self.run_dir / PER_QUESTION, "w", encoding="utf-8") as fh:
            for variant, item in tasks:
                bar.set_postfix_str(f"{variant} {label(item)}")
                if variant not in self.unavailable:
                    try:
                        rec = answer(variant, item)
                    except TenkanError as exc:
                        self.unavailable[variant] = str(exc).split("\n")[0]
                        log.warning("%s %s unavailable: %s", what, variant, self.unavailable[variant])
                        rec = None
                    if rec is not None:
                        self.records.append(rec)
                        fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
                        fh.flush()
                bar.update(1)
        bar.close()
        return self.records

    def write_jsonl(self, name: str, rows: Iterable[dict]) -> None:
        with open(self.run_dir / name, "w", encoding="utf-8") as fh:
            fh.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)

    def finish(self, cfg: EvalSettings, ws: Workspace, metrics: dict, *,
               report: Callable[[Path, dict, list[dict]], None], producer: str, inputs: dict,
               manifest_extra: dict) -> RunResult:
        """Write ``metrics.json``, the report (``report(run_dir, metrics, records)``) and ``manifest.json``."""
        atomic_write_json(self.run_dir / "metrics.json", metrics)
        report(self.run_dir, metrics, self.records)
        write_manifest(self.run_dir, producer, inputs=inputs, settings=cfg,
                       extra={"run_id": self.run_id, **manifest_extra}, workspace=ws.root)
        return RunResult(self.run_dir, metrics, self.records)


def list_runs(ws: Workspace, *, finished: bool = False) -> list[Path]:
    """Run directories of workspace ``ws``, newest name first; ``finished`` = only those with ``metrics.json``."""
    d = ws.runs_dir()
    if not d.is_dir():
        return []
    runs = (p for p in d.iterdir() if p.is_dir() and (not finished or (p / "metrics.json").is_file()))
    return sorted(runs, key=lambda p: p.name, reverse=True)


def start_run(ws: Workspace, run_id: str | None, prefix: str) -> Run:
    """Make the run directory (``<prefix>-<timestamp>`` unless ``run_id`` is given); an existing one is
    an error, never overwritten."""
    run_id = run_id or new_run_id(prefix)
    run_dir = ws.runs_dir(create=True) / run_id
    run_dir.mkdir(parents=True, exist_ok=False)
    return Run(run_id, run_dir)


def paired_differences(variants: Sequence[str], metrics: Sequence[str],
                       values: Callable[[str, str], dict[str, Any]], cfg: EvalSettings) -> list[dict]:
    """Paired bootstrap intervals of ``a − b`` for every pair of ``variants`` (in order) and every metric;
    ``values(variant, metric)`` maps a question key to its value. Pairs without a common question are left
    out."""
    diffs = []
    for i, a in enumerate(variants):
        for b in variants[i + 1:]:
            for metric in metrics:
                d = paired_bootstrap(values(a, metric), values(b, metric), metric=metric, a=a, b=b,
                                     n_boot=cfg.eval.bootstrap, seed=cfg.eval.seed)
                if d.n:
                    diffs.append(d.to_dict())
    return diffs

"""``tenkan eval --exam FILE``: answer an IgakuQA-format exam with several
generators and prompt formats in one run and score each variant; or, with
``--responses FILE``, score published predictions (IgakuQA's ``baseline_results``)
with the same metrics, which checks this scorer against numbers computed elsewhere.

Scoring (``--scoring``, ``eval.exam_scoring``):

* ``loglik`` -- the choice with the highest log-likelihood after the prompt
  (:func:`eval.exam.loglik_choice`); the default for local models, which at 270M
  parameters rarely write a choice letter at all;
* ``generate`` -- the model writes a response, letters are parsed from it; the
  default for endpoints (an OpenAI-compatible server gives no prompt log-probabilities
  here);
* ``auto`` -- ``loglik`` when every generator used is local, else ``generate``.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any, Sequence

import generator
import index
from generator.prompter import Prompter
from generator.sources import parse_source
from tenkan.errors import ConfigError, TenkanError
from tenkan.manifest import sha256_file
from tenkan.paths import Workspace, portable_path
from tenkan.vocab import RAG_MODES, Mode

from eval.config import EXAM_SCORINGS, EvalSettings
from eval.exam import (ExamFormat, ExamQuestion, extractive_choice, load_exam, load_responses, loglik_choice,
                       score_loglik, score_prediction, score_response)
from eval.report import write_exam_report
from eval.run import Run, RunResult, paired_differences, start_run
from eval.stats import mean

__all__ = ["exam_variants", "run_exam", "score_responses", "resolve_scoring", "SCORINGS"]

log = logging.getLogger(__name__)

SCORINGS = EXAM_SCORINGS
_METRICS = ("accuracy", "exact_match", "gestalt")


def exam_variants(modes: Sequence[Mode], formats: Sequence[str]) -> list[tuple[str, str, str]]:
    """``[(name, mode, format)]``: each generator mode × each format; extractive once."""
    out = []
    for m in modes:
        if m == "extractive":
            out.append(("extractive", m, "plain"))
        else:
            out += [(f"{m}/{f}", m, f) for f in formats]
    return out


def _context(retriever, q: ExamQuestion, k: int) -> tuple[str, list[str]]:
    hits = retriever.search(q.problem_text + "\n" + "\n".join(q.choices), k=k)
    return "\n".join(f"[{i}] {h.text}" for i, h in enumerate(hits, start=1)), [h.chunk_id for h in hits]


def resolve_scoring(scoring: str, cfg: EvalSettings, generators: dict[str, Any] | None = None) -> str:
    """``auto`` → ``loglik`` for local models, ``generate`` for endpoints (or for given
    generator objects that cannot score a continuation)."""
    if scoring not in SCORINGS:
        raise ConfigError(f"unknown exam scoring {scoring!r}; valid: {', '.join(SCORINGS)}")
    if scoring != "auto":
        return scoring
    if generators:
        return "loglik" if all(callable(getattr(g, "loglik", None)) for g in generators.values()) else "generate"
    return "generate" if parse_source(cfg.generator.base_model).is_remote else "loglik"


def run_exam(cfg: EvalSettings, ws: Workspace, path, *, modes: Sequence[Mode] | None = None,
             formats: Sequence[str] | None = None, limit: int | None = None, generators: dict[str, Any] | None = None,
             retriever=None, progress: bool = True, run_id: str | None = None, adapter: str | None = None,
             scoring: str | None = None) -> RunResult:
    """Score every variant on the exam. ``generators`` maps "ft"/"base" to objects with
    ``generate(prompt, max_new_tokens)`` -- and ``loglik(prompt, continuations)`` for
    log-likelihood scoring (default: loaded from the generator stage)."""
    questions = load_exam(path)
    limit = cfg.eval.limit if limit is None else limit
    if limit:
        questions = questions[:limit]
    usable = [q for q in questions if q.text_only]
    skipped = len(questions) - len(usable)
    scoring = resolve_scoring(scoring or cfg.eval.exam_scoring, cfg, generators)
    target = cfg.eval.exam_loglik_target
    formats = list(formats or cfg.eval.exam_formats)
    not_scored: dict[str, str] = {}
    if scoring == "loglik":
        keep = [f for f in formats if ExamFormat.load(f).loglik]
        for f in formats:
            if f not in keep:
                not_scored[f] = "asks for reasoning before the answer; scored only with --scoring generate"
        if not keep:
            raise ConfigError(f"no exam format among {', '.join(formats)} can be scored by log-likelihood",
                              hint="--formats plain, or --scoring generate")
        formats = keep
    variants = exam_variants(modes or cfg.eval.exam_modes, formats)
    generators = dict(generators or {})
    prompter = Prompter(cfg.assistant.template)

    def gen_for(mode: str):
        kind = "base" if mode.endswith("base") else "ft"
        if kind not in generators:
            ad = adapter if adapter is not None else (generator.find_adapter(ws, cfg) if kind == "ft" else None)
            if kind == "ft" and ad is None:
                raise TenkanError("no adapter for the fine-tuned model", hint="tenkan train")
            generators[kind] = generator.load_generator(cfg, ws, ad if kind == "ft" else None)
        g = generators[kind]
        if scoring == "loglik" and not callable(getattr(g, "loglik", None)):
            raise ConfigError(f"{getattr(g, 'name', kind)} cannot score continuations (an endpoint)",
                              hint="--scoring generate")
        return g

    if any(m in RAG_MODES for _, m, _ in variants) and retriever is None:
        retriever = index.open_index(ws, cfg)

    spec = {name: (mode, fmt) for name, mode, fmt in variants}
    unscorable = 0
    ctx_cache: dict[str, tuple[str, list[str]]] = {}

    def answer(name: str, q: ExamQuestion) -> dict | None:
        nonlocal unscorable
        mode, fmt = spec[name]
        exam_fmt = ExamFormat.load(fmt)
        how = "overlap" if mode == "extractive" else scoring
        if how == "loglik" and not q.choices:
            unscorable += 1  # a calculation item has no choices to rank
            return None
        ctx, ids = ("", [])
        if mode in RAG_MODES:
            if q.problem_id not in ctx_cache:
                ctx_cache[q.problem_id] = _context(retriever, q, cfg.assistant.max_sources)
            ctx, ids = ctx_cache[q.problem_id]
        t0 = time.perf_counter()
        if mode == "extractive":
            response = extractive_choice(q, ctx)
            sc = score_response(q, response)
        elif how == "loglik":
            g = gen_for(mode)
            prompt = prompter.build(exam_fmt.instruction(q), ctx or None)
            chosen = loglik_choice(q, prompt, g.loglik, target=target, answer_prefix=exam_fmt.answer_prefix)
            sc = score_loglik(q, chosen)
            response = ",".join(chosen["predicted"])
        else:
            g = gen_for(mode)
            prompt = prompter.build(exam_fmt.instruction(q), ctx or None)
            mx = cfg.eval.exam_max_new_tokens * exam_fmt.max_new_tokens_factor
            response = g.generate(prompt, max_new_tokens=mx)
            sc = score_response(q, response)
        return {"variant": name, "mode": mode, "format": fmt, "scoring": how, "problem_id": q.problem_id,
                "answer": q.answer, "response": response, "retrieved_ids": ids,
                "latency_s": round(time.perf_counter() - t0, 4), **sc}

    run = start_run(ws, run_id, "exam")
    run.answer_all([(name, q) for name, _, _ in variants for q in usable], answer,
                   label=lambda q: q.problem_id, desc="exam", progress=progress, what="exam variant")
    exam_info = {"n": len(questions), "scored": len(usable), "skipped": skipped,
                 "multi_answer": sum(1 for q in usable if len(q.gold) > 1)}
    extra = {"scoring": scoring, "unavailable_modes": run.unavailable,
             "variants": [{"name": n, "mode": m, "format": f,
                           "scoring": "overlap" if m == "extractive" else scoring} for n, m, f in variants]}
    if scoring == "loglik":
        extra["loglik_target"] = target
        extra["unscorable"] = unscorable
    if not_scored:
        extra["formats_not_scored"] = not_scored
    return _finish(cfg, ws, run, path, exam_info, [n for n, _, _ in variants], skipped, extra,
                   producer="tenkan eval --exam",
                   manifest_extra={"generators": {k: getattr(g, "name", str(g)) for k, g in generators.items()},
                                   "index": getattr(retriever, "manifest", None) if retriever is not None else None})


def score_responses(cfg: EvalSettings, ws: Workspace, path, responses: Sequence[str | Path], *, limit: int | None = None,
                    run_id: str | None = None) -> RunResult:
    """Score prediction files (IgakuQA ``baseline_results``: ``problem_id``, ``prediction``)
    against the exam's answers: one variant per file, named after it.

    Every exam question is scored, figure questions (``text_only: false``) included --
    the predictor answered them, and IgakuQA's accuracy counts them; a question the file
    has no line for counts as wrong and is reported as ``missing``."""
    questions = load_exam(path)
    limit = cfg.eval.limit if limit is None else limit
    if limit:
        questions = questions[:limit]
    names: list[str] = []
    files: dict[str, Path] = {}
    for r in responses:
        p = Path(r)
        name, i = p.stem, 2
        while name in files:
            name, i = f"{p.stem}-{i}", i + 1
        files[name] = p
        names.append(name)
    preds = {n: load_responses(p) for n, p in files.items()}
    ids = {q.problem_id for q in questions}
    for name, known in preds.items():
        if not ids & set(known):
            raise TenkanError(f"{files[name]} has no prediction for any question of {path}",
                              hint="are the exam file and the predictions from the same exam?")
    missing: dict[str, int] = {}

    def answer(name: str, q: ExamQuestion) -> dict:
        pred = preds[name].get(q.problem_id)
        missing[name] = missing.get(name, 0) + (pred is None)
        return {"variant": name, "mode": "responses", "format": "-", "scoring": "prediction",
                "problem_id": q.problem_id, "answer": q.answer, "response": pred,
                "text_only": q.text_only, **score_prediction(q, pred)}

    run = start_run(ws, run_id, "exam")  # made only once the input is known to be good
    run.answer_all([(name, q) for name in names for q in questions], answer, label=lambda q: q.problem_id,
                   desc="exam", progress=False, what="responses file")
    exam_info = {"n": len(questions), "scored": len(questions), "skipped": 0,
                 "figures": sum(1 for q in questions if not q.text_only),
                 "multi_answer": sum(1 for q in questions if len(q.gold) > 1)}
    extra = {"scoring": "prediction", "unavailable_modes": {},
             "responses": {n: {"path": portable_path(p, ws.root), "sha256": sha256_file(p), "missing": missing[n]}
                           for n, p in files.items()},
             "variants": [{"name": n, "mode": "responses", "format": "-", "scoring": "prediction"} for n in names]}
    return _finish(cfg, ws, run, path, exam_info, names, 0, extra,
                   producer="tenkan eval --exam --responses", inputs={n: p for n, p in files.items()},
                   summary_extra={n: {"missing": missing[n]} for n in names})


def _finish(cfg: EvalSettings, ws: Workspace, run: Run, path, exam_info: dict, names: list[str], skipped: int,
            extra: dict, *, producer: str, inputs: dict | None = None, manifest_extra: dict | None = None,
            summary_extra: dict | None = None) -> RunResult:
    """Per-variant means, paired differences in accuracy, metrics.json, report, manifest."""
    records = run.records
    summary: dict[str, dict] = {}
    for name in names:
        rs = [r for r in records if r["variant"] == name]
        if not rs:
            continue
        summary[name] = {m: mean([r[m] for r in rs]) for m in _METRICS}
        summary[name].update({"n": len(rs), "skipped": skipped, **(summary_extra or {}).get(name, {})})
    diffs = paired_differences(
        list(summary), ("accuracy",),
        lambda v, metric: {r["problem_id"]: r[metric] for r in records if r["variant"] == v}, cfg)
    metrics = {
        **run.header("exam"),
        "exam": {"path": portable_path(path, ws.root), "sha256": sha256_file(path), **exam_info},
        "modes": summary, "differences": diffs, **extra,
    }
    return run.finish(cfg, ws, metrics, report=write_exam_report, producer=producer,
                      inputs={"exam": str(path), **(inputs or {})},
                      manifest_extra={"variants": metrics["variants"], **(manifest_extra or {})})

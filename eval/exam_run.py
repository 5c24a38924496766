"""``tenkan eval --exam FILE``: answer an IgakuQA-format exam with several
generators and prompt formats in one run and score each variant."""

from __future__ import annotations

import datetime as _dt
import json
import logging
import sys
import time
from typing import Any, Callable, Sequence

from tenkan.errors import TenkanError
from tenkan.manifest import atomic_write_json, sha256_file, write_manifest
from tenkan.paths import Workspace

from eval.exam import ExamQuestion, build_instruction, extractive_choice, load_exam, score_response
from eval.runner import RunResult, new_run_id
from eval.stats import mean, paired_bootstrap

__all__ = ["exam_variants", "run_exam"]

log = logging.getLogger(__name__)


def exam_variants(modes: Sequence[str], formats: Sequence[str]) -> list[tuple[str, str, str]]:
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


def run_exam(cfg, ws: Workspace, path, *, modes: Sequence[str] | None = None, formats: Sequence[str] | None = None,
             limit: int | None = None, generators: dict[str, Any] | None = None, retriever=None,
             progress: bool = True, run_id: str | None = None, adapter: str | None = None) -> RunResult:
    """Score every variant on the exam. ``generators`` maps "ft"/"base" to objects with
    ``generate(prompt, max_new_tokens)`` (default: loaded from the generator stage)."""
    from generator.prompter import Prompter

    questions = load_exam(path)
    limit = cfg.eval.limit if limit is None else limit
    if limit:
        questions = questions[:limit]
    usable = [q for q in questions if q.text_only]
    skipped = len(questions) - len(usable)
    variants = exam_variants(modes or cfg.eval.exam_modes, formats or cfg.eval.exam_formats)
    generators = dict(generators or {})
    prompter = Prompter(cfg.assistant.template)
    unavailable: dict[str, str] = {}

    def gen_for(mode: str):
        kind = "base" if mode.endswith("base") else "ft"
        if kind not in generators:
            from generator import find_adapter, load_generator

            ad = adapter if adapter is not None else (find_adapter(ws, cfg) if kind == "ft" else None)
            if kind == "ft" and ad is None:
                raise TenkanError("no adapter for the fine-tuned model", hint="tenkan train")
            generators[kind] = load_generator(cfg, ws, ad if kind == "ft" else None)
        return generators[kind]

    need_ret = any(m.startswith("rag") or m == "extractive" for _, m, _ in variants)
    if need_ret and retriever is None:
        from index import open_index

        retriever = open_index(ws, cfg)

    run_id = run_id or new_run_id("exam")
    run_dir = ws.runs_dir(create=True) / run_id
    run_dir.mkdir(parents=True, exist_ok=False)
    from tqdm import tqdm

    bar = tqdm(total=len(usable) * len(variants), desc="exam", unit="answer", file=sys.stderr,
               disable=not progress, dynamic_ncols=True)
    records: list[dict] = []
    ctx_cache: dict[str, tuple[str, list[str]]] = {}
    with open(run_dir / "per_question.jsonl", "w", encoding="utf-8") as fh:
        for name, mode, fmt in variants:
            for q in usable:
                bar.set_postfix_str(f"{name} {q.problem_id}")
                if name in unavailable:
                    bar.update(1)
                    continue
                ctx, ids = ("", [])
                if mode.startswith("rag") or mode == "extractive":
                    if q.problem_id not in ctx_cache:
                        ctx_cache[q.problem_id] = _context(retriever, q, cfg.assistant.max_sources)
                    ctx, ids = ctx_cache[q.problem_id]
                t0 = time.perf_counter()
                try:
                    if mode == "extractive":
                        response = extractive_choice(q, ctx)
                    else:
                        g = gen_for(mode)
                        prompt = prompter.build(build_instruction(q, fmt), ctx or None)
                        mx = cfg.eval.exam_max_new_tokens * (3 if fmt == "cot" else 1)
                        response = g.generate(prompt, max_new_tokens=mx)
                except TenkanError as exc:
                    unavailable[name] = str(exc).split("\n")[0]
                    log.warning("exam variant %s unavailable: %s", name, unavailable[name])
                    bar.update(1)
                    continue
                sc = score_response(q, response)
                rec = {"variant": name, "mode": mode, "format": fmt, "problem_id": q.problem_id,
                       "answer": q.answer, "response": response, "retrieved_ids": ids,
                       "latency_s": round(time.perf_counter() - t0, 4), **sc}
                records.append(rec)
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
                bar.update(1)
    bar.close()

    summary: dict[str, dict] = {}
    for name, _, _ in variants:
        rs = [r for r in records if r["variant"] == name]
        if not rs:
            continue
        summary[name] = {m: mean([r[m] for r in rs]) for m in ("accuracy", "exact_match", "gestalt")}
        summary[name].update({"n": len(rs), "skipped": skipped})
    diffs = []
    names = list(summary)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            sa = {r["problem_id"]: r["accuracy"] for r in records if r["variant"] == a}
            sb = {r["problem_id"]: r["accuracy"] for r in records if r["variant"] == b}
            d = paired_bootstrap(sa, sb, metric="accuracy", a=a, b=b, n_boot=cfg.eval.bootstrap, seed=cfg.eval.seed)
            if d.n:
                diffs.append(d.to_dict())
    metrics = {
        "run_id": run_id, "kind": "exam",
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "exam": {"path": str(path), "sha256": sha256_file(path), "n": len(questions), "scored": len(usable),
                 "skipped": skipped, "multi_answer": sum(1 for q in usable if len(q.gold) > 1)},
        "modes": summary, "differences": diffs, "unavailable_modes": unavailable,
        "variants": [{"name": n, "mode": m, "format": f} for n, m, f in variants],
    }
    atomic_write_json(run_dir / "metrics.json", metrics)
    from eval.report import write_exam_report

    write_exam_report(run_dir, metrics, records)
    write_manifest(run_dir, "tenkan eval --exam", inputs={"exam": str(path)}, settings=cfg,
                   extra={"run_id": run_id, "variants": metrics["variants"],
                          "generators": {k: getattr(g, "name", str(g)) for k, g in generators.items()},
                          "index": getattr(retriever, "manifest", None) if retriever is not None else None})
    return RunResult(run_dir, metrics, records)

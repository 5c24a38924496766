"""``tenkan eval`` on question sets: answer every question in every mode, score
the answers, aggregate with intervals, and write the run directory.

Run directory (``ws.runs_dir()/<run-id>/``): ``per_question.jsonl``,
``metrics.json``, ``report.md``, ``report.html``, ``*.png``, ``manifest.json``.
"""

from __future__ import annotations

import logging
import math
import time
from pathlib import Path
from typing import Any, Sequence

import assistant as assistant_stage
import index
from tenkan.errors import TenkanError
from tenkan.paths import Workspace
from tenkan.vocab import MODEL_STATES, RAG_MODES, Mode

from eval.config import EvalSettings
from eval.inputs import DEMO_QUESTIONS, EvalItem, EvalSet, load_eval_sets
from eval.judge import JudgeScorer, load_judge
from eval.ngram import NGRAM_METRICS, ngram_scores, rouge_l
from eval.ragas_metrics import as_embed_fn, context_scores, semantic_similarity, string_similarity
from eval.report import write_report
from eval.retrieval import dedupe_pages, page_key, retrieval_scores
from eval.run import RunResult, new_run_id, paired_differences, start_run
from eval.stats import bootstrap_mean_ci, mean

__all__ = ["ANSWER_METRICS", "DIFF_METRICS", "RunResult", "new_run_id", "run_eval", "run_demo_eval", "retrieved_of",
           "aggregate"]

log = logging.getLogger(__name__)

#: per-answer metrics in report order
ANSWER_METRICS = (*NGRAM_METRICS, "raw_rougeL_word", "raw_rougeL_char", "string_similarity", "semantic_similarity",
                  "context_recall", "context_precision", "grounded", "model_grounded", "fallback", "cited_gold", "kept_cited_gold",
                  "faithfulness", "answer_relevancy", "llm_context_precision", "latency_s")
#: metrics whose between-mode differences get paired bootstrap intervals
DIFF_METRICS = ("rougeL_word", "rougeL_char", "raw_rougeL_word", "raw_rougeL_char", "bleu_word", "meteor_word",
                "semantic_similarity", "grounded", "model_grounded", "cited_gold")


def retrieved_of(answer: dict) -> list[dict]:
    """The chunks an answer was built from, as ``[{chunk_id, url, text}]`` in rank order: the numbered
    sources the assistant gave the model (``Answer.to_dict()["sources"]``; empty when retrieval found
    nothing relevant enough)."""
    return [{"chunk_id": s.get("chunk_id", ""), "url": s.get("url", ""), "text": s.get("text") or ""}
            for s in answer.get("sources") or []]


def _finite(x) -> float | None:
    if x is None:
        return None
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) else x


class _Scorers:
    """The per-answer scorers, with what could not be loaded recorded as not computed."""

    def __init__(self, cfg: EvalSettings, embedder=None, judge=None):
        self.cfg = cfg
        self.not_computed: dict[str, str] = {}
        self.semantic = None
        if not cfg.eval.semantic_similarity:
            self.not_computed["semantic_similarity"] = "disabled (eval.semantic_similarity = false)"
        elif embedder is None:
            self.not_computed["semantic_similarity"] = "no embedder (no index to read it from)"
        else:
            self.semantic = semantic_similarity(embedder)
        self.judge_scorer = None
        if judge is None:
            for m in ("faithfulness", "answer_relevancy", "llm_context_precision"):
                self.not_computed[m] = "not computed: no LLM judge configured (eval.judge)"
        else:
            self.judge_scorer = JudgeScorer(judge, as_embed_fn(embedder) if embedder is not None else None)
            if embedder is None:
                self.not_computed["answer_relevancy"] = "not computed: needs the embedder"

    def score(self, item: EvalItem, mode: str, answer: str, retrieved: list[dict], grounded,
              grounding: str = "", generated: str = "", citations: Sequence[dict] = ()) -> dict:
        m: dict[str, float | None] = {}
        if item.reference:
            m.update(ngram_scores(answer, item.reference, wordnet=self.cfg.eval.meteor_wordnet))
            if mode != "extractive" and generated:
                # the model's own output, before the citation check may replace it by quotes
                m["raw_rougeL_word"] = rouge_l(generated, item.reference, "word")
                m["raw_rougeL_char"] = rouge_l(generated, item.reference, "char")
            m["string_similarity"] = string_similarity(answer, item.reference)
            if self.semantic is not None:
                m["semantic_similarity"] = self.semantic(answer, item.reference)
        if mode in RAG_MODES:
            pages = dedupe_pages(r["url"] for r in retrieved)
            m.update(context_scores(pages, [page_key(u) for u in item.gold_urls]))
        m["grounded"] = None if grounded is None else float(bool(grounded))
        if mode in RAG_MODES and mode != "extractive" and grounding not in ("", "out_of_scope", "no_sources"):
            # did the model's own sentences pass the citation check, or were they replaced by quotes?
            m["model_grounded"] = float(grounding in MODEL_STATES)
            m["fallback"] = float(grounding == "fallback")
        if mode in RAG_MODES and item.gold_urls and grounding not in ("out_of_scope", "no_sources"):
            # does the answer cite a page that answers the question? (for the model's own answers:
            # of those kept by the citation check, how many cite a gold page)
            gold = {page_key(u) for u in item.gold_urls}
            cites_gold = float(bool(gold & {page_key(c.get("url", "")) for c in citations}))
            m["cited_gold"] = cites_gold
            if m.get("model_grounded"):
                m["kept_cited_gold"] = cites_gold
        if self.judge_scorer is not None and mode in RAG_MODES:
            m.update(self.judge_scorer.score(item.question, answer, item.reference,
                                             [r["text"] for r in retrieved if r["text"]]))
        return {k: _finite(v) for k, v in m.items()}


def _open_retriever(cfg: EvalSettings, ws: Workspace):
    try:
        return index.open_index(ws, cfg)
    except (TenkanError, ImportError) as exc:
        log.warning("no retriever for retrieval metrics: %s", exc)
        return None


def retrieval_section(retriever, sets: Sequence[EvalSet], cfg: EvalSettings, progress: bool = False) -> tuple[dict, list[dict]]:
    """Recall@k and MRR by page for every retrieval method; chunk recall where gold chunk ids exist."""
    ks = sorted(set(cfg.eval.ks))
    out: dict[str, dict] = {}
    rows: list[dict] = []
    for s in sets:
        out[s.name] = {}
        for method in cfg.eval.retrieval_methods:
            per: list[dict] = []
            for it in s.items:
                if not it.gold_urls and not it.gold_chunk_ids:
                    continue
                try:
                    hits = retriever.search(it.question, k=max(ks), method=method)
                except TenkanError as exc:
                    log.warning("retrieval method %s failed: %s", method, exc)
                    per = []
                    break
                urls = [h.url for h in hits]
                sc = retrieval_scores(urls, it.gold_urls, ks) if it.gold_urls else {}
                if it.gold_chunk_ids:
                    ids = [h.chunk_id for h in hits]
                    gold = set(it.gold_chunk_ids)
                    for k in ks:
                        sc[f"chunk_recall@{k}"] = len(gold & set(ids[:k])) / len(gold)
                per.append(sc)
                rows.append({"set": s.name, "id": it.id, "method": method, "ranked_pages": dedupe_pages(urls),
                             "gold_pages": [page_key(u) for u in it.gold_urls], **sc})
            if per:
                keys = sorted({k for p in per for k in p}, key=lambda k: (k.split("@")[0], int(k.split("@")[1]) if "@" in k else 0))
                out[s.name][method] = {k: mean([p.get(k) for p in per]) for k in keys}
                out[s.name][method]["n"] = len(per)
    return out, rows


def aggregate(records: list[dict], modes: Sequence[str], cfg: EvalSettings) -> dict:
    """Means per mode (all sets and per set), bootstrap CIs of the means, paired differences."""
    def by(mode, set_name=None):
        return [r for r in records if r["mode"] == mode and (set_name is None or r["set"] == set_name) and not r.get("error")]

    def summarise(rs: list[dict]) -> dict:
        out: dict[str, Any] = {}
        for m in ANSWER_METRICS:
            v = mean([r["metrics"].get(m) for r in rs])
            if v is not None:
                out[m] = v
        out["n"] = len(rs)
        return out

    result: dict[str, Any] = {"modes": {}, "by_set": {}, "ci": {}}
    sets = sorted({r["set"] for r in records})
    for mode in modes:
        rs = by(mode)
        if not rs:
            continue
        result["modes"][mode] = summarise(rs)
        result["ci"][mode] = {}
        for m in ANSWER_METRICS:
            ci = bootstrap_mean_ci([r["metrics"].get(m) for r in rs], cfg.eval.bootstrap, cfg.eval.seed)
            if ci:
                result["ci"][mode][m] = list(ci)
    for s in sets:
        result["by_set"][s] = {mode: summarise(by(mode, s)) for mode in modes if by(mode, s)}
    present = [m for m in modes if m in result["modes"]]
    result["differences"] = paired_differences(
        present, DIFF_METRICS, lambda mode, metric: {f"{r['set']}/{r['id']}": r["metrics"].get(metric) for r in by(mode)},
        cfg)
    return result


def run_eval(cfg: EvalSettings, ws: Workspace, sets: Sequence[EvalSet], *, modes: Sequence[Mode] | None = None,
             limit: int | None = None, assistant=None, retriever=None, embedder=None, judge=None,
             progress: bool = True, run_id: str | None = None, extra_manifest: dict | None = None,
             generated_limit: int | None = None) -> RunResult:
    """Answer and score every question of ``sets`` in every mode; write the run directory.

    ``assistant`` (default: ``assistant.Assistant(cfg, ws)``) needs
    ``ask(question, mode=...)`` returning an answer with ``to_dict()``.
    A mode that raises a :class:`TenkanError` (say, no adapter for ``ft``) is
    recorded as unavailable with the reason and the other modes go on.
    ``generated_limit`` caps the questions per set for the modes that run a
    language model (all but ``extractive``), which are slow on a CPU.
    """
    modes = list(modes or cfg.eval.modes)
    limit = cfg.eval.limit if limit is None else limit
    if limit:
        sets = [EvalSet(s.name, s.path, s.sha256, s.items[:limit]) for s in sets]
    if assistant is None:
        assistant = assistant_stage.Assistant(cfg, ws)
    if retriever is None:
        try:
            retriever = getattr(assistant, "retriever", None)
        except TenkanError as exc:
            log.warning("no retriever for retrieval metrics: %s", exc)
        if retriever is None:
            retriever = _open_retriever(cfg, ws)
    if embedder is None and cfg.eval.semantic_similarity and retriever is not None:
        embedder = retriever.embedder
    if judge is None and cfg.eval.judge:
        judge = load_judge(cfg.eval.judge, model=cfg.eval.judge_model, api_key_env=cfg.eval.judge_api_key_env, ws=ws)
    scorers = _Scorers(cfg, embedder, judge)

    def n_for(mode: str, s: EvalSet) -> int:
        return len(s.items) if (not generated_limit or mode == "extractive") else min(generated_limit, len(s.items))

    def answer(mode: str, task: tuple[EvalSet, EvalItem]) -> dict:
        s, it = task
        t0 = time.perf_counter()
        d = assistant.ask(it.question, mode=mode).to_dict()
        latency = time.perf_counter() - t0
        retrieved = retrieved_of(d) if mode in RAG_MODES else []
        metrics = scorers.score(it, mode, d.get("answer", ""), retrieved, d.get("grounded"),
                                d.get("grounding", ""), d.get("generated", ""), d.get("citations", []))
        metrics["latency_s"] = latency
        return {"set": s.name, "id": it.id, "type": it.type, "mode": mode, "question": it.question,
                "reference": it.reference, "gold_urls": it.gold_urls, "answer": d.get("answer", ""),
                "citations": d.get("citations", []), "grounded": d.get("grounded"),
                "grounding": d.get("grounding"), "generated": d.get("generated", ""),
                "fallback_reason": d.get("fallback_reason", ""), "attempts": d.get("attempts", []),
                "safety": d.get("safety", {}),
                "retrieved_ids": [r["chunk_id"] for r in retrieved],
                "retrieved_pages": dedupe_pages(r["url"] for r in retrieved),
                "latency_s": round(latency, 4), "metrics": metrics}

    run = start_run(ws, run_id, "eval")
    tasks = [(mode, (s, it)) for mode in modes for s in sets for it in s.items[: n_for(mode, s)]]
    records = run.answer_all(tasks, answer, label=lambda task: task[1].id, desc="eval", progress=progress)

    result = aggregate(records, modes, cfg)
    result["retrieval"], retrieval_rows = (retrieval_section(retriever, sets, cfg) if retriever is not None
                                           else ({}, []))
    if retriever is None:
        result["not_computed_retrieval"] = "no index: retrieval metrics not computed (tenkan index)"
    metrics = {
        **run.header("questions"),
        "sets": [s.describe() for s in sets],
        "requested_modes": modes,
        "limit": limit,
        "generated_limit": generated_limit,
        **result,
        "unavailable_modes": run.unavailable,
        "not_computed": scorers.not_computed,
        "meteor_wordnet": cfg.eval.meteor_wordnet,
        "judge": getattr(judge, "name", None),
        "bootstrap": cfg.eval.bootstrap,
    }
    if retrieval_rows:
        run.write_jsonl("retrieval.jsonl", retrieval_rows)
    man_extra = {"modes": modes, "limit": limit, "generated_limit": generated_limit,
                 "index": getattr(retriever, "manifest", None) if retriever is not None else None,
                 "judge": getattr(judge, "name", None), **(extra_manifest or {})}
    return run.finish(cfg, ws, metrics, report=write_report, producer="tenkan eval",
                      inputs={s.name: s.path for s in sets}, manifest_extra=man_extra)


def run_demo_eval(cfg: EvalSettings, ws: Workspace, *, generated_limit: int | None = 5, assistant=None,
                  modes: Sequence[Mode] | None = None, progress: bool = True) -> Path:
    """The evaluation step of ``tenkan demo``: the demo question set only, every
    question for ``extractive`` and ``generated_limit`` for the generating modes.
    Modes whose model is missing are reported as unavailable. Returns the run dir."""
    sets = load_eval_sets(cfg, ws, questions=str(DEMO_QUESTIONS), dataset="none")
    res = run_eval(cfg, ws, sets, modes=modes, assistant=assistant, progress=progress,
                   generated_limit=generated_limit, run_id=new_run_id("demo"))
    return res.run_dir

"""``tenkan eval``: evaluate answer modes on a question set or an exam file."""

from __future__ import annotations

import json
import sys

import assistant as assistant_stage
import generator
from tenkan.errors import ConfigError
from tenkan.face.config import load_config
from tenkan.vocab import MODES

from eval.config import EXAM_SCORINGS, exam_formats
from eval.exam_run import run_exam, score_responses
from eval.inputs import load_eval_sets
from eval.runner import run_eval

NAME = "eval"
HELP = "evaluate answer modes on a question set or an exam file"
DESCRIPTION = """Evaluate answer modes and write a run directory (per_question.jsonl, metrics.json,
report.md, report.html, PNG plots, manifest.json) under <home>/runs/<run-id>/.

examples:
  tenkan eval --limit 20                          # demo set (+ dataset test split), default modes
  tenkan eval --modes rag-ft,ft,rag-base,extractive --json
  tenkan eval --exam data/eval/exam_sample.jsonl --modes rag-ft,ft,rag-base,base --scoring loglik
  tenkan eval --exam data/eval/exam_sample.jsonl --modes rag-ft,ft,extractive --formats plain,cot --scoring generate
  tenkan eval --exam 112-A.jsonl --responses 112-A_gpt4.jsonl   # score published predictions (IgakuQA)
"""


def add_arguments(p) -> None:
    p.add_argument("--questions", metavar="FILE", help="question set JSONL (default: data/eval/questions.jsonl; 'none' to skip)")
    p.add_argument("--split", choices=("tune", "test"), default=None,
                   help="only this half of a split question set (e.g. --questions data/eval/styles.jsonl --split test)")
    p.add_argument("--dataset", metavar="NAME", help="also evaluate datasets/NAME/test.jsonl ('auto' = newest, 'none' = skip)")
    p.add_argument("--modes", metavar="M1,M2", help=f"answer modes: {', '.join(MODES)}")
    p.add_argument("--limit", type=int, metavar="N", help="only the first N questions of each set (CPU generation is slow)")
    p.add_argument("--limit-generated", type=int, metavar="N",
                   help="only the first N questions for the modes that generate (extractive answers all)")
    p.add_argument("--exam", metavar="FILE", help="score an IgakuQA-format five-choice exam instead")
    p.add_argument("--formats", metavar="F1,F2", help=f"exam prompt formats (eval/exam_templates/): {', '.join(exam_formats())}")
    p.add_argument("--scoring", choices=list(EXAM_SCORINGS),
                   help="exam scoring: loglik (highest log-likelihood choice; default for local models), "
                        "generate (letters parsed from a generated answer; default for endpoints)")
    p.add_argument("--responses", metavar="FILE", action="append",
                   help="with --exam: score these predictions (IgakuQA baseline_results JSONL: problem_id, prediction) "
                        "instead of generating; repeat for several files")
    p.add_argument("--adapter", metavar="NAME|DIR", help="LoRA adapter for the ft modes (default: the workspace/demo adapter)")
    p.add_argument("--base-model", metavar="SOURCE", help="generator base model source (sets generator.base_model)")
    p.add_argument("--judge", metavar="SPEC", help="LLM judge: openai:<url> or hf:<id|dir> (sets eval.judge)")
    p.add_argument("--run-id", metavar="ID", help="name of the run directory (default: eval-<timestamp>)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true",
                   help='print {"run_dir": ..., "modes": {MODE: {METRIC: value, "n": count}}} as the last stdout line')


def _split(v: str | None) -> list[str] | None:
    return [x.strip() for x in v.split(",") if x.strip()] if v else None


def run(args, ctx) -> int:
    overrides = list(args.overrides or [])
    if args.base_model:
        overrides.append(f"generator.base_model={json.dumps(args.base_model)}")
    if args.judge:
        overrides.append(f"eval.judge={json.dumps(args.judge)}")
    if args.modes:
        key = "eval.exam_modes" if args.exam else "eval.modes"
        overrides.append(f"{key}={json.dumps(_split(args.modes))}")
    if args.formats:
        overrides.append(f"eval.exam_formats={json.dumps(_split(args.formats))}")
    if args.scoring:
        overrides.append(f"eval.exam_scoring={json.dumps(args.scoring)}")
    if args.responses and not args.exam:
        raise ConfigError("--responses needs --exam FILE (the questions and answers the predictions are scored against)")
    if args.limit is not None:
        overrides.append(f"eval.limit={args.limit}")
    cfg = load_config(args.config, overrides) if overrides != list(args.overrides or []) else ctx.config
    ws = ctx.workspace
    progress = not (args.no_progress or args.quiet)
    if args.exam and args.responses:
        res = score_responses(cfg, ws, args.exam, args.responses, run_id=args.run_id)
    elif args.exam:
        res = run_exam(cfg, ws, args.exam, progress=progress, run_id=args.run_id, adapter=args.adapter)
    else:
        sets = load_eval_sets(cfg, ws, questions=args.questions, dataset=args.dataset, split=args.split)
        assistant = None
        if args.adapter:
            def loader(key: str):
                return generator.load_generator(cfg, ws, args.adapter if key == "ft" else None)

            assistant = assistant_stage.Assistant(cfg, ws, generator_loader=loader)
        res = run_eval(cfg, ws, sets, assistant=assistant, progress=progress, run_id=args.run_id,
                       generated_limit=args.limit_generated,
                       extra_manifest={"command": ["tenkan", *sys.argv[1:]]})
    if args.json:
        print(json.dumps(res.summary(), ensure_ascii=False))
    else:
        _print_table(res)
    return 0


def _print_table(res) -> None:
    modes = res.metrics["modes"]
    if not modes:
        print(f"no mode produced answers; see {res.run_dir}/report.md")
    keys = []
    for v in modes.values():
        keys += [k for k in v if k not in keys and k != "n"]
    show = [k for k in keys if k in ("accuracy", "exact_match", "gestalt", "skipped", "missing", "bleu_word", "rougeL_word",
                                     "rougeL_char", "meteor_word", "semantic_similarity", "grounded",
                                     "context_recall", "latency_s")]
    width = max([len(m) for m in modes] + [8])
    print(f"{'mode':<{width}} " + " ".join(f"{k:>12}" for k in show) + f" {'n':>5}")
    for m, v in modes.items():
        cells = " ".join(f"{v[k]:>12.3f}" if isinstance(v.get(k), float) else f"{str(v.get(k, '—')):>12}" for k in show)
        print(f"{m:<{width}} {cells} {v['n']:>5}")
    for mode, why in res.metrics.get("unavailable_modes", {}).items():
        print(f"{mode}: unavailable: {why}")
    diffs = [d for d in res.metrics.get("differences", []) if d.get("metric") == "accuracy"]
    if res.metrics.get("kind") == "exam" and diffs:
        print("differences in accuracy (paired BCa bootstrap, 95% CI):")
        for d in diffs:
            ci = f"[{d['low']:+.3f}, {d['high']:+.3f}]" if d.get("low") is not None else "[—]"
            print(f"  {d['a']} − {d['b']}: {d['diff']:+.3f} {ci} n={d['n']}  {d.get('verdict', '')}")
    print(f"run: {res.run_dir}  (report: {res.run_dir / 'report.html'})")

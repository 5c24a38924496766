"""``tenkan dataset``: build Alpaca-format instruction data from the index's chunks."""

from __future__ import annotations

import json

from generator.dataset import build_dataset
from tenkan.errors import ConfigError
from eval.questions import load_questions

NAME = "dataset"
HELP = "build Alpaca-format instruction data from the index's chunks"
DESCRIPTION = """Build instruction data (Alpaca JSONL: instruction, input, output, source_chunk_ids, url,
strategy, shape) from the index's chunks into <home>/datasets/<name>/ with train/dev/test
split by document, duplicates removed, stats.json and manifest.json.

Strategies: faq (Q./A. pages), heading (section headings -> questions), teacher (an
OpenAI-compatible endpoint writes grounded QA pairs; only with --teacher-url)."""


def add_arguments(p) -> None:
    p.add_argument("--name", help="dataset name (default: generator.dataset)")
    p.add_argument("--strategies", help="comma-separated: faq,heading,teacher")
    p.add_argument("--shapes", help="comma-separated: closed,context")
    p.add_argument("--teacher-url", help="OpenAI-compatible base url of a teacher model")
    p.add_argument("--teacher-model", help="model name for the teacher endpoint")
    p.add_argument("--json", action="store_true", help="print the stats as JSON")


def run(args, ctx) -> int:
    cfg = ctx.config
    g = cfg.generator
    if args.strategies:
        g.strategies = [s.strip() for s in args.strategies.split(",") if s.strip()]
    if args.shapes:
        g.shapes = [s.strip() for s in args.shapes.split(",") if s.strip()]
    if args.teacher_url:
        g.teacher_url = args.teacher_url
    if args.teacher_model:
        g.teacher_model = args.teacher_model
    try:
        g.__post_init__()
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    # no training question may be an evaluation question (the eval stage owns them)
    held_out = [q["question"] for q in load_questions()]
    s = build_dataset(cfg, ctx.workspace, args.name, exclude_questions=held_out)
    if args.json:
        print(json.dumps({"dir": str(s.directory), **s.stats}, ensure_ascii=False))
    else:
        st = s.stats
        print(f"dataset {s.directory}")
        print("  examples: " + ", ".join(f"{k} {v}" for k, v in st["examples"].items())
              + f"  (documents: " + ", ".join(f"{k} {v}" for k, v in st["documents"].items()) + ")")
        print("  by strategy: " + ", ".join(f"{k} {v}" for k, v in st["by_strategy"].items()))
        print("  by shape: " + ", ".join(f"{k} {v}" for k, v in st["by_shape"].items())
              + f"; unanswerable {st['unanswerable']}")
        print(f"  duplicates removed: exact {st['duplicates_removed']['exact']}, near {st['duplicates_removed']['near']}")
    return 0

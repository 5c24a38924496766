"""End-to-end answer latency: median time to first token and to the full answer per mode.

Usage: .venv/bin/python bench/answer.py [--home DIR] [--modes extractive rag-ft] [--n 20]

Needs an index in the workspace (`tenkan demo --no-app` or `tenkan crawl && tenkan index`);
rag-ft also needs a tuned adapter (the committed demo adapter or `tenkan train`), otherwise
it is reported as skipped with the reason. Prints and saves bench/results/answer.json.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

from assistant import Assistant
from assistant.answer import FinalEvent
from tenkan.errors import TenkanError
from tenkan.face.config import load_config
from tenkan.manifest import atomic_write_json
from tenkan.paths import Workspace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--home", default=None, help="workspace (default: $TENKAN_HOME or ./var)")
    ap.add_argument("--modes", nargs="+", default=["extractive", "rag-ft"])
    ap.add_argument("--n", type=int, default=20, help="questions per mode (fact questions of data/eval/parts)")
    ap.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE",
                    help="config override, e.g. generator.runtime=transformers or generator.threads=1")
    args = ap.parse_args()

    rows = [json.loads(line) for f in sorted(glob.glob(str(ROOT / "data/eval/parts/*.jsonl")))
            for line in open(f, encoding="utf-8") if line.strip()]
    questions = [r["question"] for r in rows if r.get("type") == "fact"][: args.n]
    cfg = load_config(overrides=args.set)
    asst = Assistant(cfg, Workspace.from_home(args.home))
    t = time.perf_counter()
    asst.retriever.search("発作", k=1)  # load the index once; not part of the per-answer latency
    load_s = time.perf_counter() - t
    results = {"questions": len(questions), "index_load_s": round(load_s, 2), "modes": {},
               "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
               "cpus": os.cpu_count(), "overrides": args.set, "load_average_1m_at_start": round(os.getloadavg()[0], 2),
               "note": "2 CPU cores shared with other jobs: generation time depends on what else runs (llama.cpp "
                       "with 2 threads while another process holds a core was 10x slower than with 1 thread)"}
    for mode in args.modes:
        try:
            t = time.perf_counter()
            if mode not in ("extractive",):
                asst.generator_for(mode)  # model load is a one-time cost, reported apart
            model_load = time.perf_counter() - t
        except TenkanError as exc:
            results["modes"][mode] = {"skipped": str(exc).split("\n")[0], "hint": getattr(exc, "hint", None)}
            print(f"{mode}: skipped ({exc})")
            continue
        ttft, total, grounding = [], [], {}
        for q in questions:
            t0 = time.perf_counter()
            first = None
            for ev in asst.ask_stream(q, mode=mode):
                if first is None:
                    first = time.perf_counter() - t0
                if isinstance(ev, FinalEvent):
                    g = ev.answer.grounding
                    grounding[g] = grounding.get(g, 0) + 1
            total.append(time.perf_counter() - t0)
            ttft.append(first)
        results["modes"][mode] = {
            "median_first_token_s": round(statistics.median(ttft), 3),
            "median_total_s": round(statistics.median(total), 3),
            "p90_total_s": round(sorted(total)[int(0.9 * (len(total) - 1))], 3),
            "model_load_s": round(model_load, 2),
            "grounding": grounding,
        }
        if mode != "extractive":
            gen = asst.generator_for(mode)
            results["modes"][mode]["runtime"] = getattr(gen, "runtime", type(gen).__name__)
            results["modes"][mode]["threads"] = cfg.generator.threads or os.cpu_count()
        print(mode, json.dumps(results["modes"][mode], ensure_ascii=False))
    results["load_average_1m_at_end"] = round(os.getloadavg()[0], 2)
    out = ROOT / "bench" / "results" / "answer.json"
    atomic_write_json(out, results)
    print(f"saved {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

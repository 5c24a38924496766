"""Does the assistant decline what its sources do not cover, and answer what they do?

Usage: .venv/bin/python bench/answer_scope.py [--home DIR] [--set assistant.KEY=VALUE ...]

Asks every evaluation question (data/eval/questions.jsonl) in extractive mode, twice:
with the configured relevance gate ("gate") and with the earlier plain-coverage gate only
("plain": assistant.min_weighted_coverage=0), and reports per setting

* out-of-scope declined: `out-of-scope` questions (no gold page) answered with the
  "sources do not cover this / outside scope" text;
* in-scope answered: every other question answered from the sources;
* gold page rate: answered in-scope questions citing one of their gold pages.

It also sweeps min_weighted_coverage over the recorded signals (``answer.relevance``) to
show the trade-off. Needs an index in the workspace (`tenkan crawl && tenkan index`).
Prints and saves bench/results/answer_scope.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DECLINED = ("no_sources", "out_of_scope")


def run(cfg, ws, retriever, questions):
    from assistant import Assistant
    from index.evalset import url_path

    asst = Assistant(cfg, ws, retriever=retriever)
    rows = []
    for q in questions:
        ans = asst.ask(q["question"], mode="extractive")
        gold = {url_path(u) for u in q["urls"]}
        rows.append({
            "id": q["id"], "type": q["type"], "question": q["question"], "grounding": ans.grounding,
            "declined": ans.grounding in DECLINED, "emergency": bool(ans.safety.get("emergency")),
            "scope": ans.safety.get("scope"),
            "gold_cited": bool(gold & {url_path(c.url) for c in ans.citations}),
            "relevance": ans.relevance,
        })
    return rows


def summarise(rows) -> dict:
    oos = [r for r in rows if r["type"] == "out-of-scope"]
    ins = [r for r in rows if r["type"] != "out-of-scope"]
    answered = [r for r in ins if not r["declined"]]
    return {
        "out_of_scope_declined": sum(r["declined"] for r in oos), "out_of_scope": len(oos),
        "in_scope_answered": len(answered), "in_scope": len(ins),
        "gold_page_rate_answered": round(sum(r["gold_cited"] for r in answered) / max(1, len(answered)), 3),
        "gold_page_rate_all_in_scope": round(sum(r["gold_cited"] for r in answered) / max(1, len(ins)), 3),
        "out_of_scope_still_answered": [r["question"] for r in oos if not r["declined"]],
        "in_scope_declined": [r["question"] for r in ins if r["declined"]],
    }


def sweep(rows, plain_rows, min_coverage: float) -> list[dict]:
    """Decisions re-derived from the recorded signals for other min_weighted_coverage values
    (the scope classifier's "out" and the emergency exemption as in the pipeline); whether an
    answered question cites its gold page comes from the plain run, which answered more."""
    gold = {r["id"]: r["gold_cited"] for r in plain_rows}
    out = []
    for th in (0.0, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5):
        def declined(r):
            if r["emergency"]:
                return False
            if r["grounding"] == "out_of_scope" and not r["relevance"]:
                return True  # declined by the scope classifier before retrieval
            rel = r["relevance"] or {}
            return rel.get("coverage", 1) < min_coverage or rel.get("weighted_coverage", 1) < th
        oos = [r for r in rows if r["type"] == "out-of-scope"]
        ins = [r for r in rows if r["type"] != "out-of-scope"]
        ans = [r for r in ins if not declined(r)]
        out.append({"min_weighted_coverage": th, "out_of_scope_declined": sum(map(declined, oos)),
                    "in_scope_answered": len(ans),
                    "gold_page_rate_answered": round(sum(gold[r["id"]] for r in ans) / max(1, len(ans)), 3),
                    "gold_cited_by_declined_in_scope": sum(gold[r["id"]] for r in ins if declined(r))})
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--home", default=None, help="workspace (default: $TENKAN_HOME or ./var)")
    ap.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE", help="config override")
    ap.add_argument("--out", default=str(ROOT / "bench/results/answer_scope.json"))
    args = ap.parse_args()

    from index import open_index
    from index.evalset import load_questions
    from tenkan.config import load_config
    from tenkan.manifest import atomic_write_json
    from tenkan.paths import Workspace

    ws = Workspace.from_home(args.home)
    cfg = load_config(overrides=args.set)
    plain_cfg = load_config(overrides=args.set + ["assistant.min_weighted_coverage=0"])
    retriever = open_index(ws, cfg)
    questions = load_questions()
    t = time.perf_counter()
    gate_rows = run(cfg, ws, retriever, questions)
    seconds = time.perf_counter() - t
    plain_rows = run(plain_cfg, ws, retriever, questions)
    result = {
        "questions": len(questions), "index": retriever.manifest.get("embedder"),
        "chunks": retriever.manifest.get("chunks"), "mode": "extractive",
        "settings": {"min_coverage": cfg.assistant.min_coverage,
                     "min_weighted_coverage": cfg.assistant.min_weighted_coverage,
                     "retrieval_method": cfg.assistant.retrieval_method, "max_sources": cfg.assistant.max_sources},
        "plain": summarise(plain_rows),
        "gate": summarise(gate_rows),
        "sweep": sweep(gate_rows, plain_rows, cfg.assistant.min_coverage),
        "seconds_per_question": round(seconds / max(1, len(questions)), 3),
        "per_question": gate_rows,
    }
    for name in ("plain", "gate"):
        s = result[name]
        print(f"{name:5}: out-of-scope declined {s['out_of_scope_declined']}/{s['out_of_scope']}, "
              f"in-scope answered {s['in_scope_answered']}/{s['in_scope']}, "
              f"gold page cited {s['gold_page_rate_answered']:.1%} of answered "
              f"({s['gold_page_rate_all_in_scope']:.1%} of all in-scope)")
    for s in result["sweep"]:
        print(f"  min_weighted_coverage={s['min_weighted_coverage']:.2f}: declined {s['out_of_scope_declined']}/10 "
              f"answered {s['in_scope_answered']}/{result['gate']['in_scope']} gold {s['gold_page_rate_answered']:.1%} "
              f"(declined in-scope that cited gold: {s['gold_cited_by_declined_in_scope']})")
    print("still answered (out-of-scope):", result["gate"]["out_of_scope_still_answered"])
    atomic_write_json(Path(args.out), result)
    print(f"saved {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

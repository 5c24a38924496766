"""Fit the extractive mode's sentence ranker on the ``tune`` half of the style set.

    python -m bench.sentence_ranker            # leave-one-batch-out figures on tune, nothing written
    python -m bench.sentence_ranker --write    # fit on all of tune, write data/ranker/sentence_ranker.json
    python -m bench.sentence_ranker --dev --write   # ... and on the development lists' must-mention rows

For each in-scope tune question the assistant retrieves as it does when answering (whole pages,
the index's sentence vectors) and every quotable sentence becomes a candidate
(:func:`assistant.extractive.candidate_features`); a candidate is positive when it holds one of
the question's ``must_mention`` spans. Logistic regression (standardised features, balanced
classes) learns which mixture of the signals puts such sentences first. Only tune rows are read,
and with ``--dev`` the must-mention rows of the development lists (``data/eval/dev/``: questions written
apart from the test half, many in the tune half's voice); then the figures also hold out the newest lists.
Needs the demo index in the workspace (``tenkan crawl && tenkan index``).
"""

from __future__ import annotations

import argparse
import json

import numpy as np

from assistant import Assistant
from assistant.extractive import FEATURES, RANKER_FILE, SentenceRanker, candidate_features
from bench.answer_scope import load_dev_lists
from eval.questions import batch_of, load_styles
from tenkan.face.config import load_config
from tenkan.manifest import atomic_write_text
from tenkan.paths import Workspace

C = 1.0


def collect(asst: Assistant, dev: bool = False) -> list[tuple[str, list[tuple[list[float], int, float]]]]:
    """(question id, [(features, label, hand score)]) for the in-scope tune questions (and, with ``dev``, the
    development lists' questions that have must-mention spans)."""
    out = []
    rows = [r for r in load_styles("tune") if r["gold_pages"]]
    if dev:
        rows += [r for qs in load_dev_lists().values() for r in qs if r["gold_pages"] and r["must_mention"]]
    for r in rows:
        q = asst.analyse(r["question"])
        sources, _ = asst._retrieve(q, q.safety)  # noqa: SLF001 (the answer path's own steps)
        sources = asst._whole_pages(sources)  # noqa: SLF001
        sims = asst._similarities(q, sources)  # noqa: SLF001
        cands = [(f, int(any(m in quote.text for m in r["must_mention"])), quote.score)
                 for quote, f in candidate_features(q.match_text, sources, sims)]
        out.append((r["id"], cands))
    return out


def fit(rows: list[tuple[str, list]], split: str = "tune") -> dict:
    from sklearn.linear_model import LogisticRegression  # fitting only; answering reads the JSON

    X = np.array([f for _, cs in rows for f, _, _ in cs], dtype=float)
    y = np.array([lab for _, cs in rows for _, lab, _ in cs])
    mean, scale = X.mean(0), X.std(0) + 1e-9
    clf = LogisticRegression(C=C, class_weight="balanced", max_iter=5000).fit((X - mean) / scale, y)
    return {"features": list(FEATURES), "mean": np.round(mean, 6).tolist(), "scale": np.round(scale, 6).tolist(),
            "coef": np.round(clf.coef_[0], 6).tolist(), "intercept": round(float(clf.intercept_[0]), 6),
            "trained_on": {"questions": len(rows), "candidates": int(len(y)), "positives": int(y.sum()),
                           "split": split}}


def _top3_hits(rows, score) -> int:
    return sum(any(cs[j][1] for j in np.argsort([-score(c) for c in cs])[:3]) for _, cs in rows if cs)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--home", default=None)
    ap.add_argument("--write", action="store_true", help=f"fit on all of tune and write {RANKER_FILE.name}")
    ap.add_argument("--dev", action="store_true", help="fit on the development lists' must-mention rows as well")
    args = ap.parse_args(argv)
    asst = Assistant(load_config(), Workspace.from_home(args.home))
    rows = collect(asst, dev=args.dev)
    tune = [r for r in rows if r[0].startswith("S-")]
    dev = [r for r in rows if not r[0].startswith("S-")]
    for held in (1, 2, 3):
        train = [r for r in tune if batch_of(r[0], "styles.jsonl") != held] + dev
        test = [r for r in tune if batch_of(r[0], "styles.jsonl") == held]
        ranker = SentenceRanker(fit(train))
        print(f"batch {held} held out ({len(test)} questions): a must-mention sentence in the top 3 by the hand "
              f"score {_top3_hits(test, lambda c: c[2])}, by the ranker {_top3_hits(test, lambda c: ranker.score(c[0]))}")
    if dev:
        # the lists written last (in the tune half's voice, sessions 23-24) held out as a whole
        newest = {f"must{n}" for n in range(26, 40)}
        train = tune + [r for r in dev if r[0].rsplit("-", 1)[0] not in newest]
        test = [r for r in dev if r[0].rsplit("-", 1)[0] in newest]
        ranker, tune_only = SentenceRanker(fit(train)), SentenceRanker(fit(tune))
        print(f"the newest lists held out ({len(test)} questions): a must-mention sentence in the top 3 by the hand "
              f"score {_top3_hits(test, lambda c: c[2])}, by a ranker fitted on tune "
              f"{_top3_hits(test, lambda c: tune_only.score(c[0]))}, on tune and the older lists "
              f"{_top3_hits(test, lambda c: ranker.score(c[0]))}")
    if args.write:
        m = fit(rows, "tune and the development lists" if args.dev else "tune")
        atomic_write_text(RANKER_FILE, json.dumps(m, indent=1) + "\n")
        print(f"wrote {RANKER_FILE} ({m['trained_on']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

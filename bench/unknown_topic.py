"""Fit the unknown-topic model (:mod:`assistant.unknown_topic`) on the development lists.

    python -m bench.unknown_topic            # held-out figures (lists held out in groups), nothing written
    python -m bench.unknown_topic --write    # ... then fit on every row, write data/ranker/unknown_topic.json

Rows: every question the relevance gate declines for words the pages never use, with the model switched
off. Off-topic questions of the development lists and of the tune half so declined are *topics* (1); in-scope
ones are *settings* (0): those declined today, and those named in ``data/ranker/unknown_settings.tsv`` (in-scope
questions of the development lists declined for such words when their list was first run, most mended since
by scene words and synonyms; the words are the ones the gate named then). The test half is never read.

The held-out figures hold out the lists five at a time by number (must45-must49 with oos45-oos49 …), so a
list's own words never decide its rows: at each threshold, how many settings would be answered and how
many topics would lose their decline. Needs the demo index in the workspace (``tenkan crawl && tenkan index``).
"""

from __future__ import annotations

import argparse
import json
import re
import zlib

import numpy as np

from assistant import Assistant
from assistant.relevance import term_stats
from assistant.unknown_topic import FEATURES, MODEL_FILE, UnknownTopicModel, features
from bench.answer_scope import DECLINED, load_dev_lists
from eval.questions import load_styles
from tenkan.errors import TenkanError
from tenkan.face.config import load_config
from tenkan.manifest import atomic_write_text
from tenkan.paths import DATA_DIR, Workspace

C = 0.3
SETTINGS_FILE = DATA_DIR / "ranker" / "unknown_settings.tsv"
THRESHOLDS = (0.03, 0.05, 0.08, 0.1)


def _group(row_id: str) -> int:
    """Lists held out together: by number in fives, the others (named lists, the tune half) by name."""
    name = row_id.rsplit("-", 1)[0]
    m = re.search(r"(\d+)$", name)
    return int(m.group(1)) // 5 if m else 100 + zlib.crc32(name.encode()) % 7


def load_settings() -> dict[str, list[str]]:
    out = {}
    for line in SETTINGS_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            qid, words = line.split("\t")
            out[qid] = words.split("、")
    return out


def collect(asst: Assistant) -> list[tuple[str, list[float], int]]:
    """(question id, features, 1 for a topic / 0 for a setting)."""
    stats = term_stats(asst.retriever)
    rows = [(r["id"], r) for r in load_styles("tune")]
    rows += [(r["id"], r) for name, qs in load_dev_lists().items() for r in qs]
    named = load_settings()
    out = []
    for qid, r in rows:
        words, label = named.get(qid), 0
        if words is None:
            ans = asst.ask(r["question"], mode="extractive")
            rel = ans.relevance or {}
            if not (ans.grounding in DECLINED and rel.get("unknown") and "never mentions" in rel.get("reason", "")):
                continue
            words, label = rel["unknown"], 0 if r["gold_pages"] else 1
        # the message as the gate reads it (kana restored), the same text the answer path gives the model
        out.append((qid, features(asst.analyse(r["question"]).restored, words, stats.characters), label))
    return out


def fit(rows: list[tuple[str, list[float], int]]) -> dict:
    from sklearn.linear_model import LogisticRegression  # fitting only; answering reads the JSON

    X = np.array([f for _, f, _ in rows], dtype=float)
    y = np.array([lab for _, _, lab in rows])
    mean, scale = X.mean(0), X.std(0) + 1e-9
    clf = LogisticRegression(C=C, class_weight="balanced", max_iter=5000).fit((X - mean) / scale, y)
    return {"features": list(FEATURES), "mean": np.round(mean, 6).tolist(), "scale": np.round(scale, 6).tolist(),
            "coef": np.round(clf.coef_[0], 6).tolist(), "intercept": round(float(clf.intercept_[0]), 6),
            "trained_on": {"rows": len(rows), "topics": int(y.sum()), "settings": int(len(y) - y.sum()),
                           "split": "the development lists and the tune half"}}


def held_out(rows: list[tuple[str, list[float], int]]) -> list[float]:
    """Each row's topic probability from a model fitted without its group of lists."""
    groups = sorted({_group(qid) for qid, _, _ in rows})
    p = [0.0] * len(rows)
    for g in groups:
        train = [r for r in rows if _group(r[0]) != g]
        if len({lab for _, _, lab in train}) < 2:
            continue
        model = UnknownTopicModel(fit(train))
        for i, (qid, f, _) in enumerate(rows):
            if _group(qid) == g:
                p[i] = model.probability(f)
    return p


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--home", default=None)
    ap.add_argument("--write", action="store_true", help=f"fit on every row and write {MODEL_FILE.name}")
    args = ap.parse_args(argv)
    try:
        asst = Assistant(load_config(overrides=["assistant.unknown_topic_max=0"]), Workspace.from_home(args.home))
        rows = collect(asst)
    except TenkanError as exc:  # no index yet, a corrupt one: say what to run, write nothing
        print(f"bench.unknown_topic: {exc}")
        return 2
    p = held_out(rows)
    n_set = sum(1 for _, _, lab in rows if lab == 0)
    print(f"{len(rows)} rows declined for unknown words: {len(rows) - n_set} off topic, {n_set} settings")
    for t in THRESHOLDS:
        saved = sum(1 for (_, _, lab), pp in zip(rows, p) if lab == 0 and pp < t)
        lost = sum(1 for (_, _, lab), pp in zip(rows, p) if lab == 1 and pp < t)
        print(f"  held out, topic probability < {t}: settings answered {saved}/{n_set}, "
              f"off-topic questions no longer declined by the words {lost}/{len(rows) - n_set}")
    if args.write:
        m = fit(rows)
        atomic_write_text(MODEL_FILE, json.dumps(m, indent=1) + "\n")
        print(f"wrote {MODEL_FILE.name} ({m['trained_on']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

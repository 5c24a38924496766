"""Train the emergency detector's character n-gram model on the ``tune`` half.

    python -m eval.emergency_model            # leave-one-batch-out figures on tune, nothing written
    python -m eval.emergency_model --write    # train on all of tune, write data/safety/emergency_ngrams.json

The regular expressions of :mod:`assistant.emergency` recognise the situations their writers
imagined; on a batch of messages written later they caught about three in four. The model reads
the same two views of a message (as written and as read, :func:`assistant.emergency.emergency_views`)
as bags of character n-grams and learns, from the tune half of ``data/eval/emergencies.jsonl``
(emergencies and look-alikes) plus the tune questions of ``styles.jsonl`` (ordinary questions,
negatives), which mixtures of words mean "this is happening now". The detector raises the alarm
when either finds an emergency. Only ``tune`` rows are read: the test half stays unseen.
"""

from __future__ import annotations

import argparse
import json
import math
from collections import Counter

import numpy as np

from assistant.emergency import MODEL_FILE, NgramModel, detect_emergencies, ngram_counts
from eval.questions import batch_of, load_emergencies, load_styles
from tenkan.manifest import atomic_write_text

#: decision threshold on the model's probability, chosen by leave-one-batch-out on tune
THRESHOLD = 0.4
MIN_DF = 2
C = 10.0


def _rows(held: int | None = None, keep: bool = True):
    """(texts, labels) of the tune half, only batch ``held`` (keep) or all but it (not keep)."""
    def take(rid: str, name: str) -> bool:
        return held is None or (batch_of(rid, name) == held) == keep
    em = [r for r in load_emergencies("tune") if take(r["id"], "emergencies.jsonl")]
    st = [r for r in load_styles("tune") if take(r["id"], "styles.jsonl")]
    return [r["text"] for r in em] + [r["question"] for r in st], \
        [int(r["emergency"]) for r in em] + [0] * len(st), [r["id"] for r in em] + [r["id"] for r in st]


def fit(texts: list[str], labels: list[int]) -> dict:
    """idf per n-gram (sklearn's smooth idf, sublinear tf) and logistic-regression weights."""
    from sklearn.linear_model import LogisticRegression  # training only; the detector needs numpy

    counts = [ngram_counts(t) for t in texts]
    df = Counter(g for c in counts for g in c)
    vocab = sorted(g for g, d in df.items() if d >= MIN_DF)
    index = {g: i for i, g in enumerate(vocab)}
    n = len(texts)
    idf = np.array([math.log((1 + n) / (1 + df[g])) + 1 for g in vocab])
    X = np.zeros((n, len(vocab)), dtype=np.float64)
    for i, c in enumerate(counts):
        for g, k in c.items():
            if g in index:
                X[i, index[g]] = 1 + math.log(k)
    X *= idf
    for prefix in ("w:", "r:"):  # each view normalised on its own
        cols = np.array([g.startswith(prefix) for g in vocab])
        norms = np.linalg.norm(X[:, cols], axis=1, keepdims=True)
        X[:, cols] /= np.where(norms > 0, norms, 1)
    clf = LogisticRegression(C=C, class_weight="balanced", max_iter=5000).fit(X, labels)
    return {"idf": dict(zip(vocab, np.round(idf, 5).tolist())),
            "coef": dict(zip(vocab, np.round(clf.coef_[0], 5).tolist())),
            "intercept": round(float(clf.intercept_[0]), 5), "threshold": THRESHOLD,
            "trained_on": {"rows": n, "emergencies": int(sum(labels)), "ngrams": len(vocab), "split": "tune"}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--write", action="store_true", help=f"train on all of tune and write {MODEL_FILE.name}")
    args = ap.parse_args(argv)
    for held in (1, 2, 3):
        model = NgramModel(fit(*_rows(held, keep=False)[:2]))
        texts, labels, ids = _rows(held, keep=True)
        p = [model.probability(t) for t in texts]
        em = [(pp, t) for pp, t, y, i in zip(p, texts, labels, ids) if y]
        calm = [(pp, t) for pp, t, y, i in zip(p, texts, labels, ids) if not y and i.startswith("E-")]
        plain = [(pp, t) for pp, t, y, i in zip(p, texts, labels, ids) if i.startswith("S-")]
        for th in (0.3, 0.4, 0.5, 0.6):
            print(f"batch {held} held out, threshold {th}: model alone {sum(pp >= th for pp, _ in em)}/{len(em)} "
                  f"emergencies, false alarms {sum(pp >= th for pp, _ in calm)}/{len(calm)} look-alikes, "
                  f"{sum(pp >= th for pp, _ in plain)}/{len(plain)} ordinary questions; with today's patterns (chosen on all "
                  f"of tune, so not a held-out figure) "
                  f"{sum(pp >= th or bool(detect_emergencies(t, model=None)) for pp, t in em)}/{len(em)}")
    if args.write:
        m = fit(*_rows()[:2])
        atomic_write_text(MODEL_FILE, json.dumps(m, ensure_ascii=False, sort_keys=True) + "\n")
        print(f"wrote {MODEL_FILE} ({m['trained_on']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

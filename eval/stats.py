"""Aggregation and uncertainty: means with bootstrap intervals, and paired
bootstrap intervals for the difference between two modes on the same questions."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Mapping, Sequence

__all__ = ["finite", "mean", "bootstrap_mean_ci", "PairedDiff", "paired_bootstrap"]


def finite(values: Sequence[float | None]) -> list[float]:
    return [float(v) for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]


def mean(values: Sequence[float | None]) -> float | None:
    vals = finite(values)
    return sum(vals) / len(vals) if vals else None


def bootstrap_mean_ci(values: Sequence[float | None], n_boot: int = 1000, seed: int = 0,
                      level: float = 0.95) -> tuple[float, float] | None:
    """Percentile bootstrap interval of the mean (None with fewer than 2 values or n_boot 0)."""
    import numpy as np

    vals = np.asarray(finite(values), dtype=float)
    if len(vals) < 2 or n_boot <= 0:
        return None
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(vals), size=(n_boot, len(vals)))
    means = vals[idx].mean(axis=1)
    a = (1 - level) / 2
    return float(np.quantile(means, a)), float(np.quantile(means, 1 - a))


@dataclass
class PairedDiff:
    """Mean of ``a - b`` over the questions both modes scored, with its interval."""

    metric: str
    a: str
    b: str
    n: int
    diff: float | None
    low: float | None
    high: float | None
    #: share of resamples in which a does not beat b (a one-sided bootstrap p-value)
    p_le_0: float | None

    @property
    def significant(self) -> bool:
        return self.low is not None and (self.low > 0 or self.high < 0)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["significant"] = self.significant
        return d


def paired_bootstrap(a_scores: Mapping[str, float | None], b_scores: Mapping[str, float | None], *,
                     metric: str = "", a: str = "a", b: str = "b", n_boot: int = 1000,
                     seed: int = 0, level: float = 0.95) -> PairedDiff:
    """Paired bootstrap over question ids present (and finite) in both mappings.

    Resamples questions with replacement, the same indices for both modes, so
    question difficulty cancels out of the difference.
    """
    import numpy as np

    keys = [k for k in a_scores if k in b_scores
            and finite([a_scores[k]]) and finite([b_scores[k]])]
    if not keys:
        return PairedDiff(metric, a, b, 0, None, None, None, None)
    d = np.array([float(a_scores[k]) - float(b_scores[k]) for k in keys])
    diff = float(d.mean())
    if len(d) < 2 or n_boot <= 0:
        return PairedDiff(metric, a, b, len(d), diff, None, None, None)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(d), size=(n_boot, len(d)))
    means = d[idx].mean(axis=1)
    q = (1 - level) / 2
    return PairedDiff(metric, a, b, len(d), diff, float(np.quantile(means, q)),
                      float(np.quantile(means, 1 - q)), float((means <= 0).mean()))

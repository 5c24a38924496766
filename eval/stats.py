"""Aggregation and uncertainty: means with bootstrap intervals, and paired
bootstrap intervals for the difference between two modes on the same questions.

Intervals are BCa intervals from ``scipy.stats.bootstrap`` (paired resampling
for differences), *expanded* for small samples as Hesterberg (2015, "What
teachers should know about the bootstrap") recommends: the bootstrap spread is
the plug-in one (divisor n, not n - 1) and the normal quantile ignores the
t distribution's heavier tails, so a nominal 95% BCa interval of a mean covers
only ~92% at n = 20 (simulated here). The interval is therefore taken at the
level ``1 - 2 Φ(-sqrt(n / (n - 1)) · t_{n-1, 1 - α/2})`` (96.8% for n = 20,
95.2% for n = 200), which brings coverage back to the nominal level
(``tests/test_eval_stats.py`` simulates it).

Differences over fewer than :data:`MIN_PAIRS` questions are reported as "too
few to tell": with five questions a nominal 95% interval covered 86.5% of the
time and excluded 0 where a Wilcoxon test gave p = 0.19.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import asdict, dataclass
from typing import Mapping, Sequence

import numpy as np

__all__ = ["finite", "mean", "bootstrap_mean_ci", "PairedDiff", "paired_bootstrap", "MIN_PAIRS", "TOO_FEW",
           "expanded_level"]

#: Fewest paired questions for which a difference is called significant or not.
MIN_PAIRS = 10
TOO_FEW = "too few to tell"


def finite(values: Sequence[float | None]) -> list[float]:
    return [float(v) for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]


def mean(values: Sequence[float | None]) -> float | None:
    vals = finite(values)
    return sum(vals) / len(vals) if vals else None


def expanded_level(n: int, level: float = 0.95) -> float:
    """The confidence level at which a bootstrap interval of a mean over ``n`` values
    has about ``level`` coverage (Hesterberg's small-sample expansion)."""
    from scipy.stats import norm, t

    if n < 2:
        return level
    alpha = 1.0 - level
    return float(1.0 - 2.0 * norm.cdf(-math.sqrt(n / (n - 1)) * t.ppf(1.0 - alpha / 2.0, n - 1)))


def _bca_mean(samples: tuple, n_boot: int, seed: int, level: float, paired: bool):
    """(low, high, bootstrap distribution) of the mean of ``samples[0]`` (minus ``samples[1]``)."""
    from scipy.stats import DegenerateDataWarning, bootstrap

    if len(samples) == 2:
        def stat(x, y, axis=-1):
            return (x - y).mean(axis=axis)
    else:
        def stat(x, axis=-1):
            return x.mean(axis=axis)
    n = len(samples[0])
    with warnings.catch_warnings():
        # constant data makes BCa degenerate (NaN, with these warnings); handled below
        warnings.simplefilter("ignore", DegenerateDataWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        res = bootstrap(samples, stat, paired=paired, vectorized=True, n_resamples=n_boot,
                        confidence_level=expanded_level(n, level), method="BCa",
                        rng=np.random.default_rng(seed))
    low, high = (float(x) for x in res.confidence_interval)
    dist = np.asarray(res.bootstrap_distribution)
    if not (math.isfinite(low) and math.isfinite(high)):
        values = samples[0] - samples[1] if len(samples) == 2 else samples[0]
        if np.ptp(values) == 0:  # every value equal: the interval is that point
            low = high = float(values[0])
        else:  # BCa undefined for this sample (degenerate jackknife): percentile interval
            q = (1.0 - expanded_level(n, level)) / 2.0
            low, high = (float(x) for x in np.quantile(dist, [q, 1.0 - q]))
    return low, high, dist


def bootstrap_mean_ci(values: Sequence[float | None], n_boot: int = 1000, seed: int = 0,
                      level: float = 0.95) -> tuple[float, float] | None:
    """BCa bootstrap interval of the mean, expanded for small n (None with fewer than 2
    values or n_boot 0)."""
    vals = np.asarray(finite(values), dtype=float)
    if len(vals) < 2 or n_boot <= 0:
        return None
    low, high, _ = _bca_mean((vals,), n_boot, seed, level, paired=False)
    return low, high


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
    def significant(self) -> bool | None:
        """Whether the interval excludes 0; None when there are too few pairs to tell."""
        if self.n < MIN_PAIRS or self.low is None or self.high is None:
            return None
        return self.low > 0 or self.high < 0

    @property
    def verdict(self) -> str:
        if self.significant is None:
            return TOO_FEW
        if not self.significant:
            return "no clear difference"
        return f"{self.a} higher" if self.low > 0 else f"{self.b} higher"

    def to_dict(self) -> dict:
        d = asdict(self)
        d["significant"] = self.significant
        d["verdict"] = self.verdict
        return d


def paired_bootstrap(a_scores: Mapping[str, float | None], b_scores: Mapping[str, float | None], *,
                     metric: str = "", a: str = "a", b: str = "b", n_boot: int = 1000,
                     seed: int = 0, level: float = 0.95) -> PairedDiff:
    """Paired BCa bootstrap over question ids present (and finite) in both mappings.

    Resamples questions with replacement, the same indices for both modes, so
    question difficulty cancels out of the difference. ``n`` is always reported;
    with fewer than :data:`MIN_PAIRS` pairs the interval is still given but the
    verdict is "too few to tell".
    """
    keys = [k for k in a_scores if k in b_scores
            and finite([a_scores[k]]) and finite([b_scores[k]])]
    if not keys:
        return PairedDiff(metric, a, b, 0, None, None, None, None)
    xa = np.array([float(a_scores[k]) for k in keys])
    xb = np.array([float(b_scores[k]) for k in keys])
    diff = float((xa - xb).mean())
    if len(keys) < 2 or n_boot <= 0:
        return PairedDiff(metric, a, b, len(keys), diff, None, None, None)
    low, high, dist = _bca_mean((xa, xb), n_boot, seed, level, paired=True)
    return PairedDiff(metric, a, b, len(keys), diff, low, high, float((dist <= 0).mean()))

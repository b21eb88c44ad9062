"""Stated results with their uncertainty: intervals, verdicts, and checked claims.

A sentence in a notebook that quantifies, compares or ranks is printed from the numbers
behind it, never typed in by hand, so that a retrained model or a fresh sample cannot turn it
false without anyone noticing:

    psnr = {"W": per_face_psnr_w, "W+": per_face_psnr_wplus}       # one value per face, same faces
    print(compare("W+", psnr["W+"], "W", psnr["W"], unit=" dB"))
    # -> "W+ beats W by 0.41 dB (95 % interval 0.12 to 0.70, 20 paired samples)"
    # or "W+ and W are within noise: difference +0.08 dB (95 % interval -0.21 to +0.37, ...)"

    fd = [3.1, 2.9, 3.4, 3.0, 3.2]                                  # one value per sample seed
    print(f"FD {spread(fd):.2f}")                                     # -> "FD 3.12 (2.90 to 3.40 over 5 seeds)"

    check(gain > 0.25, f"the smile edit raises the smile by {gain:.2f}, at least 0.25")

A statistic that is not a mean of per-unit values (an accuracy pooled over all pixels of all
images, a Fréchet distance) is resampled through the units' indices:

    iou = pooled(confusions, lambda sums: class_iou(sums))          # confusions: (n, K, K), one per image
    print(compare_statistic("L1", iou_l1, "cGAN", iou_cgan, n=500))  # the same images resampled for both

`check` is for a sentence in the prose (markdown) that the numbers must keep supporting: it
raises `ClaimFailed`, which fails the notebook under nbval, when they stop doing so.

Intervals come from the percentile bootstrap (Efron & Tibshirani 1993, ch. 13): resample the
units (faces, codes, seeds) with replacement, recompute the statistic, and take the middle
95 % of the recomputed values. Two methods measured on the *same* units are compared through
their paired differences, which removes the variation between units from the comparison.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import numpy as np

__all__ = ["Estimate", "Spread", "Comparison", "ClaimFailed", "as_array", "bootstrap", "mean_interval",
           "correlation_interval", "proportion_interval", "spread", "compare", "check", "resampled_units", "pooled",
           "bootstrap_statistic", "compare_statistic"]

LEVEL = 0.95
RESAMPLES = 2000


class ClaimFailed(AssertionError):
    """A sentence in the notebook's prose is no longer supported by the numbers it stands on."""


@dataclass(frozen=True)
class Estimate:
    """A value with an interval [low, high] at confidence `level`, from `n` units."""

    value: float
    low: float
    high: float
    n: int
    level: float = LEVEL

    def excludes(self, x: float = 0.0) -> bool:
        """True when x lies outside the interval."""
        return not self.low <= x <= self.high

    def __format__(self, spec: str) -> str:
        """f"{estimate:.2f}" -> "0.42 (95 % interval 0.38 to 0.46)"."""
        spec = spec or ".3g"
        return f"{self.value:{spec}} ({self.level * 100:.0f} % interval {self.low:{spec}} to {self.high:{spec}})"

    def __str__(self) -> str:
        return format(self, "")


@dataclass(frozen=True)
class Spread:
    """Values measured several times (e.g. one per sample seed): their mean, min and max."""

    mean: float
    low: float
    high: float
    n: int
    unit: str = "seeds"

    def __format__(self, spec: str) -> str:
        """f"{s:.2f}" -> "3.12 (2.90 to 3.40 over 5 seeds)"."""
        spec = spec or ".3g"
        return f"{self.mean:{spec}} ({self.low:{spec}} to {self.high:{spec}} over {self.n} {self.unit})"

    def __str__(self) -> str:
        return format(self, "")


def as_array(values, flat: bool = True) -> np.ndarray:
    """A float64 numpy array from a list, numpy array or torch tensor (moved to the CPU): 1-D when
    `flat`, else with its shape kept (units along axis 0). Raises ValueError if empty or not finite."""
    if hasattr(values, "detach"):
        values = values.detach().cpu().numpy()
    array = np.asarray(values, dtype=np.float64)
    array = array.reshape(-1) if flat else array
    if len(array) == 0 or not np.isfinite(array).all():
        raise ValueError(f"need at least one finite value, got {array.reshape(-1)[:5]}"
                         f"{' ...' if array.size > 5 else ''}")
    return array


def bootstrap(values, statistic: Callable[[np.ndarray], np.ndarray] | None = None, *, level: float = LEVEL,
              resamples: int = RESAMPLES, seed: int = 0) -> Estimate:
    """Percentile-bootstrap interval of `statistic` over the units in `values`.

    values: (n,), one number per unit, or (n, m), m numbers per unit resampled together (e.g. the
    before and after of one code, for a ratio of means). statistic maps the resampled array
    (resamples, n[, m]) to (resamples,) (default: the mean of (n,) values).
    The same values and seed always give the same interval.
    """
    data = as_array(values, flat=False)
    statistic = statistic or (lambda x: x.mean(axis=1))
    rng = np.random.default_rng(seed)
    resampled = statistic(data[rng.integers(0, len(data), size=(resamples, len(data)))])     # (resamples,)
    low, high = np.quantile(resampled, [(1 - level) / 2, (1 + level) / 2])
    return Estimate(float(statistic(data[None])[0]), float(low), float(high), len(data), level)


def mean_interval(values, **kwargs) -> Estimate:
    """The mean of values (n,) with its bootstrap interval."""
    return bootstrap(values, **kwargs)


def correlation_interval(a, b, **kwargs) -> Estimate:
    """Pearson's correlation of paired values a, b (n,) with its bootstrap interval (pairs resampled)."""
    def correlation(pairs: np.ndarray) -> np.ndarray:                      # (resamples, n, 2) -> (resamples,)
        centred = pairs - pairs.mean(axis=1, keepdims=True)
        x, y = centred[..., 0], centred[..., 1]
        return (x * y).sum(axis=1) / np.sqrt((x * x).sum(axis=1) * (y * y).sum(axis=1))
    return bootstrap(np.stack([as_array(a), as_array(b)], axis=1), correlation, **kwargs)


def proportion_interval(successes: int, n: int, level: float = LEVEL) -> Estimate:
    """A share successes / n with its Wilson score interval (good for small n and shares near 0 or 1)."""
    if n <= 0 or not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n and n > 0, got {successes} of {n}")
    from scipy.stats import norm
    z = norm.ppf((1 + level) / 2)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return Estimate(p, max(0.0, centre - half), min(1.0, centre + half), n, level)


def spread(values, unit: str = "seeds") -> Spread:
    """Mean, min and max of a few repeated measurements (n,), e.g. one per sample seed."""
    data = as_array(values)
    return Spread(float(data.mean()), float(data.min()), float(data.max()), len(data), unit)


@dataclass(frozen=True)
class Comparison:
    """The difference a - b between two methods, its interval, and the verdict it supports.

    verdict: "better" (a beats b: the interval lies on a's good side of 0), "worse", or "within
    noise" (the interval contains 0).
    """

    name_a: str
    name_b: str
    difference: Estimate
    higher_is_better: bool
    unit: str
    paired: bool

    @property
    def verdict(self) -> str:
        if not self.difference.excludes(0.0):
            return "within noise"
        return "better" if (self.difference.value > 0) == self.higher_is_better else "worse"

    def sentence(self, spec: str = ".2f") -> str:
        """"A beats B by x (95 % interval lo to hi, n paired samples)" or "A and B are within noise: ...".

        In the first form x, lo and hi are the winner's advantage (positive, in the direction that is
        better, also when lower is better); in the second, the signed difference a - b.
        """
        d, unit = self.difference, self.unit
        how = f"{d.n} {'paired samples' if self.paired else 'samples each'}"
        if self.verdict == "within noise":
            interval = f"{d.level * 100:.0f} % interval {d.low:+{spec}}{unit} to {d.high:+{spec}}{unit}, {how}"
            return f"{self.name_a} and {self.name_b} are within noise: difference {d.value:+{spec}}{unit} ({interval})"
        winner, loser = (self.name_a, self.name_b) if self.verdict == "better" else (self.name_b, self.name_a)
        low, high = (d.low, d.high) if d.value > 0 else (-d.high, -d.low)         # the advantage, oriented
        interval = f"{d.level * 100:.0f} % interval {low:{spec}}{unit} to {high:{spec}}{unit}, {how}"
        return f"{winner} beats {loser} by {abs(d.value):{spec}}{unit} ({interval})"

    def __str__(self) -> str:
        return self.sentence()


def compare(name_a: str, a, name_b: str, b, *, higher_is_better: bool = True, unit: str = "",
            paired: bool = True, level: float = LEVEL, seed: int = 0) -> Comparison:
    """Compare method a with method b from per-unit measurements a (n,) and b (n or m,).

    paired: a[i] and b[i] were measured on the same unit (the same face, code or seed), so the
    interval is that of the mean paired difference; otherwise the units are resampled separately.
    """
    a, b = as_array(a), as_array(b)
    if paired:
        if a.shape != b.shape:
            raise ValueError(f"paired comparison needs one value per unit in both, got {len(a)} and {len(b)}")
        difference = bootstrap(a - b, level=level, seed=seed)
    else:
        rng = np.random.default_rng(seed)
        da = a[rng.integers(0, len(a), size=(RESAMPLES, len(a)))].mean(1)
        db = b[rng.integers(0, len(b), size=(RESAMPLES, len(b)))].mean(1)
        low, high = np.quantile(da - db, [(1 - level) / 2, (1 + level) / 2])
        difference = Estimate(float(a.mean() - b.mean()), float(low), float(high), min(len(a), len(b)), level)
    return Comparison(name_a, name_b, difference, higher_is_better, unit, paired)


def check(condition, claim: str) -> str:
    """Assert that the numbers still support `claim` (a sentence of the notebook's prose).

    Returns the claim, so a notebook can print it; raises ClaimFailed naming it otherwise.
    """
    if not bool(condition):
        raise ClaimFailed(f"the notebook states: {claim!r} -- but the numbers measured now do not support it. "
                          "Rewrite the sentence from the new numbers (or find what changed).")
    return claim


# ----------------------------------------------------------------------------- statistics of resampled units

def resampled_units(n: int, resamples: int = RESAMPLES, seed: int = 0) -> np.ndarray:
    """The bootstrap's draws of n units: int64 indices (resamples, n), with replacement.

    The same (n, resamples, seed) give the draws that `bootstrap` and a paired `compare` use.
    """
    if n < 1:
        raise ValueError(f"need at least one unit, got n = {n}")
    return np.random.default_rng(seed).integers(0, n, size=(resamples, n))


def pooled(counts, statistic: Callable[[np.ndarray], np.ndarray]) -> Callable[[np.ndarray], np.ndarray]:
    """A statistic of resampled units from additive per-unit counts, for `bootstrap_statistic`.

    counts (n, ...): one block of counts per unit (e.g. a confusion matrix per image);
    statistic maps summed counts (R, ...) to (R,) (e.g. pixel accuracy = trace / total).
    Returns f(indices (R, n)) -> (R,): the statistic of the counts summed over each row's units,
    which is how a pooled ratio (sum of hits / sum of pixels) is resampled, unlike a mean of
    per-unit ratios.
    """
    counts = _rows(counts)
    flat = counts.reshape(len(counts), -1)

    def of(indices: np.ndarray) -> np.ndarray:
        indices = np.atleast_2d(indices)
        rows, n = len(indices), len(counts)
        weights = np.bincount((np.arange(rows)[:, None] * n + indices).ravel(),      # times each unit is drawn
                              minlength=rows * n).reshape(rows, n).astype(np.float64)
        return np.asarray(statistic((weights @ flat).reshape(len(indices), *counts.shape[1:])), dtype=np.float64)

    return of


def _rows(values) -> np.ndarray:
    """A float64 numpy array (n, ...) of finite values from a list, numpy array or torch tensor."""
    if hasattr(values, "detach"):
        values = values.detach().cpu().numpy()
    array = np.asarray(values, dtype=np.float64)
    if array.ndim == 0 or len(array) == 0 or not np.isfinite(array).all():
        raise ValueError(f"need finite values with one row per unit, got shape {array.shape}")
    return array


def bootstrap_statistic(statistic: Callable[[np.ndarray], np.ndarray], n: int, *, level: float = LEVEL,
                        resamples: int = RESAMPLES, seed: int = 0) -> Estimate:
    """Percentile-bootstrap interval of any statistic of n units.

    statistic maps unit indices (R, n) to (R,) values (see `pooled`); the estimate itself is
    statistic(all n units once). A statistic is evaluated once per (n, resamples, seed) and its
    values are kept (the last 64), so comparing one method with several others costs one
    evaluation each: pass functions of data that no longer changes.
    """
    value, values = _replicates(statistic, n, resamples, seed)
    low, high = np.quantile(values, [(1 - level) / 2, (1 + level) / 2])
    return Estimate(value, float(low), float(high), n, level)


@lru_cache(maxsize=64)
def _replicates(statistic: Callable[[np.ndarray], np.ndarray], n: int, resamples: int,
                seed: int) -> tuple[float, np.ndarray]:
    """statistic(all units) and statistic of every resample of `resampled_units(n, resamples, seed)`."""
    draws = np.vstack([np.arange(n)[None], resampled_units(n, resamples, seed)])
    values = np.asarray(statistic(draws), dtype=np.float64).reshape(-1)
    if values.shape != (resamples + 1,) or not np.isfinite(values).all():
        raise ValueError(f"the statistic must map indices (R, n) to R finite values, got {values[:5]}")
    values.setflags(write=False)
    return float(values[0]), values[1:]


def compare_statistic(name_a: str, statistic_a: Callable[[np.ndarray], np.ndarray], name_b: str,
                      statistic_b: Callable[[np.ndarray], np.ndarray], n: int, *, higher_is_better: bool = True,
                      unit: str = "", level: float = LEVEL, resamples: int = RESAMPLES, seed: int = 0) -> Comparison:
    """Compare two methods measured on the same n units by a statistic of the units (paired).

    statistic_a, statistic_b map unit indices (R, n) to (R,) (see `pooled`); both see the same
    resampled units, so the interval is that of the difference a - b on the same images. For a
    statistic that is the mean of per-unit values this is `compare(..., paired=True)`.
    """
    value_a, values_a = _replicates(statistic_a, n, resamples, seed)
    value_b, values_b = _replicates(statistic_b, n, resamples, seed)
    low, high = np.quantile(values_a - values_b, [(1 - level) / 2, (1 + level) / 2])
    estimate = Estimate(value_a - value_b, float(low), float(high), n, level)
    return Comparison(name_a, name_b, estimate, higher_is_better, unit, paired=True)

"""Intervals, verdicts and checked claims (gentut.evidence), against scipy and planted answers."""

import numpy as np
import pytest
import torch
from scipy.stats import bootstrap as scipy_bootstrap

from gentut.evidence import (ClaimFailed, bootstrap, check, compare, correlation_interval, mean_interval,
                             proportion_interval, spread)


def test_bootstrap_interval_matches_scipys_percentile_bootstrap():
    values = np.random.default_rng(1).normal(3.0, 2.0, size=40)
    ours = bootstrap(values, resamples=20000)
    theirs = scipy_bootstrap((values,), np.mean, n_resamples=20000, method="percentile",
                             random_state=np.random.default_rng(5)).confidence_interval
    assert ours.value == pytest.approx(values.mean())
    assert ours.low == pytest.approx(theirs.low, abs=0.05) and ours.high == pytest.approx(theirs.high, abs=0.05)
    assert ours.n == 40 and ours.low < ours.value < ours.high


def test_interval_is_repeatable_and_shrinks_with_more_units():
    rng = np.random.default_rng(0)
    small, large = rng.normal(size=20), rng.normal(size=2000)
    assert bootstrap(small) == bootstrap(small)
    width = lambda e: e.high - e.low                                           # noqa: E731
    assert width(mean_interval(large)) < width(mean_interval(small)) / 5


def test_compare_verdicts_better_worse_and_within_noise():
    rng = np.random.default_rng(2)
    base = rng.normal(20, 3, size=30)                     # per-face PSNR: faces vary a lot ...
    better = base + 0.5 + rng.normal(0, 0.2, size=30)     # ... but the paired gain is clear
    same = base + rng.normal(0, 0.2, size=30)
    result = compare("W+", better, "W", base, unit=" dB")
    assert result.verdict == "better" and result.sentence().startswith("W+ beats W by 0.")
    assert " dB" in result.sentence() and "30 paired samples" in result.sentence()
    assert compare("W", base, "W+", better, unit=" dB").verdict == "worse"
    assert compare("W", base, "W+", better).sentence().startswith("W+ beats W")
    assert compare("A", same, "B", base).verdict == "within noise"
    assert "within noise" in str(compare("A", same, "B", base))
    # unpaired, the same gain drowns in the variation between faces
    assert compare("W+", better, "W", base, paired=False).verdict == "within noise"
    # lower is better (distances, errors)
    assert compare("ours", base - 1, "theirs", base, higher_is_better=False).verdict == "better"


def test_beats_sentence_states_the_winners_advantage_as_positive_numbers():
    rng = np.random.default_rng(3)
    base = rng.normal(20, 3, size=30)
    lower = base - 1 + rng.normal(0, 0.2, size=30)        # e.g. a loss: lower is better
    for result in (compare("ours", lower, "theirs", base, higher_is_better=False),      # a - b < 0, a wins
                   compare("theirs", base, "ours", lower, higher_is_better=False),      # a - b > 0, b wins
                   compare("theirs", base, "ours", lower),                              # higher is better
                   compare("ours", lower, "theirs", base)):
        winner = "ours" if not result.higher_is_better else "theirs"
        sentence = result.sentence()
        assert sentence.startswith(f"{winner} beats")
        low, high = (float(x) for x in sentence.split("interval ")[1].split(",")[0].split(" to "))
        advantage = abs(result.difference.value)
        assert 0 < low <= advantage <= high                # the interval brackets the stated advantage


def test_compare_accepts_tensors_and_rejects_mismatched_pairs():
    a, b = torch.arange(10.0), torch.arange(10.0) + 1
    assert compare("a", a, "b", b).verdict == "worse"
    with pytest.raises(ValueError, match="paired"):
        compare("a", a, "b", b[:5])
    with pytest.raises(ValueError, match="finite"):
        bootstrap([1.0, float("nan")])


def test_spread_and_proportion():
    s = spread([2.99, 4.45, 3.2])
    assert (s.low, s.high, s.n) == (2.99, 4.45, 3) and format(s, ".2f") == "3.55 (2.99 to 4.45 over 3 seeds)"
    p = proportion_interval(7, 20)
    assert p.value == 0.35 and 0.15 < p.low < 0.35 < p.high < 0.6         # Wilson: about 0.18 to 0.57
    assert proportion_interval(0, 10).low == pytest.approx(0.0, abs=1e-12)
    assert proportion_interval(10, 10).high == pytest.approx(1.0)
    assert "95 % interval" in format(p, ".2f")


def test_check_passes_quietly_and_fails_naming_the_claim():
    assert check(True, "W beats Z") == "W beats Z"
    with pytest.raises(ClaimFailed, match="W beats Z"):
        check(np.bool_(False), "W beats Z")


def test_bootstrap_resamples_rows_together_for_a_ratio_of_means():
    rng = np.random.default_rng(3)
    before = rng.normal(1.0, 0.3, size=200)
    after = 0.5 * before + rng.normal(0, 0.05, size=200)                 # the ratio of means is 0.5
    ratio = bootstrap(np.stack([before, after], 1), lambda x: x[..., 1].mean(1) / x[..., 0].mean(1))
    assert ratio.value == pytest.approx(after.mean() / before.mean()) and ratio.low < 0.5 < ratio.high
    assert ratio.high - ratio.low < 0.05                                  # paired rows: a tight interval


def test_statistic_of_resampled_units_matches_the_mean_case_and_pools_ratios():
    from gentut.evidence import bootstrap_statistic, compare_statistic, pooled, resampled_units
    rng = np.random.default_rng(3)
    a, b = rng.normal(1.0, 1.0, size=50), rng.normal(0.5, 1.0, size=50)
    # the mean of per-unit values through indices gives exactly the interval of bootstrap / compare
    mean_of = lambda values: (lambda idx: values[idx].mean(1))                   # noqa: E731
    assert bootstrap_statistic(mean_of(a), 50) == bootstrap(a)
    ours, theirs = compare_statistic("a", mean_of(a), "b", mean_of(b), 50), compare("a", a, "b", b)
    assert (ours.difference.value, ours.difference.low, ours.difference.high) == pytest.approx(
        (theirs.difference.value, theirs.difference.low, theirs.difference.high))
    assert ours.sentence() == theirs.sentence()
    assert resampled_units(50).shape == (2000, 50)
    assert (resampled_units(50, seed=1) == resampled_units(50, seed=1)).all()
    # a pooled ratio: hits / pixels summed over the units drawn, not a mean of per-unit ratios
    counts = np.array([[1, 1], [0, 9], [9, 9], [0, 1]], dtype=float)           # (hits, pixels) per image
    ratio = pooled(counts, lambda sums: sums[:, 0] / sums[:, 1])
    assert bootstrap_statistic(ratio, 4).value == pytest.approx(10 / 20)        # mean of ratios would be 0.5 too ...
    assert ratio(np.array([[0, 0, 1, 3]]))[0] == pytest.approx(2 / 12)          # ... but a draw weighs by pixels
    assert 0.0 <= bootstrap_statistic(ratio, 4).low <= 0.5 <= bootstrap_statistic(ratio, 4).high <= 1.0
    # identical methods are within noise; a planted gap in a pooled ratio is found
    better = counts + np.array([[0, 0], [4, 0], [0, 0], [1, 0]])
    same = compare_statistic("x", ratio, "y", ratio, 4)
    assert same.verdict == "within noise" and same.difference.value == 0.0
    many, more = np.tile(counts, (25, 1)), np.tile(better, (25, 1))
    found = compare_statistic("better", pooled(more, lambda s: s[:, 0] / s[:, 1]), "base",
                              pooled(many, lambda s: s[:, 0] / s[:, 1]), len(many))
    assert found.verdict == "better" and found.difference.value == pytest.approx(5 / 20)
    with pytest.raises(ValueError, match="one row per unit"):
        pooled(np.array(3.0), lambda s: s)


def test_a_statistic_is_evaluated_once_for_several_comparisons():
    from gentut.evidence import bootstrap_statistic, compare_statistic
    calls = []
    values = np.arange(30.0)

    def mean(idx):
        calls.append(len(idx))
        return values[idx].mean(1)

    others = [lambda idx, shift=shift: values[idx].mean(1) + shift for shift in (-1.0, 0.0, 1.0)]
    verdicts = [compare_statistic("m", mean, "other", other, 30, resamples=500, seed=7).verdict for other in others]
    assert verdicts == ["better", "within noise", "worse"] and calls == [501]
    assert bootstrap_statistic(mean, 30, resamples=500, seed=7).value == pytest.approx(14.5) and calls == [501]
    with pytest.raises(ValueError, match="R finite values"):
        bootstrap_statistic(lambda idx: np.zeros(3), 30, resamples=10)


def test_correlation_interval_is_pearsons_r_with_an_interval_that_covers_the_truth():
    rng = np.random.default_rng(0)
    x = rng.normal(size=3000)
    y = 0.6 * x + 0.8 * rng.normal(size=3000)                  # true correlation 0.6
    r = correlation_interval(torch.tensor(x), y)
    assert r.value == pytest.approx(np.corrcoef(x, y)[0, 1])
    assert r.low < 0.6 < r.high and r.high - r.low < 0.06
    independent = correlation_interval(x, rng.normal(size=3000))
    assert independent.low < 0 < independent.high
    assert correlation_interval(x, -y).value == pytest.approx(-r.value)

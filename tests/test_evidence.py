"""Intervals, verdicts and checked claims (gentut.evidence), against scipy and planted answers."""

import numpy as np
import pytest
import torch
from scipy.stats import bootstrap as scipy_bootstrap

from gentut.evidence import ClaimFailed, bootstrap, check, compare, mean_interval, proportion_interval, spread


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

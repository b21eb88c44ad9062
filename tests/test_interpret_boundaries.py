"""InterFaceGAN boundaries on synthetic codes whose true boundary is known."""

import numpy as np
import pytest
import torch
from sklearn.svm import SVC, LinearSVC

from gentut.interpret.boundaries import LinearBoundary, cosine_matrix, project_out


def planted(n=4000, d=16, seed=0):
    g = torch.Generator().manual_seed(seed)
    codes = torch.randn(n, d, generator=g)
    truth = torch.randn(d, generator=g)
    truth /= truth.norm()
    scores = torch.sigmoid(3 * (codes @ truth - 0.5))           # an attribute that grows along `truth`
    return codes, scores, truth


def test_recovers_a_planted_normal_and_reports_accuracies():
    codes, scores, truth = planted()
    boundary = LinearBoundary(ratio=0.1).fit(codes, scores)
    assert torch.dot(boundary.normal_, truth) > 0.97
    assert boundary.normal_.norm().item() == pytest.approx(1.0, abs=1e-6)
    assert boundary.val_accuracy_ == 1.0                        # the ends are separable
    # the middle is harder: labelled at the mid-range score (codes @ truth = 0.5, as the authors
    # do) while the boundary sits at the median (codes @ truth = 0), so codes in between are missed
    assert 0.7 < boundary.remaining_accuracy_ < 0.9
    # equal top and bottom shares put the boundary at the median score, here codes @ truth = 0
    assert boundary.offset_ == pytest.approx(0.0, abs=0.15)
    assert (boundary.decision_function(codes) > 0).float().mean().item() == pytest.approx(0.5, abs=0.05)


def test_normal_is_scikit_learns_linear_svc_on_the_authors_split():
    codes, scores, _ = planted(n=1000, d=8)
    boundary = LinearBoundary(ratio=0.1, seed=3)
    train, labels, val, val_labels, middle = boundary.split(scores.double().numpy())
    assert len(train) == 2 * int(100 * 0.7) and len(val) == 2 * 30 and len(middle) == 800
    assert labels.mean() == 0.5 and val_labels.mean() == 0.5            # each end split 70/30 on its own
    top = set(scores.argsort()[-100:].tolist())
    assert set(train[labels == 1].tolist()) | set(val[val_labels == 1].tolist()) == top
    reference = SVC(kernel="linear").fit(codes[train].double().numpy(), labels)
    expected = reference.coef_[0] / np.linalg.norm(reference.coef_[0])
    boundary.fit(codes, scores)
    assert torch.allclose(boundary.normal_, torch.from_numpy(expected).float(), atol=1e-6)
    assert boundary.val_accuracy_ == (reference.predict(codes[val].double().numpy()) == val_labels).mean()


def test_far_from_the_origin_the_normal_does_not_tilt():
    """LinearSVC penalises the intercept, which tilts its normal when the codes sit far from
    the origin (as W codes do); the SVC of the authors' protocol does not."""
    codes, scores, truth = planted(n=2000, d=16, seed=1)
    across = torch.nn.functional.normalize(torch.ones(16), dim=0)
    across = torch.nn.functional.normalize(across - (across @ truth) * truth, dim=0)
    far = codes + 5 * truth + 5 * across                        # the boundary now misses the origin
    ours = LinearBoundary(ratio=0.1).fit(far, scores).normal_
    train, labels, *_ = LinearBoundary(ratio=0.1).split(scores.double().numpy())
    liblinear = LinearSVC(C=1.0, dual=True, max_iter=20000).fit(far[train].double().numpy(), labels).coef_[0]
    liblinear = torch.from_numpy(liblinear / np.linalg.norm(liblinear)).float()
    assert torch.dot(ours, truth) > 0.97
    assert torch.dot(ours, truth) > torch.dot(liblinear, truth) + 0.02


def test_remaining_codes_are_labelled_by_the_mid_range_not_the_median():
    codes, scores, truth = planted(n=3000, d=8, seed=2)
    skewed = scores ** 4                                                   # median far below the mid-range
    boundary = LinearBoundary(ratio=0.1).fit(codes, skewed)
    *_, middle = boundary.split(skewed.double().numpy())
    s = skewed.double().numpy()
    truth_labels = s[middle] >= (s.max() + s.min()) / 2
    predicted = (boundary.decision_function(codes[middle]) > 0).numpy()
    assert boundary.remaining_accuracy_ == pytest.approx((predicted == truth_labels).mean())
    assert np.median(s) < 0.5 * (s.max() + s.min()) - 0.1


def test_normal_points_towards_higher_scores_and_ratio_is_checked():
    codes, scores, truth = planted()
    flipped = LinearBoundary(ratio=0.1).fit(codes, 1 - scores)
    assert torch.dot(flipped.normal_, truth) < -0.97
    with pytest.raises(ValueError, match="ratio"):
        LinearBoundary(ratio=0.7)


def test_without_a_validation_split_every_kept_code_trains():
    codes = torch.randn(400, 6, generator=torch.Generator().manual_seed(4))
    truth = torch.nn.functional.normalize(torch.ones(6), dim=0)
    boundary = LinearBoundary(ratio=0.2, val_fraction=0.0).fit(codes, codes @ truth)
    assert boundary.val_correct_.shape == (0,) and np.isnan(boundary.val_accuracy_)
    assert torch.dot(boundary.normal_, truth) > 0.95


def test_project_out_removes_the_condition():
    a, b = torch.tensor([1.0, 1.0, 0.0]), torch.tensor([0.0, 1.0, 0.0])
    result = project_out(a, b)
    assert torch.allclose(result, torch.tensor([1.0, 0.0, 0.0]))
    two = project_out(torch.tensor([1.0, 1.0, 1.0]), b, torch.tensor([1.0, 0.0, 0.0]))
    assert torch.allclose(two, torch.tensor([0.0, 0.0, 1.0]), atol=1e-6)
    with pytest.raises(ValueError, match="span"):
        project_out(b, b)


def test_cosine_matrix():
    m = cosine_matrix(torch.tensor([[1.0, 0.0], [1.0, 1.0], [0.0, -2.0]]))
    assert torch.allclose(m.diagonal(), torch.ones(3))
    assert m[0, 1].item() == pytest.approx(2 ** -0.5) and m[0, 2].item() == pytest.approx(0.0)


def test_linear_probe_tells_a_linear_factor_from_a_folded_one():
    from gentut.interpret.boundaries import linear_probe
    codes = torch.randn(2000, 6, generator=torch.Generator().manual_seed(0))
    scores = torch.stack([codes[:, 0] + 0.5 * codes[:, 1], codes[:, 2].abs()], 1)   # linear, then folded at 0
    r2, errors = linear_probe(codes, scores)
    assert r2[0] > 0.99 and r2[1] < 0.1 and errors.shape == (500, 2)
    with pytest.raises(ValueError, match="train_fraction"):
        linear_probe(codes, scores, train_fraction=1.0)

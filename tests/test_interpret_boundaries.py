"""InterFaceGAN boundaries on synthetic codes whose true boundary is known."""

import pytest
import torch

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
    assert 0.8 < boundary.remaining_accuracy_ <= 1.0            # the middle is harder but not random
    # equal top and bottom shares put the boundary at the median score, here codes @ truth = 0
    assert boundary.offset_ == pytest.approx(0.0, abs=0.15)
    assert (boundary.decision_function(codes) > 0).float().mean().item() == pytest.approx(0.5, abs=0.05)


def test_normal_points_towards_higher_scores_and_ratio_is_checked():
    codes, scores, truth = planted()
    flipped = LinearBoundary(ratio=0.1).fit(codes, 1 - scores)
    assert torch.dot(flipped.normal_, truth) < -0.97
    with pytest.raises(ValueError, match="ratio"):
        LinearBoundary(ratio=0.7)


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

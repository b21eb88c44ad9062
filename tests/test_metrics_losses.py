"""Metrics and losses against closed forms and hand-made cases."""

import math

import numpy as np
import pytest
import torch
from torch.distributions import Normal, kl_divergence

from gentut.losses import d_logistic_loss, g_nonsaturating_loss, g_saturating_loss, kl_to_standard_normal, r1_penalty
from gentut.metrics import binary_accuracy, confusion_iou, frechet_distance, frechet_distances, psnr


def test_kl_matches_torch_distributions():
    mu, logvar = torch.randn(4, 3), torch.randn(4, 3)
    reference = kl_divergence(Normal(mu, (0.5 * logvar).exp()), Normal(0.0, 1.0)).sum(1)
    assert torch.allclose(kl_to_standard_normal(mu, logvar), reference, atol=1e-5)


def test_gan_losses_at_known_points():
    zero = torch.zeros(5)
    assert math.isclose(d_logistic_loss(zero, zero).item(), 2 * math.log(2), rel_tol=1e-6)   # D = 1/2 everywhere
    assert math.isclose(g_nonsaturating_loss(zero).item(), math.log(2), rel_tol=1e-6)
    assert math.isclose(g_saturating_loss(zero).item(), -math.log(2), rel_tol=1e-6)


def test_r1_of_a_linear_critic_is_its_squared_weight_norm():
    weight = torch.tensor([3.0, 4.0])
    x = torch.randn(6, 2, requires_grad=True)
    assert math.isclose(r1_penalty(x, x @ weight).item(), 25.0, rel_tol=1e-6)


def test_iou_on_hand_made_masks():
    target = torch.tensor([[0, 0, 1], [1, 1, 2]])
    predicted = torch.tensor([[0, 1, 1], [1, 1, 2]])
    ious = confusion_iou(predicted, target, 4)
    assert torch.allclose(ious[:3], torch.tensor([1 / 2, 3 / 4, 1.0]))
    assert torch.isnan(ious[3])


def test_accuracy_psnr_frechet():
    assert math.isclose(binary_accuracy(torch.tensor([0.9, 0.2, 0.6]), torch.tensor([1.0, 0.0, 0.0])), 2 / 3, rel_tol=1e-6)
    a = torch.zeros(1, 3, 4, 4)
    assert torch.allclose(psnr(a + 0.1, a), torch.tensor([20.0]))
    features = torch.randn(500, 4, generator=torch.Generator().manual_seed(0))
    assert frechet_distance(features, features) < 1e-6
    assert abs(frechet_distance(features, features + 2.0) - 16.0) < 1e-4   # ||shift||^2 = 4 * 2^2


def test_frechet_distances_of_resampled_sets_agree_with_frechet_distance():
    generator = torch.Generator().manual_seed(0)
    features = torch.randn(60, 5, generator=generator) @ torch.randn(5, 5, generator=generator)
    reference = torch.randn(80, 5, generator=generator) + 0.5
    rows = torch.randint(0, 60, (3, 60), generator=generator).numpy()
    fast = frechet_distances(features, reference, np.vstack([np.arange(60), rows]))
    assert fast.shape == (4,)
    assert fast[0] == pytest.approx(frechet_distance(features, reference), rel=1e-6)
    for r, row in enumerate(rows, start=1):
        assert fast[r] == pytest.approx(frechet_distance(features[row], reference), rel=1e-6)
    assert frechet_distances(reference, reference, np.arange(80))[0] < 1e-6


class _ChannelReader(torch.nn.Module):
    """A stand-in predictor: reads factor k as the mean of image channel k."""

    def predict(self, images):
        return images.mean((2, 3))[:, :2]


def test_predictor_crosstalk_finds_what_the_judge_reads_along_with_a_factor():
    from gentut.evaluate import predictor_crosstalk

    def render(f):          # channel 0 shows a; channel 1 shows b, but also half of a (the cross-talk)
        a, b = f["a"].view(-1, 1, 1), f["b"].view(-1, 1, 1)
        return torch.stack([a.expand(-1, 4, 4), (b + 0.5 * a).expand(-1, 4, 4) / 1.5], 1)

    factors = {"a": torch.rand(50), "b": torch.rand(50)}
    matrix = predictor_crosstalk(_ChannelReader(), factors, render)
    expected = torch.tensor([[0.6, 0.3 / 1.5], [0.0, 0.6 / 1.5]])
    assert torch.allclose(matrix, expected, atol=1e-5)
    binary = predictor_crosstalk(_ChannelReader(), {"a": torch.randint(0, 2, (50,)).float(), "b": factors["b"]}, render)
    assert binary[0, 0] == pytest.approx(1.0)                     # a binary factor goes 0 -> 1

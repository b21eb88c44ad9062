"""The 2-D GAN lab: mixtures, coverage metric, WGAN-GP penalty, and a short real training run."""

import math

import pytest
import torch

from gentut.gan2d import decision_surface, grid_mixture, mlp, mode_coverage, ring_mixture, train_2d_gan
from gentut.losses import gradient_penalty, wgan_critic_loss


def test_mixtures_sample_around_their_centres():
    ring = ring_mixture(k=8, radius=2.0, std=0.05)
    assert torch.allclose(ring.centres.norm(dim=1), torch.full((8,), 2.0))
    points = ring.sample(4000, torch.Generator().manual_seed(0))
    assert mode_coverage(points, ring) == pytest.approx({"high_quality": 1.0, "modes": 8, "kl_modes": 0.0}, abs=0.02)
    assert grid_mixture(side=5).centres.shape == (25, 2)
    # the density integrates to ~1 over a fine grid
    ticks = torch.linspace(-3, 3, 601)
    grid = torch.stack(torch.meshgrid(ticks, ticks, indexing="ij"), -1)
    assert ring.density(grid).sum().item() * (6 / 600) ** 2 == pytest.approx(1.0, abs=0.01)


def test_mode_coverage_sees_collapse():
    ring = ring_mixture()
    collapsed = ring.centres[0] + 0.01 * torch.randn(500, 2, generator=torch.Generator().manual_seed(0))
    result = mode_coverage(collapsed, ring)
    assert result["modes"] == 1 and result["high_quality"] == 1.0
    assert result["kl_modes"] == pytest.approx(math.log(8), abs=1e-6)


def test_gradient_penalty_is_zero_for_a_unit_slope_critic():
    critic = lambda x: x @ torch.tensor([0.6, 0.8])                 # |grad| = 1 everywhere
    real, fake = torch.randn(16, 2), torch.randn(16, 2)
    assert gradient_penalty(critic, real, fake).item() == pytest.approx(0.0, abs=1e-10)
    steep = lambda x: x @ torch.tensor([3.0, 4.0])                  # |grad| = 5 -> (5 - 1)^2
    assert gradient_penalty(steep, real, fake).item() == pytest.approx(16.0)
    assert wgan_critic_loss(torch.ones(3), torch.zeros(3)).item() == -1.0


@pytest.mark.parametrize("loss", ["nonsaturating", "wgan-gp"])
def test_training_records_snapshots(loss):
    run = train_2d_gan(ring_mixture(), loss=loss, steps=20, batch_size=32, snapshot_every=10,
                       generator=torch.Generator().manual_seed(0), progress=False)
    assert [s.step for s in run.snapshots] == [0, 10, 20]
    assert run.snapshots[0].samples.shape == (1000, 2) and run.snapshots[0].surface.shape == (64, 64)
    assert not torch.equal(run.snapshots[0].samples, run.snapshots[-1].samples)
    assert len(run.history) == 20
    with pytest.raises(ValueError, match="loss must be"):
        train_2d_gan(ring_mixture(), loss="hinge", steps=1, generator=torch.Generator())


def test_decision_surface_orientation():
    D = mlp(2, 1)
    with torch.no_grad():
        for p in D.parameters():
            p.zero_()
        D[-1].bias.fill_(0.0)
        D[0].weight[0, 1] = 1.0                  # hidden unit 0 = relu(y), carried to the output
        D[2].weight[0, 0] = 1.0
        D[4].weight[0, 0] = 1.0
        D[6].weight[0, 0] = 1.0
    surface = decision_surface(D, resolution=5, extent=1.0)
    assert surface[0].mean() > surface[-1].mean()                   # the top row is +y

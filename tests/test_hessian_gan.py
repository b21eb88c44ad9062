"""The blob toy of notebook 06's Hessian-penalty training: factors read back from the images, the
sensitivity and gap measures on generators whose answer is planted, and the training loop."""

import pytest
import torch
import torch.nn as nn

from gentut.interpret.hessian import hessian_penalty
from gentut.interpret.hessian_gan import (SIZE, blob_error, coordinate_traversal, factor_gap, factor_sensitivity,
                                          read_factors, render_blobs, sample_factors, train_blob_gan)


class PlantedBlobs(nn.Module):
    """A 'generator' that draws the blob at centre 7.5 + M z[:, :2] (M planted), ignoring the other coordinates."""

    def __init__(self, mixing: torch.Tensor, z_dim: int = 4):
        super().__init__()
        self.mixing, self.z_dim = mixing, z_dim

    def forward(self, z):
        return render_blobs(7.5 + z[:, :2] @ self.mixing.T)


def test_rendered_blobs_give_their_centres_back():
    factors = sample_factors(256, torch.Generator().manual_seed(0))
    assert factors.min() >= 4 and factors.max() <= 11
    images = render_blobs(factors)
    assert images.shape == (256, 1, SIZE, SIZE) and 0 <= images.min() and images.max() <= 1
    assert torch.allclose(read_factors(images), factors, atol=0.01)         # centre of mass, edges cut a little
    assert blob_error(images).max() < 0.002
    inner = factors.clamp(5, 10)                                            # one pixel to the right stays in range
    moved = read_factors(render_blobs(inner + torch.tensor([1.0, 0.0]))) - read_factors(render_blobs(inner))
    assert torch.allclose(moved, torch.tensor([1.0, 0.0]).expand(256, 2), atol=0.02)
    assert blob_error(torch.rand(8, 1, SIZE, SIZE, generator=torch.Generator().manual_seed(0))).min() > 0.1


def test_sensitivity_and_gap_find_a_planted_axis_and_a_planted_rotation():
    z = 0.5 * torch.randn(256, 4, generator=torch.Generator().manual_seed(0))
    aligned = factor_sensitivity(PlantedBlobs(torch.tensor([[1.0, 0.0], [0.0, 1.0]])), z)
    assert aligned.shape == (2, 4)
    assert torch.allclose(aligned, torch.tensor([[1.0, 0, 0, 0], [0, 1.0, 0, 0]]), atol=0.03)
    assert torch.allclose(factor_gap(aligned), torch.ones(2), atol=0.05)
    c = 0.5 ** 0.5                                                          # a 45-degree rotation: no coordinate wins
    rotated = factor_sensitivity(PlantedBlobs(torch.tensor([[c, -c], [c, c]])), z)
    assert factor_gap(rotated).max() < 0.05
    assert factor_gap(torch.tensor([[3.0, 1.0, 0.0], [1.0, 1.0, 2.0]])).tolist() == [0.5, 0.25]


def test_coordinate_traversal_moves_one_coordinate_per_row():
    images = coordinate_traversal(PlantedBlobs(torch.eye(2)), n_steps=5, extent=2.0)
    assert images.shape == (4, 5, SIZE, SIZE)
    centres = read_factors(images.reshape(-1, 1, SIZE, SIZE)).reshape(4, 5, 2)
    assert torch.allclose(centres[0, :, 0], torch.linspace(5.5, 9.5, 5), atol=0.02)      # row 0 moves x only
    assert torch.allclose(centres[0, :, 1], torch.full((5,), 7.5), atol=0.02)
    assert torch.allclose(centres[2], torch.full((5, 2), 7.5), atol=0.02)                # coordinate 2 does nothing


def test_training_with_the_penalty_lowers_it_and_runs_repeat():
    data = render_blobs(sample_factors(512, torch.Generator().manual_seed(0)))
    runs = {w: train_blob_gan(data, hp_weight=w, steps=100, batch_size=16, generator=torch.Generator().manual_seed(0),
                              progress=False) for w in (0.0, 10.0)}
    z = torch.randn(64, 4, generator=torch.Generator().manual_seed(1))
    hp = {w: hessian_penalty(run.G, z, k=4, reduction="mean", generator=torch.Generator().manual_seed(2)).item()
          for w, run in runs.items()}
    assert hp[10.0] < 0.5 * hp[0.0], hp                                    # measured 0.0020 against 0.0056
    logged = {w: sum(h["hp"] for h in run.history[-20:]) / 20 for w, run in runs.items()}
    assert logged[10.0] < 0.5 * logged[0.0], logged                        # the penalty is logged in both arms
    assert {"d", "g", "hp"} == set(runs[0.0].history[0]) and len(runs[0.0].history) == 100
    again = train_blob_gan(data, hp_weight=10.0, steps=100, batch_size=16, generator=torch.Generator().manual_seed(0),
                           progress=False)
    assert torch.equal(again.G(z), runs[10.0].G(z))
    with pytest.raises(RuntimeError):
        runs[10.0].G(z).sum().backward()                                    # returned frozen

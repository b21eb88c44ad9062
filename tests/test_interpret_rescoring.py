"""gentut.interpret.rescoring on generators whose answers are known.

LinearG is a "generator" whose image colours are coordinates of its code: with a predictor that
reads the mean colour, every attribute is a known linear function of w, so boundaries, re-scoring,
layer-wise effects and conditional edits all have exact answers.
"""

import pytest
import torch
import torch.nn as nn

from gentut.interpret.edits import direction_effects, sample_latents
from gentut.interpret.rescoring import (conditional_side_effect, side_effect_projected, fit_attribute_boundaries, fit_boundaries,
                                        invented_ties, largest_side_effects, layer_range_effects, layer_ranges, own_effects, reliable,
                                        score_samples, stack_normals, std_steps, tie_penalty, z_direction_effects)
from gentut.models.stylegan import StyleGenerator


class MeanColour(nn.Module):
    """A 'predictor' that reads the mean red, green and blue of an image: (B, 3, S, S) -> (B, 3)."""

    def predict(self, images):
        return images.mean((2, 3))


class LinearG(nn.Module):
    """z (B, 6) -> w = 2 z; pixel colour c = sum over layers l in c's group of ws[:, l, c].

    layer_of_channel[c] lists the layers that drive channel c, so a layer-wise edit of range r
    moves exactly the channels whose layers are in r.
    """

    def __init__(self, num_ws=1, layer_of_channel=((0,), (0,), (0,))):
        super().__init__()
        self.z_dim = self.w_dim = 6
        self.num_ws, self.layer_of_channel = num_ws, layer_of_channel
        self.dummy = nn.Parameter(torch.zeros(()))

    def mapping(self, z):
        return 2 * z

    def synthesis(self, ws):
        colour = torch.stack([ws[:, list(layers), c].sum(1) for c, layers in enumerate(self.layer_of_channel)], 1)
        return colour[:, :, None, None].expand(-1, -1, 4, 4)

    def forward(self, z):
        return self.synthesis(self.mapping(z)[:, None].expand(-1, self.num_ws, -1))


NAMES = ["red", "green", "blue"]


def test_score_samples_labels_each_code_with_its_image():
    G = LinearG()
    samples = score_samples(G, MeanColour(), 50, torch.Generator().manual_seed(0), batch_size=16)
    assert samples.z.shape == (50, 6) and samples.w.shape == (50, 6) and samples.scores.shape == (50, 3)
    assert torch.allclose(samples.w, 2 * samples.z)
    assert torch.allclose(samples.scores, samples.w[:, :3])


def test_fit_attribute_boundaries_finds_the_planted_axes_in_w_and_z():
    for space in ("w", "z"):
        boundaries = fit_attribute_boundaries(LinearG(), MeanColour(), NAMES, n=1000, ratio=0.1, space=space)
        assert list(boundaries) == NAMES
        normals = stack_normals(boundaries)                                   # (3, 6)
        assert torch.allclose(normals @ torch.eye(6)[:3].T, torch.eye(3), atol=0.05)   # red's normal is e_0, ...
        assert all(b.val_accuracy_ == 1.0 for b in boundaries.values())
    with pytest.raises(ValueError, match="space"):
        fit_attribute_boundaries(LinearG(), MeanColour(), NAMES, n=100, space="s")


def test_fit_boundaries_checks_the_names_against_the_scores():
    codes, scores = torch.randn(100, 4), torch.rand(100, 2)
    with pytest.raises(ValueError, match="n_factors"):
        fit_boundaries(codes, scores, ["only_one"])


def test_std_steps_measure_the_spread_of_the_codes():
    codes = torch.randn(20000, 3, generator=torch.Generator().manual_seed(0)) * torch.tensor([1.0, 3.0, 0.5])
    steps = std_steps(torch.tensor([[2.0, 0.0, 0.0], [0.0, -1.0, 0.0]]), codes)
    assert torch.allclose(steps, torch.tensor([[1.0, 0.0, 0.0], [0.0, -3.0, 0.0]]), atol=0.05)


def test_rescoring_in_w_and_z_gives_the_exact_linear_effects():
    G, predictor = LinearG(), MeanColour()
    z, w = sample_latents(G, 8, torch.Generator().manual_seed(0))
    directions = torch.tensor([[1.0, 0, 0, 0, 0, 0], [0, 1.0, 1.0, 0, 0, 0], [0, 0, 0, 1.0, 0, 0]])
    expected = 0.5 * directions[:, :3]
    assert torch.allclose(direction_effects(G, predictor, w, directions, 0.5), expected, atol=1e-6)
    assert torch.allclose(z_direction_effects(G, predictor, z, directions, 0.5), 2 * expected, atol=1e-6)  # w = 2 z


def test_reliable_keeps_directions_whose_own_factor_moves_most():
    effects = torch.tensor([[0.30, 0.05, 0.00],     # clean: kept
                            [0.20, 0.15, 0.00],     # moves red more than its own green: dropped
                            [0.00, 0.00, 0.05],     # too weak: dropped
                            [0.00, 0.00, -0.4]])    # moves its target the wrong way: dropped
    assert reliable(effects, [0, 1, 2, 2], min_effect=0.1).tolist() == [True, False, False, False]
    with pytest.raises(ValueError, match="target"):
        reliable(effects, [0, 1])


def test_margin_asks_the_own_change_to_dwarf_the_largest_side_effect():
    effects = torch.tensor([[0.30, -0.14, 0.05],    # side effect under half the own change
                            [0.30, 0.20, -0.16]])   # own factor moves most, but not twice as much
    index, side = largest_side_effects(effects, [0, 0])
    assert index.tolist() == [1, 1] and torch.allclose(side, torch.tensor([-0.14, 0.20]))
    assert reliable(effects, [0, 0], min_effect=0.25).tolist() == [True, True]
    assert reliable(effects, [0, 0], min_effect=0.25, margin=2.0).tolist() == [True, False]
    assert reliable(effects, [0, 0], min_effect=0.31, margin=2.0).tolist() == [False, False]


def test_layer_ranges_split_seven_layers_like_the_paper():
    assert layer_ranges(7) == {"early 0-2": range(0, 3), "middle 3-4": range(3, 5), "late 5-6": range(5, 7)}
    assert [len(r) for r in layer_ranges(3).values()] == [1, 1, 1]
    with pytest.raises(ValueError, match="3 layers"):
        layer_ranges(2)


def test_layer_range_effects_move_only_the_channels_of_the_edited_layers():
    G = LinearG(num_ws=3, layer_of_channel=((0,), (1, 2), (2,)))   # red: layer 0, green: 1 and 2, blue: 2
    _, w = sample_latents(G, 4, torch.Generator().manual_seed(0))
    ones = torch.ones(1, 6)
    effects = layer_range_effects(G, MeanColour(), w, ones, 1.0, layer_ranges(3))
    assert effects.shape == (1, 3, 3)
    assert torch.allclose(effects[0], torch.tensor([[1.0, 0, 0], [0, 1.0, 0], [0, 1.0, 1.0]]), atol=1e-6)
    assert torch.allclose(layer_range_effects(G, MeanColour(), w, ones, 1.0, {"all": range(3)})[:, 0],
                          direction_effects(G, MeanColour(), w, ones, 1.0), atol=1e-6)


def test_conditional_edit_removes_a_planted_side_effect():
    G, predictor = LinearG(), MeanColour()
    z, w = sample_latents(G, 8, torch.Generator().manual_seed(0))
    primal = torch.tensor([1.0, 1.0, 0, 0, 0, 0]) / 2 ** 0.5     # raises red, and green as a side effect
    condition = torch.tensor([0, 1.0, 0, 0, 0, 0])                # the green boundary's normal
    for space, codes, scale in (("w", w, 1.0), ("z", z, 2.0)):
        side = conditional_side_effect(G, predictor, codes, primal, condition, 2.0, primal_factor=0,
                                       condition_factor=1, space=space)
        assert side.primal_before == pytest.approx(scale * 2 / 2 ** 0.5, abs=1e-5)
        assert side.side_before == pytest.approx(scale * 2 / 2 ** 0.5, abs=1e-5)
        assert side.primal_after == pytest.approx(scale * 2.0, abs=1e-5)     # projected: unit e_0
        assert side.side_after == pytest.approx(0.0, abs=1e-5)
        assert side.reduction == pytest.approx(1.0) and side.side_per_primal_before == pytest.approx(1.0)
    longer = conditional_side_effect(G, predictor, w, 3 * primal, condition, 2.0, 0, 1)
    assert longer.primal_after == pytest.approx(3 * 2.0, abs=1e-5)          # the projection keeps primal's length


def test_side_effect_projected_removes_each_edits_own_largest_side_effect():
    G, predictor = LinearG(), MeanColour()
    _, w = sample_latents(G, 8, torch.Generator().manual_seed(0))
    normals = torch.eye(3, 6)                                       # red, green, blue boundaries in W
    steps = 2 * torch.tensor([[1.0, 0.6, 0.2, 0, 0, 0],             # red edit drags green most
                              [0.1, 1.0, 0.5, 0, 0, 0],             # green edit drags blue most
                              [0, 0, 1.0, 0, 0, 0]])                # blue edit: no side effect
    effects = direction_effects(G, predictor, w, steps, 1.0)
    projected = side_effect_projected(steps, normals, effects)
    assert torch.allclose(projected.norm(dim=1), steps.norm(dim=1))                # lengths kept
    after = direction_effects(G, predictor, w, projected, 1.0)
    assert after[0, 1].abs() < 1e-5 and after[0, 2] > 0.1         # green gone from the red edit, blue stays
    assert after[1, 2].abs() < 1e-5 and after[1, 0] > 0.1         # blue gone from the green edit
    assert (after.diagonal() > effects.diagonal() - 1e-5).all()   # own changes do not shrink here
    with pytest.raises(ValueError, match="effects"):
        side_effect_projected(steps, normals, effects[:2])


def test_runs_on_a_tiny_style_generator():
    torch.manual_seed(0)
    G = StyleGenerator(z_dim=8, w_dim=8, image_size=8, width=4, max_channels=8).eval()
    samples = score_samples(G, MeanColour(), 200, torch.Generator().manual_seed(0))
    with torch.no_grad():
        assert torch.allclose(samples.scores, MeanColour().predict(G(samples.z)), atol=1e-6)
    boundaries = fit_boundaries(samples.w, samples.scores, NAMES, ratio=0.2)
    effects = direction_effects(G, MeanColour(), samples.w[:32], std_steps(stack_normals(boundaries), samples.w), 2.0)
    assert (effects.diagonal() > 0).all()                  # pushing along "red" makes the images redder, ...


def test_own_effects_picks_each_directions_target_factor():
    effects = torch.arange(2 * 3 * 4, dtype=torch.float).reshape(2, 3, 4)     # (k, n_ranges, n_factors)
    assert torch.equal(own_effects(effects), effects[[0, 1], :, [0, 1]])
    assert own_effects(effects).shape == (2, 3)
    assert torch.equal(own_effects(effects[:, 0], targets=[3, 2]), torch.tensor([3.0, 14.0]))


def test_invented_ties_is_the_generated_correlation_minus_the_real_one_above_the_diagonal():
    g = torch.Generator().manual_seed(0)
    real = torch.randn(4000, 3, generator=g)                               # independent factors
    tied = torch.randn(4000, 3, generator=g)
    tied[:, 2] = 0.6 * tied[:, 0] + 0.8 * tied[:, 2]                        # factors 0 and 2 correlate 0.6
    gap = invented_ties(tied, real)
    assert gap.shape == (3, 3) and (gap.tril() == 0).all()
    assert gap[0, 2] == pytest.approx(0.6, abs=0.05) and gap[0, 1].abs() < 0.05 and gap[1, 2].abs() < 0.05
    assert torch.allclose(invented_ties(real, real), torch.zeros(3, 3))


def test_tie_penalty_is_the_squared_invented_ties_and_its_gradient_loosens_a_tie():
    g = torch.Generator().manual_seed(0)
    real = torch.rand(500, 4, generator=g)
    assert tie_penalty(real, real).item() == 0.0                     # the data's own correlations: no gap
    tied = torch.rand(200, 4, generator=g)
    tied[:, 1] = tied[:, 0] + 0.05 * torch.rand(200, generator=g)    # factors 0 and 1 tied, unlike the data
    tied.requires_grad_(True)
    loss = tie_penalty(tied, real)
    assert loss.item() == pytest.approx(invented_ties(tied.detach(), real).pow(2).sum().item(), rel=1e-5)
    assert loss.item() > 0.8                                        # corr ~0.99 where the data has ~0
    loss.backward()
    assert tie_penalty((tied - 0.5 * tied.grad).detach(), real) < loss  # a step down the gradient loosens it

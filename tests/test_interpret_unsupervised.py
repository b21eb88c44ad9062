"""SeFa, GANSpace, the Hessian penalty, steerability walks, latent discovery and the direction
report, each on a case whose answer is known (planted directions, known Hessians, a planted
linear transform, a generator that writes w into the image's colour)."""

import pytest
import torch
import torch.nn as nn

from gentut.interpret.compare import (evaluate_directions, format_directions, format_summary, random_directions,
                                     typical_std)
from gentut.interpret.discovery import (Deformator, DiscoveryModel, Reconstructor, evaluate_discovery, fit_discovery,
                                       reconstructor_accuracy, sample_shifts, train_discovery, window_means)
from gentut.interpret.ganspace import GANSpace
from gentut.interpret.hessian import (hessian_penalty, interaction_share, offdiagonal_penalty, rademacher,
                                     second_directional_derivatives)
from gentut.interpret.sefa import SeFa, closed_form_directions, style_weights
from gentut.interpret.steerability import LinearWalk, NonlinearWalk, brightness, fit_walk, shift, walk_error, zoom
from gentut.models.stylegan import StyleGenerator


def unit(v):
    return v / v.norm()


# --- SeFa ---------------------------------------------------------------------------------------

def test_closed_form_finds_a_planted_dominant_direction_and_matches_the_svd():
    g = torch.Generator().manual_seed(0)
    planted = unit(torch.randn(6, generator=g))
    weight = 10 * torch.randn(20, 1, generator=g) * planted + 0.1 * torch.randn(20, 6, generator=g)
    directions, eigenvalues = closed_form_directions(weight)
    assert abs(torch.dot(directions[0], planted)) > 0.999
    singular = torch.linalg.svdvals(weight.double()).float()
    assert torch.allclose(eigenvalues, singular ** 2, rtol=1e-4)               # sorted, descending
    assert torch.allclose(directions @ directions.T, torch.eye(6), atol=1e-5)
    assert (directions.gather(1, directions.abs().argmax(1, keepdim=True)) > 0).all()   # sign convention


def test_sefa_reads_the_chosen_layers_of_a_style_generator():
    torch.manual_seed(0)
    G = StyleGenerator(z_dim=8, w_dim=8, image_size=8, width=4, max_channels=8)
    planted = unit(torch.arange(1.0, 9.0))
    with torch.no_grad():
        for conv in G.convs:
            conv.affine.weight.mul_(0.01)
        G.convs[1].affine.weight.copy_(torch.randn(len(G.convs[1].affine.weight), 1) * planted)
    assert abs(torch.dot(SeFa(normalize=False).fit(G).directions_[0], planted)) > 0.999
    assert abs(torch.dot(SeFa().fit(G).directions_[0], planted)) > 0.95     # unit rows: small layers count too
    assert abs(torch.dot(SeFa(layers=[1]).fit(G).directions_[0], planted)) > 0.999
    assert abs(torch.dot(SeFa(layers=[0, 2]).fit(G).directions_[0], planted)) < 0.9
    assert style_weights(G, [0]).norm(dim=1).allclose(torch.ones(len(G.convs[0].affine.weight)))
    with pytest.raises(ValueError, match="layers"):
        SeFa(layers=[7]).fit(G)


# --- GANSpace -----------------------------------------------------------------------------------

def test_ganspace_recovers_a_planted_principal_axis():
    g = torch.Generator().manual_seed(0)
    axis = unit(torch.randn(10, generator=g))
    codes = 0.1 * torch.randn(3000, 10, generator=g) + 3 * torch.randn(3000, 1, generator=g) * axis + 5
    pca = GANSpace(n_components=3).fit(codes)
    assert abs(torch.dot(pca.directions_[0], axis)) > 0.999
    assert pca.std_[0] == pytest.approx(3, rel=0.05) and pca.std_[1] == pytest.approx(0.1, rel=0.1)
    assert pca.explained_variance_ratio_[0] > 0.95
    assert torch.allclose(pca.mean_, codes.mean(0), atol=1e-5)
    with pytest.raises(ValueError, match="n_components"):
        GANSpace(n_components=5).fit(codes[:4])


# --- Hessian penalty ----------------------------------------------------------------------------

def test_offdiagonal_penalty_by_hand():
    assert offdiagonal_penalty(torch.tensor([[1.0, 2.0], [2.0, 3.0]])).item() == pytest.approx(16.0)
    with pytest.raises(ValueError, match="square"):
        offdiagonal_penalty(torch.ones(2, 3))


def test_hessian_penalty_of_a_quadratic_form_matches_the_exact_value():
    g = torch.Generator().manual_seed(0)
    A = torch.randn(4, 4, generator=g, dtype=torch.float64)
    points = torch.randn(20000, 4, generator=g, dtype=torch.float64)
    estimate = hessian_penalty(lambda x: ((x @ A) * x).sum(1), points, k=2, reduction="mean", generator=g)
    assert estimate.item() == pytest.approx(offdiagonal_penalty(A + A.T).item(), rel=0.05)


def test_hessian_penalty_known_mixed_partial_and_diagonal_hessian():
    g = torch.Generator().manual_seed(0)
    points = torch.randn(2000, 2, generator=g)
    product = hessian_penalty(lambda x: x[:, 0] * x[:, 1], points, k=16, reduction="mean", generator=g)
    assert product.item() == pytest.approx(4.0, rel=0.1)                 # H_12 = H_21 = 1: 2 * (1 + 1)
    separable = hessian_penalty(lambda x: torch.exp(x).sum(1), points.double(), k=8, reduction="max", generator=g)
    assert separable.item() < 1e-8                                         # every v sees the same curvature
    per_point = hessian_penalty(lambda x: x[:, :1] * x, points, k=4, reduction="none", generator=g)
    assert per_point.shape == (2000, 2)
    with pytest.raises(ValueError, match="at least 2"):
        hessian_penalty(lambda x: x, points, k=1)


def test_interaction_share_known_cases():
    g = torch.Generator().manual_seed(0)
    points = torch.randn(2000, 2, generator=g, dtype=torch.float64)
    def share(f, k=8):
        return interaction_share(second_directional_derivatives(f, points, k=k, generator=g))

    assert share(lambda x: x[:, 0] * x[:, 1]) == pytest.approx(1.0, abs=0.05)
    assert share(lambda x: torch.exp(x).sum(1)) < 1e-10
    H = torch.tensor([[2.0, 1.0], [1.0, 4.0]], dtype=torch.float64)      # f = x^T (H / 2) x
    penalty, trace = offdiagonal_penalty(H).item(), 6.0
    expected = penalty / (trace ** 2 + penalty)
    assert share(lambda x: 0.5 * ((x @ H) * x).sum(1), k=16) == pytest.approx(expected, rel=0.05)


def test_rademacher_signs():
    v = rademacher((1000,), torch.Generator().manual_seed(0))
    assert set(v.tolist()) == {-1.0, 1.0} and abs(v.mean()) < 0.1


# --- steerability -------------------------------------------------------------------------------

def test_linear_walk_recovers_a_planted_linear_transform():
    g = torch.Generator().manual_seed(0)
    M = torch.randn(4, 12, generator=g)
    planted = torch.tensor([1.0, -2.0, 0.5, 0.0])

    def render(w):                                        # a linear "generator": (B, 4) -> (B, 3, 2, 2)
        return (w @ M).reshape(-1, 3, 2, 2)

    def transform(images, alpha):                         # exactly what moving along `planted` does
        return images + alpha[:, None, None, None] * render(planted[None]), torch.ones_like(images)

    walk = LinearWalk(4)
    w = torch.randn(256, 4, generator=g)
    losses = fit_walk(walk, render, w, transform, max_alpha=1.0, steps=150, lr=0.1, generator=g, progress=False)
    assert losses[-1] < 1e-4 * losses[0]
    assert torch.allclose(walk.direction.detach(), planted, atol=1e-2)
    walked, unmoved = walk_error(walk, render, w[:16], transform, torch.tensor([-1.0, 0.5]))
    assert (walked < 1e-4 * unmoved).all()


def test_nonlinear_walk_takes_whole_steps_of_its_field():
    walk = NonlinearWalk(3, hidden=5, step=0.1)
    w = torch.randn(4, 3, generator=torch.Generator().manual_seed(0))
    assert torch.equal(walk(w, torch.full((4,), 0.3)), w)                # the field starts at zero
    with torch.no_grad():
        walk.field[-1].bias.copy_(torch.tensor([1.0, 0.0, 2.0]))       # a constant field c
    walked = walk(w, torch.tensor([0.3, -0.2, 0.0, 0.04]))             # 3, -2, 0, 0 steps
    expected = w + torch.tensor([3.0, -2.0, 0.0, 0.0])[:, None] * torch.tensor([1.0, 0.0, 2.0])
    assert torch.allclose(walked, expected)


def test_image_transforms():
    images = torch.zeros(1, 3, 8, 8)
    images[..., 3] = 1.0                                                  # one bright column
    moved, mask = shift(images, torch.tensor([0.5]))                     # half of the half-width: 2 pixels right
    assert moved[0, 0, :, 5].min() > 0.99 and moved[0, 0, :, 3].max() < 0.01
    assert mask[0, 0, 0, :2].eq(0).all() and mask[0, 0, 0, 2:].eq(1).all()   # pixels from outside don't count
    same, full = zoom(images, torch.tensor([0.0]))
    assert torch.allclose(same, images, atol=1e-6) and full.eq(1).all()
    _, zoom_mask = zoom(images, torch.tensor([-1.0]))                   # zooming out: the border is unknown
    assert zoom_mask[0, 0, 0, 0] == 0 and zoom_mask[0, 0, 4, 4] == 1
    bright, _ = brightness(torch.full((2, 3, 2, 2), 0.8), torch.tensor([0.1, 0.5]))
    assert torch.allclose(bright[0], torch.full((3, 2, 2), 0.9)) and bright[1].eq(1).all()


# --- latent discovery ---------------------------------------------------------------------------

def test_deformator_directions_are_orthonormal_and_shifts_bounded():
    deformator = Deformator(5, 8, generator=torch.Generator().manual_seed(0))
    A = deformator.directions()
    assert torch.allclose(A @ A.T, torch.eye(5), atol=1e-5)
    loose = Deformator(3, 8, orthogonal=False).directions()
    assert torch.allclose(loose.norm(dim=1), torch.ones(3))
    k, eps = sample_shifts(1000, 5, 2.0, torch.Generator().manual_seed(0), min_shift=0.5)
    assert k.min() == 0 and k.max() == 4 and eps.abs().min() >= 0.5 and eps.abs().max() <= 2.0
    assert torch.allclose(deformator(k[:3], eps[:3]), eps[:3, None] * A[k[:3]])
    with pytest.raises(ValueError, match="orthogonal"):
        Deformator(9, 8)


def test_discovery_learns_to_tell_distinct_directions_apart():
    def render(w):                                        # each coordinate of w lights its own 4x4 block
        blocks = torch.sigmoid(w).reshape(-1, 1, 2, 2)
        return blocks.repeat_interleave(4, 2).repeat_interleave(4, 3).expand(-1, 3, -1, -1)

    g = torch.Generator().manual_seed(0)
    deformator, reconstructor = Deformator(3, 4, generator=g), Reconstructor(3, width=8)
    w = torch.randn(512, 4, generator=g)
    before = reconstructor_accuracy(deformator, reconstructor, render, w, 2.0, torch.Generator().manual_seed(1))
    history = fit_discovery(deformator, reconstructor, render, w, steps=300, batch_size=32, max_shift=2.0,
                            lr=1e-2, generator=g, progress=False)
    after = reconstructor_accuracy(deformator, reconstructor, render, w, 2.0, torch.Generator().manual_seed(1))
    assert before < 0.6 and after > 0.9, (before, after)
    assert len(history["loss"]) == 300


def test_window_means_average_consecutive_windows_and_cover_short_runs():
    assert window_means([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 3).tolist() == [1.5, 3.5, 5.5]
    assert window_means([1.0, 2.0, 3.0], 5).tolist() == [1.0, 1.0, 2.0, 3.0, 3.0]    # a value per window, in order
    with pytest.raises(ValueError):
        window_means([], 3)


@pytest.fixture
def keep_global_rng():
    """Leave torch's global generator as it was (a later test draws its codes from it)."""
    with torch.random.fork_rng():
        yield


def test_train_discovery_records_its_curve_and_shift_range_in_the_saved_state(keep_global_rng):
    G = StyleGenerator(z_dim=8, w_dim=8, image_size=8, width=4, max_channels=8).eval().requires_grad_(False)
    model = DiscoveryModel(n_directions=3, w_dim=8, width=4, history_points=4)
    start = model.directions().clone()
    history = train_discovery(model, G, steps=8, batch_size=4, max_shift_std=6.0, min_shift_std=0.5,
                              generator=torch.Generator().manual_seed(0), progress=False)
    state = model.state_dict()
    assert {"history", "max_shift", "min_shift"} <= set(state)
    assert torch.allclose(state["history"][0], window_means([h["loss"] for h in history], 4))
    assert torch.allclose(state["history"][1], window_means([h["accuracy"] for h in history], 4))
    assert torch.isclose(model.max_shift, 12 * model.min_shift)              # 6 std and 0.5 std of the same codes
    assert not torch.allclose(model.directions(), start)                    # the deformator was trained
    A = model.directions()
    assert torch.allclose(A @ A.T, torch.eye(3), atol=1e-5)
    metrics = evaluate_discovery(model, G, torch.Generator().manual_seed(1), n=300)
    assert 0 <= metrics["heldout_accuracy"] <= 1 and metrics["chance"] == pytest.approx(1 / 3)


# --- judging directions against known factors ---------------------------------------------------

class ColourGenerator(nn.Module):
    """A 'generator' whose image colour is w: ws (B, 1, 3) -> flat images (B, 3, 2, 2)."""

    num_ws = 1

    def synthesis(self, ws):
        return ws[:, 0, :, None, None].expand(-1, -1, 2, 2)


class MeanColour(nn.Module):
    """A 'predictor' reading the mean red, green and blue: three known factors."""

    def predict(self, images):
        return images.mean((2, 3))


def test_evaluate_directions_on_a_generator_with_known_factors():
    w = torch.rand(10, 3, generator=torch.Generator().manual_seed(0))
    directions = torch.tensor([[0.0, 2.0, 0.0], [1.0, 1.0, 0.0], [0.0, -0.6, 0.8]])   # the first is not unit
    report = evaluate_directions(ColourGenerator(), MeanColour(), w, directions, strength=0.5)
    assert report.main.tolist() == [1, 0, 2]                               # ties go to the first factor
    assert report.purity.tolist() == pytest.approx([1.0, 0.5, 0.8 / 1.4])
    assert report.main_effect.tolist() == pytest.approx([0.5, 0.5 / 2 ** 0.5, 0.4])
    assert report.distinct_factors(min_effect=0.38) == 2 and report.distinct_factors(min_effect=0.6) == 0
    table = format_summary({"planted": report, "random": report}, ["red", "green", "blue"])
    assert "planted" in table and "random" in table and len(table.splitlines()) == 4
    assert "green +0.50 (1.00)" in format_directions({"planted": report}, ["red", "green", "blue"])
    with pytest.raises(ValueError, match="directions"):
        evaluate_directions(ColourGenerator(), MeanColour(), w, torch.ones(2, 4), 0.5)


def test_typical_std_and_random_directions():
    w = torch.randn(20000, 2, generator=torch.Generator().manual_seed(0)) * torch.tensor([1.0, 7 ** 0.5])
    assert typical_std(w) == pytest.approx(2.0, rel=0.03)                 # sqrt((1 + 7) / 2)
    d = random_directions(5, 16, torch.Generator().manual_seed(0))
    assert d.shape == (5, 16) and torch.allclose(d.norm(dim=1), torch.ones(5))
    assert torch.equal(d, random_directions(5, 16, torch.Generator().manual_seed(0)))


def test_compare_methods_pairs_the_codes_and_says_within_noise_when_it_should():
    from gentut.interpret.compare import DirectionReport, compare_methods, summary_scores
    from gentut.interpret.edits import purity
    g = torch.Generator().manual_seed(0)

    def report(changes):
        effects = changes.mean(1)
        main, share = purity(effects)
        return DirectionReport(effects, main, share, effects[torch.arange(len(effects)), main], changes)

    pure = torch.zeros(4, 60, 4)
    pure[torch.arange(4), :, torch.arange(4)] = 0.3                            # direction i moves factor i only
    pure = pure + 0.02 * torch.randn(pure.shape, generator=g)
    mixed = 0.1 + 0.02 * torch.randn(4, 60, 4, generator=g)                   # every direction moves everything a little
    assert summary_scores(pure.mean(1).numpy())["purity"] > 0.9
    assert compare_methods("pure", report(pure), "mixed", report(mixed), "purity").verdict == "better"
    assert compare_methods("pure", report(pure), "mixed", report(mixed), "strength").verdict == "better"
    twin = mixed + 0.02 * torch.randn(mixed.shape, generator=g)
    assert compare_methods("twin", report(twin), "mixed", report(mixed), "purity").verdict == "within noise"
    with pytest.raises(ValueError, match="same codes"):
        compare_methods("a", report(pure), "b", report(mixed[:, :30]), "purity")

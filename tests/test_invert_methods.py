"""Inversion methods on a tiny style generator: optimisation in Z / W / W+, in-domain, PTI, editability."""

import pytest
import torch
import torch.nn as nn

from gentut.invert.editability import edit_scores, edit_towards_other_side
from gentut.invert.encoder import encode_ws
from gentut.models.encoder import LatentEncoder
from gentut.invert.indomain import domain_regularizer, invert_in_domain, semantic_diffusion
from gentut.invert.optimize import codes_to_ws, initial_code, invert
from gentut.invert.prior import SuperResolution, restore
from gentut.invert.pti import pivotal_tuning
from gentut.models.stylegan import StyleGenerator


def tiny_generator() -> StyleGenerator:
    torch.manual_seed(0)
    G = StyleGenerator(z_dim=8, w_dim=8, image_size=8, width=8, max_channels=16).eval().requires_grad_(False)
    G.w_avg.copy_(G.mapping(torch.randn(512, 8)).mean(0))
    return G


def targets_of(G, n=2, seed=1):
    w = G.mapping(torch.randn(n, G.z_dim, generator=torch.Generator().manual_seed(seed)))
    return w, G.synthesis(w[:, None].expand(-1, G.num_ws, -1))


def test_spaces_shapes_and_starts():
    G = tiny_generator()
    for space, shape in [("z", (3, 8)), ("w", (3, 8)), ("w+", (3, G.num_ws, 8))]:
        code = initial_code(G, 3, space, torch.Generator().manual_seed(0))
        assert code.shape == shape and codes_to_ws(G, code, space).shape == (3, G.num_ws, 8)
    assert torch.equal(initial_code(G, 2, "w"), G.w_avg.expand(2, -1))
    with pytest.raises(ValueError, match="latent space"):
        initial_code(G, 2, "s")


def test_w_inversion_recovers_a_generated_image_and_leaves_G_alone():
    G = tiny_generator()
    before = {k: v.clone() for k, v in G.state_dict().items()}
    _, x = targets_of(G)
    run = invert(G, x, "w", steps=150, lr=0.05, snapshot_every=50, progress=False)
    assert run.losses.shape == (150, 2) and run.snapshots.shape == (4, 2, 3, 8, 8)
    assert run.snapshot_steps == [0, 50, 100, 150] and torch.equal(run.snapshots[-1], run.images)
    assert (run.losses[-1] < 0.05 * run.losses[0]).all()
    assert all(torch.equal(v, G.state_dict()[k]) for k, v in before.items())
    assert all(p.grad is None for p in G.parameters())


def test_a_batch_is_independent_inversions():
    G = tiny_generator()
    _, x = targets_of(G, n=3)
    together = invert(G, x, "w+", steps=20, progress=False)
    alone = invert(G, x[1:2], "w+", steps=20, progress=False)
    assert torch.allclose(together.ws[1:2], alone.ws, atol=1e-5)


class ConstantEncoder(nn.Module):
    """An 'encoder' that answers the same code for every picture."""

    def __init__(self, w):
        super().__init__()
        self.w = w

    def forward(self, images):
        return self.w.expand(len(images), -1)


def test_domain_regularizer_and_in_domain_start():
    G = tiny_generator()
    _, x = targets_of(G)
    c = torch.randn(8, generator=torch.Generator().manual_seed(5))
    E = ConstantEncoder(c)
    ws = torch.zeros(2, G.num_ws, 8)
    assert torch.allclose(domain_regularizer(E, ws, x), c.pow(2).mean().expand(2))
    free = invert_in_domain(G, E, x, domain_weight=0.0, steps=30, progress=False)
    start = G.synthesis(c.expand(2, G.num_ws, -1))
    assert torch.allclose(free.snapshots[0], start, atol=1e-6)                   # the encoder's answer is the start
    held = invert_in_domain(G, E, x, domain_weight=torch.tensor([1e4, 0.0]), steps=30, progress=False)
    moved = (held.code - c).norm(dim=1)
    assert moved[0] < 0.01 < moved[1]                                            # a huge weight pins the code to E


def test_encoder_shapes_and_untrained_answer():
    E = LatentEncoder(w_dim=8, image_size=8, width=4)
    G = tiny_generator()
    E.w_avg.copy_(G.w_avg)
    _, x = targets_of(G)
    assert torch.allclose(encode_ws(E, G, x), G.w_avg.expand(2, G.num_ws, -1))    # zero head: the average code
    with pytest.raises(ValueError, match="to_model_image"):
        E(torch.zeros(1, 3, 16, 16))


def test_pivotal_tuning_moves_the_pivot_image_to_the_target_and_copies_G():
    G = tiny_generator()
    w, _ = targets_of(G, seed=1)
    pivot = w[:, None].expand(-1, G.num_ws, -1).clone()
    _, target = targets_of(G, seed=3)                        # other faces than the pivots draw
    tuned, losses, _ = pivotal_tuning(G, pivot, target, steps=60, lr=1e-2, locality_weight=1.0,
                                      generator=torch.Generator().manual_seed(0), progress=False)
    assert losses.shape == (60, 2) and (losses[-1] < 0.5 * losses[0]).all()
    assert torch.equal(tuned.mapping.net[0].weight, G.mapping.net[0].weight)     # the mapping is not tuned
    assert not torch.equal(tuned.convs[0].weight, G.convs[0].weight)
    assert not any(p.requires_grad for p in tuned.parameters())


def test_restore_super_resolution_fits_the_observation():
    G = tiny_generator()
    _, x = targets_of(G)
    task = SuperResolution(2)
    run = restore(G, task(x), task, steps=100, lr=0.05, progress=False)
    assert run.images.shape == x.shape
    assert ((task(run.images) - task(x)).pow(2).mean() < (task.baseline(task(x)) - x).pow(2).mean())


class RedGenerator(nn.Module):
    """synthesis(ws): images whose red level is sigmoid(ws[:, 0, 0]); green fixed at 0.5."""

    num_ws = 2

    def synthesis(self, ws):
        red = torch.sigmoid(ws[:, 0, 0])[:, None, None].expand(-1, 4, 4)
        return torch.stack([red, torch.full_like(red, 0.5), torch.zeros_like(red)], 1)


class ChannelPredictor(nn.Module):
    def predict(self, images):
        return images.mean((2, 3))[:, :2]                    # factor 0: red level, factor 1: green level


def test_edits_flip_towards_the_other_side_and_measure_drift():
    ws = torch.zeros(2, 2, 3)
    ws[0, :, 0], ws[1, :, 0] = -2.0, 2.0                      # red low, red high
    direction = torch.tensor([1.0, 0, 0])
    moved = edit_towards_other_side(ws, direction, torch.tensor([0.1, 0.9]), 3.0)
    assert torch.equal(moved[:, :, 0], torch.tensor([[1.0, 1.0], [-1.0, -1.0]]))
    gain, drift = edit_scores(RedGenerator(), ChannelPredictor(), ws, direction, factor=0, strength=3.0)
    expected = torch.sigmoid(torch.tensor(1.0)) - torch.sigmoid(torch.tensor(-2.0))
    assert torch.allclose(gain, expected.expand(2), atol=1e-6) and torch.equal(drift, torch.zeros(2))


def test_encoder_recipe_real_loop_dry_run(tmp_path):
    from gentut import zoo
    from gentut.train import train_entry
    record = train_entry("faces_encoder", steps=2, device="cpu", out_dir=tmp_path, state_dir=tmp_path / "state",
                         n_train=32, n_val=32, progress=False)
    assert record["steps"] == 2 and set(record["metrics"]) == {"latent_mse", "psnr_generated", "psnr_real"}
    E = zoo.load("faces_encoder", device="cpu", checkpoint_dir=tmp_path)
    assert torch.equal(E.w_avg, zoo.load("faces_stylegan", device="cpu").w_avg)    # the recipe copies G's mean code
    assert record["bytes"] < 2 * 2 ** 20


def test_semantic_diffusion_matches_the_region_only():
    from gentut.invert.indomain import semantic_diffusion
    from gentut.invert.prior import box_mask
    G = tiny_generator()
    _, x = targets_of(G)
    noise = torch.rand(2, 3, 8, 8, generator=torch.Generator().manual_seed(4))
    region = 1 - box_mask(8, 2, 2, 4, 4)                                         # 1 on the pasted square
    pasted = region * x + (1 - region) * noise
    c = torch.randn(8, generator=torch.Generator().manual_seed(5))
    run = semantic_diffusion(G, ConstantEncoder(c), pasted, region, domain_weight=0.0, steps=80, lr=0.05,
                             progress=False)
    assert torch.allclose(run.snapshots[0], G.synthesis(c.expand(2, G.num_ws, -1)), atol=1e-6)
    inside = ((run.images - x) * region).pow(2).sum() / region.sum()
    outside_noise = ((run.images - noise) * (1 - region)).pow(2).sum() / (1 - region).sum()
    assert inside < 0.2 * ((run.snapshots[0] - x) * region).pow(2).sum() / region.sum()
    assert outside_noise > 5 * inside                                            # the surroundings are not copied


# ----------------------------------------------------------------------------- issue 14: bad targets

BAD_TARGETS = [
    (lambda x: torch.full_like(x, float("nan")), ValueError, "values of {name} are NaN"),
    (lambda x: x * 255, ValueError, "it looks like 0-255: divide by 255"),
    (lambda x: (x * 255).to(torch.uint8), TypeError, r"uint8 \(0-255\).*{name}.float\(\) / 255"),
    (lambda x: x.double(), TypeError, r"the model computes in torch.float32"),
    (lambda x: x[0], ValueError, r"{name} must have shape \(B, .*got \(3, "),
]


@pytest.mark.parametrize("spoil, error, message", BAD_TARGETS)
def test_every_inversion_entry_point_refuses_bad_targets_before_running(spoil, error, message):
    G = tiny_generator()
    E = LatentEncoder(w_dim=8, image_size=8, width=4).eval()
    w, x = targets_of(G)
    bad = spoil(x)
    calls = {
        "targets": [lambda: invert(G, bad, "w", steps=1, progress=False),
                    lambda: invert_in_domain(G, E, bad, steps=1, progress=False),
                    lambda: pivotal_tuning(G, w[:, None].expand(-1, G.num_ws, -1), bad, steps=1, progress=False)],
        "observed": [lambda: restore(G, bad[..., ::2, ::2], SuperResolution(2), steps=1, progress=False)],
        "pasted": [lambda: semantic_diffusion(G, E, bad, torch.ones(1, 1, 8, 8), steps=1, progress=False)],
        "images": [lambda: E(bad)],
    }
    for name, entry_points in calls.items():
        for call in entry_points:
            with pytest.raises(error, match=message.format(name=name)):
                call()


def test_inpainting_masks_are_checked_and_bool_masks_converted():
    from gentut.invert.prior import Inpainting
    mask = torch.ones(1, 1, 8, 8)
    mask[..., 2:4, 2:4] = 0
    assert torch.equal(Inpainting(mask.bool()).mask, mask)
    with pytest.raises(TypeError, match=r"mask.bool\(\).*0/1.*mask.float\(\) / 255.*0/255"):
        Inpainting((mask * 255).to(torch.uint8))
    with pytest.raises(ValueError, match="divide by 255"):
        Inpainting(mask * 255)
    with pytest.raises(ValueError, match=r"\(B, 1, H, W\)"):
        Inpainting(mask.expand(1, 3, 8, 8))


def test_a_training_encoder_is_not_checked_but_the_zoos_is():
    E = LatentEncoder(w_dim=8, image_size=8, width=4)
    E(torch.full((1, 3, 8, 8), 2.0))                           # train mode: batches come from the kit's own data
    with pytest.raises(ValueError, match="values of images must lie in"):
        E.eval()(torch.full((1, 3, 8, 8), 2.0))


def test_study_pieces_are_fixed_per_face_so_a_live_subset_matches_the_recording():
    from gentut.invert.study import METHODS, invert_spaces, study_table, z_starts
    G = tiny_generator()
    assert torch.equal(z_starts(G, 42)[:40], z_starts(G, 40))          # more pictures do not move a face's start
    _, targets = targets_of(G, n=4)

    class Features(nn.Module):
        def forward(self, x):
            return x.mean((2, 3))

    predictor = type("P", (), {"features": Features()})()
    z0 = z_starts(G, 4)
    batch = invert_spaces(G, predictor, targets, z0, steps=5, progress=False)
    alone = invert_spaces(G, predictor, targets[[1, 3]], z0[[1, 3]], steps=5, progress=False)
    for space in ("z", "w", "w+"):
        assert torch.allclose(batch[space].images[[1, 3]], alone[space].images, atol=1e-5)

    scores = {"psnr": torch.rand(3), "gain": torch.rand(3), "drift": torch.rand(3), "feature": torch.rand(3),
              "domain": torch.rand(3)}
    tensors = {f"{group}/{method}/{k}": v for group in ("real", "generated") for method in METHODS
               for k, v in scores.items()}
    tensors.update({f"seconds/{method}": torch.tensor([0.5]) for method in METHODS})
    tensors.update({"reference/gain": torch.rand(5), "reference/drift": torch.rand(5)})
    table = study_table(tensors)
    assert list(table) == ["real", "generated"]
    assert list(table["real"]) == ["sampled codes (reference)", *METHODS.values()]
    assert table["generated"]["optimise W"][1] == 0.5 and set(table["real"]["encoder"][0]) == set(scores)

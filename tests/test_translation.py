"""Image-to-image translation: U-Net and PatchGAN shapes, receptive field, the pix2pix and CycleGAN
losses on cases whose value is known, the evaluation helpers, and a few real training steps."""

import math

import pytest
import torch
import torch.nn as nn

from gentut import zoo
from gentut.data.scenes import make_scenes
from gentut.models.translation import CycleGANPair, PatchDiscriminator, UNetGenerator
from gentut.recipes import train_cyclegan, train_pix2pix
from gentut.train import train_entry
from gentut.translation import (CycleGANWeights, cycle_loss, cyclegan_generator_losses, day_night_domains,
                                fcn_confusions, fcn_from_confusions, fcn_score, identity_loss,
                                lsgan_discriminator_loss, lsgan_generator_loss, one_hot_labels,
                                pix2pix_discriminator_loss, pix2pix_generator_loss, relit_pairs)


def test_unet_shapes_range_and_bad_input():
    torch.manual_seed(0)
    for skips in (True, False):
        G = UNetGenerator(7, skips=skips)
        out = G(torch.rand(2, 7, 32, 32))
        assert out.shape == (2, 3, 32, 32) and 0 <= out.min() and out.max() <= 1
    with pytest.raises(ValueError, match=r"\(B, 7, S, S\)"):
        G(torch.rand(2, 3, 32, 32))
    with pytest.raises(ValueError, match="divisible by 16"):
        G(torch.rand(2, 7, 24, 24))


def test_unet_skips_carry_pixel_detail():
    """Through the skips, one input pixel reaches the output on the short path: the gradient of the
    output at that pixel wrt that input pixel is larger with skips than through the 2x2 bottleneck."""
    torch.manual_seed(0)
    gains = {}
    for skips in (True, False):
        G = UNetGenerator(3, skips=skips).eval()
        x = torch.rand(1, 3, 32, 32, requires_grad=True)
        G(x)[0, :, 13, 17].sum().backward()
        gains[skips] = x.grad[0, :, 13, 17].abs().sum() / x.grad.abs().sum()
    assert gains[True] > gains[False]


@pytest.mark.parametrize("n_layers, size, patches, field", [(1, 32, 14, 16), (2, 32, 6, 34), (2, 64, 14, 34)])
def test_patchgan_output_shape_and_receptive_field(n_layers, size, patches, field):
    """The receptive field formula agrees with the region of input pixels that reach one output logit."""
    torch.manual_seed(0)
    D = PatchDiscriminator(3, width=8, n_layers=n_layers).eval()     # eval: batch norm does not mix pixels
    assert D.receptive_field == field
    x = torch.rand(1, 3, size, size, requires_grad=True)
    logits = D(x)
    assert logits.shape == (1, 1, patches, patches)
    logits[0, 0, patches // 2, patches // 2].backward()
    rows, cols = torch.nonzero(x.grad[0].abs().sum(0), as_tuple=True)
    if field < size:                                   # the centre unit's field lies inside the image
        assert rows.max() - rows.min() + 1 == field and cols.max() - cols.min() + 1 == field
    else:
        assert rows.max() - rows.min() + 1 <= size


def test_pix2pix_losses_on_known_values():
    fake, target = torch.full((2, 3, 4, 4), 0.6), torch.full((2, 3, 4, 4), 0.5)
    undecided = torch.zeros(2, 1, 3, 3)                                  # D says 1/2 everywhere
    loss, terms = pix2pix_generator_loss(undecided, fake, target, lambda_l1=100.0)
    assert terms["gan"] == pytest.approx(math.log(2)) and terms["l1"] == pytest.approx(0.1)
    assert loss.item() == pytest.approx(math.log(2) + 100 * 0.1, rel=1e-5)
    l1_only, _ = pix2pix_generator_loss(None, fake, target, lambda_l1=100.0, lambda_gan=0.0)
    assert l1_only.item() == pytest.approx(10.0, rel=1e-5)               # no discriminator needed
    assert pix2pix_discriminator_loss(undecided, undecided).item() == pytest.approx(math.log(2))
    confident = torch.full((2, 1, 3, 3), 20.0)
    assert pix2pix_discriminator_loss(confident, -confident).item() < 1e-6   # D right everywhere


def test_lsgan_losses_on_known_values():
    ones, zeros = torch.ones(4, 1, 3, 3), torch.zeros(4, 1, 3, 3)
    assert lsgan_discriminator_loss(ones, zeros).item() == 0.0
    assert lsgan_discriminator_loss(zeros, ones).item() == 1.0           # 0.5 * (1 + 1)
    assert lsgan_generator_loss(ones).item() == 0.0 and lsgan_generator_loss(zeros).item() == 1.0


class Shift(nn.Module):
    def __init__(self, amount):
        super().__init__()
        self.amount = amount

    def forward(self, x):
        return x + self.amount


class Pair(nn.Module):
    def __init__(self, G, F):
        super().__init__()
        self.G, self.F = G, F


def fooled(x):
    """A discriminator that calls every image real (least-squares score 1)."""
    return torch.ones(len(x), 1, 2, 2)


def test_cycle_and_identity_losses_on_known_cases():
    x, y = torch.rand(3, 3, 8, 8), torch.rand(3, 3, 8, 8)
    assert cycle_loss(x, x).item() == 0.0 and identity_loss(y, y + 0.25).item() == pytest.approx(0.25)
    # G adds 0.1, F subtracts it: F(G(x)) = x exactly, so no cycle loss; the identity term sees
    # |G(y) - y| + |F(x) - x| = 0.2, weighted by 0.5 * lambda = 5.
    loss, terms, fake_y, fake_x = cyclegan_generator_losses(Pair(Shift(0.1), Shift(-0.1)), fooled, fooled, x, y)
    assert terms["gan"] == 0.0 and terms["cycle"] == pytest.approx(0.0, abs=1e-6)
    assert terms["identity"] == pytest.approx(0.2) and loss.item() == pytest.approx(5 * 0.2, rel=1e-5)
    assert torch.allclose(fake_y, x + 0.1) and torch.allclose(fake_x, y - 0.1)
    # both add 0.1: each cycle is off by 0.2 -> cycle term 0.4, weighted by lambda = 10
    loss, terms, _, _ = cyclegan_generator_losses(Pair(Shift(0.1), Shift(0.1)), fooled, fooled, x, y)
    assert terms["cycle"] == pytest.approx(0.4) and loss.item() == pytest.approx(10 * 0.4 + 5 * 0.2, rel=1e-5)
    # the ablation: no cycle, no identity -- only the GAN term is left
    loss, terms, _, _ = cyclegan_generator_losses(Pair(Shift(0.1), Shift(0.1)), fooled, fooled, x, y,
                                                  CycleGANWeights(cycle=0.0, identity=0.0))
    assert set(terms) == {"gan"} and loss.item() == 0.0


def test_one_hot_labels_roundtrip_and_errors():
    masks = torch.randint(0, 7, (2, 8, 8))
    one_hot = one_hot_labels(masks)
    assert one_hot.shape == (2, 7, 8, 8) and torch.equal(one_hot.argmax(1), masks) and (one_hot.sum(1) == 1).all()
    with pytest.raises(ValueError, match="integer label maps"):
        one_hot_labels(masks.float())
    with pytest.raises(ValueError, match="0..6"):
        one_hot_labels(masks + 1)


class Oracle(nn.Module):
    """A 'segmenter' that returns fixed masks."""

    def __init__(self, masks):
        super().__init__()
        self.masks, self.dummy = masks, nn.Parameter(torch.zeros(()))

    def segment(self, images):
        return self.masks


def test_fcn_score_known_cases():
    masks = torch.zeros(1, 4, 4, dtype=torch.long)
    masks[0, :, 3] = 2                                         # a quarter of the pixels is class 2
    perfect = fcn_score(Oracle(masks), torch.zeros(1, 3, 4, 4), masks)
    assert perfect == {"pixel_accuracy": 1.0, "mean_class_accuracy": 1.0, "class_iou": 1.0}
    all_sky = fcn_score(Oracle(torch.zeros_like(masks)), torch.zeros(1, 3, 4, 4), masks)
    assert all_sky["pixel_accuracy"] == 0.75 and all_sky["mean_class_accuracy"] == 0.5
    assert all_sky["class_iou"] == pytest.approx((0.75 + 0.0) / 2)


def test_per_image_confusions_sum_to_the_fcn_score():
    generator = torch.Generator().manual_seed(0)
    masks = torch.randint(0, 5, (6, 8, 8), generator=generator)            # classes 5 and 6 absent
    read = torch.where(torch.rand(6, 8, 8, generator=generator) < 0.7, masks,
                       torch.randint(0, 7, (6, 8, 8), generator=generator))
    images = torch.zeros(6, 3, 8, 8)
    confusions = fcn_confusions(Oracle(read), images, masks)
    assert confusions.shape == (6, 7, 7) and confusions.sum((1, 2)).tolist() == [64] * 6
    assert confusions[2, 1, 3] == ((masks[2] == 1) & (read[2] == 3)).sum()
    pooled = fcn_from_confusions(confusions.sum(0))
    expected = fcn_score(Oracle(read), images, masks)
    assert {k: float(v) for k, v in pooled.items()} == pytest.approx(expected)
    batch = fcn_from_confusions(torch.stack([confusions.sum(0), confusions[0]]))          # a batch of sums
    assert batch["class_iou"].shape == (2,) and batch["class_iou"][0] == pytest.approx(expected["class_iou"])
    assert batch["pixel_accuracy"][1] == pytest.approx((read[0] == masks[0]).float().mean().item())


def test_day_night_domains_and_relit_pairs():
    scenes = make_scenes(64, seed=0, size=32)
    day, night = day_night_domains(scenes)
    assert len(day) + len(night) < 64 and len(day) > 10 and len(night) > 10
    assert (day.factors["daylight"] > 0.5).all() and (day.factors["lamps_on"] == 0).all()
    assert (night.factors["daylight"] < 0.5).all() and (night.factors["lamps_on"] == 1).all()
    relit = relit_pairs(day)
    assert torch.equal(relit.masks, day.masks)                           # same layout
    assert torch.allclose(relit.factors["daylight"], 1 - day.factors["daylight"])
    assert (relit.factors["lamps_on"] == 1).all() and (relit.images.mean() < day.images.mean())


def test_pix2pix_training_lowers_l1_and_cyclegan_steps_run():
    scenes = make_scenes(64, seed=0, size=32)
    torch.manual_seed(0)
    G, D = UNetGenerator(7), PatchDiscriminator(10)
    history = train_pix2pix(G, D, scenes, steps=30, batch_size=16, lr=2e-3, lambda_gan=0.0,
                            generator=torch.Generator().manual_seed(0), progress=False)
    assert history[-1]["l1"] < 0.6 * history[0]["l1"] and "d" not in history[0]
    day, night = day_night_domains(scenes)
    history = train_cyclegan(CycleGANPair(), PatchDiscriminator(3), PatchDiscriminator(3), day, night, steps=2,
                             batch_size=4, generator=torch.Generator().manual_seed(0), progress=False)
    assert set(history[0]) == {"gan", "cycle", "identity", "d"}


@pytest.mark.parametrize("name", ["scenes_pix2pix", "scenes_cyclegan"])
def test_training_cli_real_loop_dry_run(name, tmp_path):
    record = train_entry(name, steps=2, device="cpu", out_dir=tmp_path, state_dir=tmp_path / "state",
                         n_train=64, n_val=64, progress=False)
    assert record["steps"] == 2 and 0 <= min(record["metrics"].values())
    assert isinstance(zoo.load(name, device="cpu", checkpoint_dir=tmp_path), (UNetGenerator, CycleGANPair))


@pytest.mark.parametrize("spoil, error, message", [
    (lambda x: x * 255, ValueError, "values of x must lie in .*divide by 255"),
    (lambda x: (x * 255).to(torch.uint8), TypeError, r"x.float\(\) / 255"),
    (lambda x: torch.full_like(x, float("nan")), ValueError, "NaN"),
])
def test_translators_in_eval_mode_refuse_bad_input(spoil, error, message):
    """CycleGAN on 0-255 input ran to the end and returned garbage; now it says how to convert."""
    from gentut.translation import translate
    pair = zoo.load("scenes_cyclegan", device="cpu")
    x = make_scenes(2, seed=0, size=32).images
    for call in (lambda: pair.G(spoil(x)), lambda: translate(pair.F, spoil(x)), lambda: pair(spoil(x))):
        with pytest.raises(error, match=message):
            call()
    assert pair.G(x).shape == x.shape

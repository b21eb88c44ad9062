"""The inversion losses and the GAN-prior degradations, on hand-computed cases."""

import pytest
import torch

from gentut.invert.losses import feature_loss, pixel_loss, reconstruction_loss, reconstruction_objective
from gentut.invert.prior import Colorization, Inpainting, SuperResolution, box_mask


def channel_means(images):
    """A 'feature network' whose answer is known: the mean of each channel, (B, 3)."""
    return images.mean((2, 3))


def test_pixel_and_feature_losses_known_values():
    a, b = torch.zeros(2, 3, 4, 4), torch.zeros(2, 3, 4, 4)
    b[0] = 1.0                                     # image 0 differs by 1 everywhere
    b[1, 0, :2] = 2.0                              # image 1: half of the red channel by 2
    assert torch.allclose(pixel_loss(a, b), torch.tensor([1.0, 4 * 8 / 48]))
    assert torch.allclose(feature_loss(a, b, channel_means), torch.tensor([1.0, 1.0 / 3]))   # red mean 1 -> (1^2)/3
    assert torch.allclose(reconstruction_loss(a, b, channel_means, 0.5), torch.tensor([1.5, 2 / 3 + 1 / 6]))
    assert torch.equal(reconstruction_loss(a, b), pixel_loss(a, b))
    with pytest.raises(ValueError, match="same|shape"):
        pixel_loss(a, b[:1])


def test_objective_matches_the_loss_and_applies_the_degradation():
    targets = torch.rand(3, 3, 8, 8, generator=torch.Generator().manual_seed(0))
    images = torch.rand(3, 3, 8, 8, generator=torch.Generator().manual_seed(1))
    objective = reconstruction_objective(targets, channel_means, 0.3)
    assert torch.allclose(objective(images), reconstruction_loss(images, targets, channel_means, 0.3))
    down = SuperResolution(4)
    objective = reconstruction_objective(down(targets), degrade=down)
    assert torch.allclose(objective(images), pixel_loss(down(images), down(targets)))
    assert torch.allclose(objective(targets), torch.zeros(3))


def test_inpainting_mask_baseline_and_paste():
    mask = box_mask(4, 1, 1, 2, 2)
    assert mask.shape == (1, 1, 4, 4) and mask.sum() == 12
    image = torch.arange(48.0).reshape(1, 3, 4, 4) / 48
    task = Inpainting(mask)
    observed = task(image)
    assert (observed[..., 1:3, 1:3] == 0).all() and torch.equal(observed * mask, image * mask)
    filled = task.baseline(observed)
    known_mean = (image * mask).sum((2, 3)) / 12                         # (1, 3)
    assert torch.allclose(filled[..., 1, 2], known_mean) and torch.equal(filled * mask, image * mask)
    assert torch.equal(task.paste(observed, torch.ones_like(image))[..., 1:3, 1:3], torch.ones(1, 3, 2, 2))
    with pytest.raises(ValueError, match="inside"):
        box_mask(4, 3, 0, 2, 2)


def test_colorization_keeps_brightness():
    red = torch.zeros(1, 3, 4, 4)
    red[:, 0] = 1.0
    task = Colorization()
    grey = task(red)
    assert grey.shape == (1, 1, 4, 4) and torch.allclose(grey, torch.full_like(grey, 0.299))
    assert torch.equal(task.baseline(grey), grey.expand(-1, 3, -1, -1))
    guess = torch.full((1, 3, 4, 4), 0.2)
    assert torch.allclose(task(task.paste(grey, guess)), grey)               # pasted colours, observed brightness


def test_super_resolution_down_and_up():
    task = SuperResolution(4)
    image = torch.zeros(1, 3, 8, 8)
    image[..., :4, :4] = 1.0
    low = task(image)
    assert low.shape == (1, 3, 2, 2) and torch.equal(low[0, 0], torch.tensor([[1.0, 0], [0, 0]]))
    flat = torch.full((1, 3, 2, 2), 0.3)
    assert torch.allclose(task.baseline(flat), torch.full((1, 3, 8, 8), 0.3))
    with pytest.raises(ValueError, match="divisible"):
        task(torch.zeros(1, 3, 6, 6))

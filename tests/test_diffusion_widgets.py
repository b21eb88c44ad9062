"""Notebook 10's panels (gentut.widgets.diffusion), driven without a browser on a small random denoiser."""

import io

import numpy as np
import pytest
import torch
from PIL import Image

from gentut.diffusion import ddim_sample
from gentut.models.denoiser import Denoiser
from gentut.widgets.diffusion import guidance_panel, hspace_panel, hspace_view, sample_grid, steps_panel
from gentut.widgets.render import image_grid


def decode(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    return Denoiser(image_size=8, width=8, mults=(1, 2), cond_dim=2, emb_dim=16, prediction="v").eval()


@pytest.fixture(scope="module")
def noise():
    return torch.randn(3, 3, 8, 8, generator=torch.Generator().manual_seed(1))


def test_the_steps_slider_shows_the_samples_of_that_many_steps(model, noise):
    cond = torch.rand(3, 2, generator=torch.Generator().manual_seed(2))
    panel = steps_panel(model, noise, cond, options=(1, 3, 6), value=3)
    shown = {}
    for steps in (6, 1, 3):
        panel.controls["steps"].value = steps
        shown[steps] = decode(panel.image.value)
    expected = image_grid(ddim_sample(model, model.schedule(), 3, steps=6, cond=cond, noise=noise, progress=False), nrow=3)
    assert shown[6].shape[0] == expected.shape[0] * 3                       # drawn at zoom 3
    assert np.array_equal(shown[6][::3, ::3], expected)
    assert not np.array_equal(shown[1], shown[6])                           # a different number of steps, a different picture
    assert panel.static_bundle()["text/plain"].startswith("[slider panel, shown at steps=3")


def test_the_guidance_slider_mixes_the_conditional_and_unconditional_predictions(model, noise):
    cond = torch.rand(3, 2, generator=torch.Generator().manual_seed(2))
    panel = guidance_panel(model, noise, cond, steps=4, options=(0.0, 1.0, 3.0), value=1.0)
    at = {}
    for s in (0.0, 3.0, 1.0):
        panel.controls["guidance"].value = s
        at[s] = decode(panel.image.value)[::3, ::3]
    assert np.array_equal(at[0.0], sample_grid(model, noise, None, 4))       # s = 0 is the unconditional model
    assert np.array_equal(at[1.0], sample_grid(model, noise, cond, 4))       # s = 1 the plain conditional one
    assert not np.array_equal(at[3.0], at[1.0])


def test_the_hspace_view_leaves_the_top_row_alone_and_an_edit_of_zero_changes_nothing(model, noise):
    direction = torch.randn(16, 4, 4, generator=torch.Generator().manual_seed(3))
    zero = hspace_view(model, noise, direction, 0.0, steps=6)
    top, bottom = np.split(zero[: zero.shape[0] - zero.shape[0] % 2], 2)
    assert np.abs(top.astype(int) - bottom.astype(int)).max() <= 1          # the same images (rounding aside)
    moved = hspace_view(model, noise, direction, 20.0, steps=6)
    assert np.array_equal(moved[:9], zero[:9])                              # top row: unedited
    assert np.abs(moved.astype(int) - zero.astype(int)).sum() > 0
    panel = hspace_panel(model, noise, torch.stack([direction, -direction]), ["a", "b"], strength=2.0, steps=6)
    first = decode(panel.image.value)
    panel.controls["direction"].value = 1
    assert not np.array_equal(decode(panel.image.value), first)

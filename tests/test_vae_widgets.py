"""Notebook 02's slider panels driven without a browser: set a value, check the picture is what
the model decodes there."""

import io

import numpy as np
import torch
from PIL import Image

from gentut.models.vae import MLPVAE
from gentut.widgets.vae import (
    beta_panel, decode_images, interpolation_panel, interpolation_view, latent_map_view, latent_panel,
)


def decode_png(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def vae(z_dim=2, seed=0):
    torch.manual_seed(seed)
    return MLPVAE(64, z_dim, 32).eval()


def as_pixels(images: torch.Tensor) -> np.ndarray:
    """Images (B, 1, 8, 8) in [0, 1] -> the uint8 grey levels the widgets draw, (B, 8, 8)."""
    return (images[:, 0].clamp(0, 1).numpy() * 255).round().astype(np.uint8)


def tile(picture: np.ndarray, row: int, col: int) -> np.ndarray:
    """The 8x8 tile at (row, col) of an image_grid with pad 1 (grey channel)."""
    return picture[1 + 9 * row: 9 + 9 * row, 1 + 9 * col: 9 + 9 * col, 0]


def test_latent_panel_shows_the_decoding_of_the_slider_code():
    model = vae()
    panel = latent_panel(model)
    centre = decode_png(panel.image.value)
    panel.controls["z1"].value, panel.controls["z2"].value = -2.5, 1.5
    moved = decode_png(panel.image.value)
    assert moved.shape == (10 * 16, 10 * 16, 3)                         # one tile, zoom 16
    assert not np.array_equal(moved, centre)
    expected = as_pixels(decode_images(model, torch.tensor([[-2.5, 1.5]])))[0]
    assert np.array_equal(tile(moved[::16, ::16], 0, 0), expected)


def test_latent_map_corners_are_the_decoded_corners():
    model = vae()
    mosaic = latent_map_view(model, n=5, limit=3.0)
    assert mosaic.shape == (5 * 9 + 1, 5 * 9 + 1, 3)
    corners = decode_images(model, torch.tensor([[-3.0, 3.0], [3.0, 3.0], [-3.0, -3.0], [3.0, -3.0]]))
    for (row, col), expected in zip([(0, 0), (0, 4), (4, 0), (4, 4)], as_pixels(corners)):
        assert np.array_equal(tile(mosaic, row, col), expected)


def test_beta_panel_switches_between_the_trained_models():
    models = {0.5: vae(3, seed=1), 1.0: vae(3, seed=2), 4.0: vae(3, seed=3)}
    images = (torch.rand(4, 1, 8, 8, generator=torch.Generator().manual_seed(0)) > 0.5).float()
    panel = beta_panel(models, images)
    assert panel.controls["beta"].value == 1.0
    caption = " ".join(c.value for c in panel.children if hasattr(c, "value") and isinstance(c.value, str))
    assert "rows: test digits; their reconstructions; samples" in caption
    pictures = {}
    for beta in (0.5, 4.0):
        panel.controls["beta"].value = beta
        pictures[beta] = decode_png(panel.image.value)[::8, ::8]          # undo the zoom
        mu, _ = models[beta].encode(images)
        for k in range(4):
            assert np.array_equal(tile(pictures[beta], 0, k), as_pixels(images)[k])            # originals
            assert np.array_equal(tile(pictures[beta], 1, k), as_pixels(decode_images(models[beta], mu))[k])
    assert not np.array_equal(pictures[0.5][10:], pictures[4.0][10:])     # reconstructions and samples differ
    z = torch.randn(4, 3, generator=torch.Generator().manual_seed(0))        # the panel's fixed draws
    assert np.array_equal(tile(pictures[4.0], 2, 0), as_pixels(decode_images(models[4.0], z))[0])


def test_interpolation_endpoints_and_pixel_blend():
    model = vae()
    images = (torch.rand(3, 1, 8, 8, generator=torch.Generator().manual_seed(1)) > 0.5).float()
    mu, _ = model.encode(images)
    start = interpolation_view(model, images[0], images[2], alpha=0.0)
    end = interpolation_view(model, images[0], images[2], alpha=1.0)
    assert np.array_equal(tile(start, 0, 1), as_pixels(decode_images(model, mu[:1]))[0])
    assert np.array_equal(tile(end, 0, 1), as_pixels(decode_images(model, mu[2:]))[0])
    assert np.array_equal(tile(start, 0, 2), as_pixels(images[:1])[0])   # pixel blend at alpha 0 is image A
    half = interpolation_view(model, images[0], images[2], alpha=0.5)
    assert np.array_equal(tile(half, 0, 2), as_pixels((images[:1] + images[2:]) / 2)[0])
    halfway = decode_images(model, ((mu[0] + mu[2]) / 2)[None])
    assert np.array_equal(tile(half, 0, 1), as_pixels(halfway)[0])


def test_interpolation_panel_alpha_and_image_sliders():
    model = vae()
    images = (torch.rand(3, 1, 8, 8, generator=torch.Generator().manual_seed(1)) > 0.5).float()
    panel = interpolation_panel(model, images, a=0, b=1)
    panel.controls["alpha"].value = 0.0
    at_a = decode_png(panel.image.value)[::16, ::16]
    panel.controls["alpha"].value = 1.0
    at_b = decode_png(panel.image.value)[::16, ::16]
    assert not np.array_equal(tile(at_a, 0, 1), tile(at_b, 0, 1))
    panel.controls["b"].value = 2
    assert np.array_equal(tile(decode_png(panel.image.value)[::16, ::16], 0, 3), as_pixels(images[2:])[0])

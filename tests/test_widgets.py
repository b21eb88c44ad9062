"""Slider panels driven without a browser: set a value, check the picture changed correctly."""

import io

import numpy as np
import pytest
import torch
from PIL import Image

from gentut.models.autoregressive import NADE, sample
from gentut.widgets.autoregressive import (
    UNDRAWN, completion_panel, sampling_panel, sampling_step_view, temperature_panel,
)
from gentut.widgets.datasets import digits_browser, face_factor_panel, scene_factor_panel
from gentut.widgets.render import image_grid


def decode(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def model():
    torch.manual_seed(0)
    return NADE(64, 16)


def test_image_grid_layout():
    images = torch.zeros(3, 1, 2, 2)
    images[1] = 1
    grid = image_grid(images, nrow=2, pad=1, pad_value=7)
    assert grid.shape == (2 * 3 + 1, 2 * 3 + 1, 3)
    assert (grid[1:3, 4:6] == 255).all() and (grid[1:3, 1:3] == 0).all()
    assert (grid[4:6, 4:6] == 7).all()                        # the empty fourth cell


def test_temperature_panel_redraws_on_slider_change():
    panel = temperature_panel(model())
    first = panel.image.value
    panel.controls["temperature"].value = 0.2
    assert panel.image.value != first
    cold = decode(panel.image.value)
    assert cold.shape == ((2 * 9 + 1) * 8, (8 * 9 + 1) * 8, 3)   # 16 samples, 8 per row, zoom 8


def test_sampling_step_view_counts_drawn_pixels():
    images, probs = sample(model(), 2, (1, 8, 8), generator=torch.Generator().manual_seed(0))
    for step in (0, 10, 64):
        frame = sampling_step_view(images, probs, step)
        tile = frame[1:9, 1:9]                                 # the first image, no padding
        grey = (tile == round(UNDRAWN * 255)).all(-1)
        red = (tile[..., 1] == 0) & (tile[..., 2] == 0) & ~(tile == 0).all(-1)
        assert grey.sum() == max(64 - step - 1, 0)             # not yet drawn
        assert red.sum() <= 1


def test_sampling_panel_step_slider():
    panel = sampling_panel(model())
    panel.controls["step"].value = 0
    at_zero = decode(panel.image.value)
    panel.controls["step"].value = 64
    at_end = decode(panel.image.value)
    grey = np.array([round(UNDRAWN * 255)] * 3)
    assert (at_zero == grey).all(-1).mean() > (at_end == grey).all(-1).mean()


def test_completion_panel_keeps_the_top_half():
    images = (torch.rand(5, 1, 8, 8, generator=torch.Generator().manual_seed(0)) > 0.5).float()
    panel = completion_panel(model(), images)
    panel.controls["index"].value = 3
    row = decode(panel.image.value)[::8, ::8]                  # undo the zoom
    tiles = [row[1:9, 1 + k * 9: 9 + k * 9, 0] for k in range(9)]
    original = (images[3, 0].numpy() * 255).astype(np.uint8)
    assert (tiles[0] == original).all()
    for completion in tiles[2:]:
        assert (completion[:4] == original[:4]).all()          # the given rows are kept


def test_digits_browser_threshold_slider():
    grey = np.zeros((3, 8, 8))
    grey[2] = np.arange(64).reshape(8, 8) / 4            # levels 0 .. 15.75
    panel = digits_browser(grey)
    panel.controls["index"].value = 2
    panel.controls["threshold"].value = 4
    binary = decode(panel.image.value)[::16, ::16][1:9, 10:18, 0]   # undo zoom, the right tile
    assert (binary == 255).sum() == (grey[2] >= 4).sum() == 48
    panel.controls["threshold"].value = 12
    binary = decode(panel.image.value)[::16, ::16][1:9, 10:18, 0]
    assert (binary == 255).sum() == (grey[2] >= 12).sum() == 16


def test_digits_browser_redraws_for_every_threshold_step_even_when_the_digit_does_not_change():
    # a digit with no pixel at grey level 8 binarizes the same at thresholds 8 and 9; the panel's
    # ramp of all 17 levels still shows the step (CI's browser test once moved the slider on such
    # a digit and waited in vain for a new picture)
    grey = np.zeros((1, 8, 8))
    grey[0, 2:6, 2:6] = 16
    panel = digits_browser(grey)
    pictures = []
    for threshold in range(1, 17):
        panel.controls["threshold"].value = threshold
        pictures.append(decode(panel.image.value))
    assert all((a != b).any() for a, b in zip(pictures, pictures[1:]))
    digit_tiles = [p[:9 * 16] for p in pictures]           # the top row: the digit, unchanged
    assert all((a == digit_tiles[0]).all() for a in digit_tiles)


def test_face_factor_panel_changes_only_what_the_slider_says():
    panel = face_factor_panel(seed=1)
    panel.controls["eyeglasses"].value = 0.0
    without = decode(panel.image.value).astype(int)
    panel.controls["eyeglasses"].value = 1.0
    with_glasses = decode(panel.image.value).astype(int)
    changed = (np.abs(with_glasses - without).sum(-1) > 30)
    rows = np.nonzero(changed.any(1))[0]
    assert changed.any() and rows.min() > with_glasses.shape[0] * 0.25 and rows.max() < with_glasses.shape[0] * 0.75
    assert not changed[:, :6].any() and not changed[:, -6:].any()      # the background is untouched


def test_scene_factor_panel_relights_without_moving_the_mask():
    panel = scene_factor_panel(seed=2)
    panel.controls["daylight"].value = 1.0
    day = decode(panel.image.value)
    panel.controls["daylight"].value = 0.0
    night = decode(panel.image.value)
    width = day.shape[1] // 2
    assert night[:, :width].mean() < day[:, :width].mean() - 30        # the scene darkens
    assert (night[:, width + 2:] == day[:, width + 2:]).all()           # its segmentation map does not change


def test_panel_shows_its_picture_to_viewers_without_a_kernel():
    import base64
    import ipywidgets as widgets
    from gentut.widgets.panel import image_panel
    panel = image_panel(lambda a: np.full((4, 6, 3), a, np.uint8), zoom=2, a=widgets.IntSlider(value=9, max=255))
    bundle = panel._repr_mimebundle_()
    assert decode(base64.b64decode(bundle["image/png"])).shape == (8, 12, 3)     # the view, as a PNG
    assert "a=9" in bundle["text/plain"] and "application/vnd.jupyter.widget-view+json" in bundle
    panel.controls["a"].value = 200                                            # the static copy follows
    assert decode(base64.b64decode(panel._repr_mimebundle_()["image/png"]))[0, 0, 0] == 200


def test_panel_picture_is_never_stretched_and_fits_a_laptop_screen():
    import ipywidgets as widgets
    from gentut.widgets.panel import PICTURE_MAX_HEIGHT, image_panel
    panel = image_panel(lambda n: np.zeros((10 * n, 20, 3), np.uint8), zoom=8, n=widgets.IntSlider(value=1, max=9))
    assert decode(panel.image.value).shape == (80, 160, 3)                     # zoom 8 as asked
    assert (panel.image.layout.width, panel.image.layout.height) == ("160px", "80px")   # shown 1:1
    assert panel.layout.align_items == "flex-start"
    panel.controls["n"].value = 9                                              # 90 rows: 8x would be 720 px
    height = decode(panel.image.value).shape[0]
    assert height <= PICTURE_MAX_HEIGHT and height % 90 == 0                   # an integer zoom that fits


def test_panel_starts_sliders_on_their_step_grid_with_equal_tracks():
    import ipywidgets as widgets
    from gentut.widgets.panel import CONTROL_WIDTH, image_panel
    drawn = []
    x = widgets.FloatSlider(value=0.37, min=0, max=1, step=0.05, description="x")
    y = widgets.FloatSlider(value=0.5, min=0, max=1, step=0.25, description="a much longer label")
    panel = image_panel(lambda x, y: drawn.append(x) or np.zeros((2, 2, 3), np.uint8), x=x, y=y)
    assert x.value == pytest.approx(0.35) and drawn[-1] == pytest.approx(0.35)   # what the readout shows
    assert x.layout.width == y.layout.width == CONTROL_WIDTH
    assert x.style.description_width == y.style.description_width


def test_panel_choices_are_buttons_that_redraw_and_keep_their_width():
    from gentut.widgets.panel import CONTROL_WIDTH, LABEL_WIDTH, choice_buttons, image_panel
    choice = choice_buttons([("all", (0, 1)), ("early", (0,))], (0,), "layers")
    assert choice.value == (0,) and choice.style.button_width == "auto"
    panel = image_panel(lambda layers: np.full((2, 2, 3), 10 * len(layers), np.uint8), layers=choice)
    assert choice.layout.width != CONTROL_WIDTH and choice.style.description_width == LABEL_WIDTH
    choice.value = (0, 1)                                                      # what a click does
    assert decode(panel.image.value)[0, 0, 0] == 20

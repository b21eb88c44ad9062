"""The S-space panel of notebook 09, driven without a browser."""

import io

import numpy as np
import pytest
import torch
from PIL import Image

from gentut.interpret.edits import broadcast_ws, render_ws, sample_latents
from gentut.interpret.stylespace import StyleLayout, style_codes
from gentut.models.stylegan import StyleGenerator
from gentut.widgets.render import image_grid
from gentut.widgets.stylespace import style_channel_panel, style_channel_view


def decode(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


@pytest.fixture(scope="module")
def tiny():
    torch.manual_seed(0)
    G = StyleGenerator(z_dim=8, w_dim=8, image_size=16, width=4, max_channels=8).eval()
    _, w = sample_latents(G, 3, torch.Generator().manual_seed(0))
    with torch.no_grad():
        styles = style_codes(G, broadcast_ws(G, w))
        wide = style_codes(G, broadcast_ws(G, sample_latents(G, 200, torch.Generator().manual_seed(1))[1]))
    return G, StyleLayout.of(G), w, styles, wide.std(0)


def test_view_at_zero_repeats_the_faces_and_an_edit_changes_only_the_bottom_row(tiny):
    G, layout, w, styles, std = tiny
    with torch.no_grad():
        faces = render_ws(G, broadcast_ws(G, w))
    still = style_channel_view(G, layout, styles, 2, 0.0, std)
    assert np.array_equal(still, image_grid(torch.cat([faces, faces]), nrow=3))
    moved = style_channel_view(G, layout, styles, 2, 5.0, std)
    top, bottom = slice(1, 17), slice(18, 34)
    assert np.array_equal(moved[top], still[top]) and not np.array_equal(moved[bottom], still[bottom])


def test_panel_switches_channels_and_strength_and_rejects_a_bad_channel(tiny):
    G, layout, w, _, std = tiny
    panel = style_channel_panel(G, {"a": 2, "b": layout.size - 1}, w, std)
    start = decode(panel.image.value)
    panel.controls["strength"].value = 0.0
    zero = decode(panel.image.value)
    panel.controls["strength"].value = 3.0
    assert np.array_equal(start, decode(panel.image.value)) and not np.array_equal(start, zero)
    panel.controls["name"].value = "b"
    assert not np.array_equal(start, decode(panel.image.value))
    flipped = style_channel_panel(G, {"a": 2}, w, std, signs={"a": -1.0})
    flipped.controls["strength"].value = -3.0
    assert np.array_equal(start, decode(flipped.image.value))               # -1 x -3 std = +3 std
    with pytest.raises(ValueError, match="outside S"):
        style_channel_panel(G, {"bad": layout.size}, w, std)

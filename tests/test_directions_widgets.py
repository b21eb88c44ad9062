"""The direction-editing panels of notebook 05, driven without a browser."""

import io

import numpy as np
import pytest
import torch
from PIL import Image

from gentut.interpret.edits import render_ws
from gentut.models.stylegan import StyleGenerator
from gentut.widgets.directions import (attribute_edit_view, attribute_panel, fixed_ws, layer_edit_panel,
                                       layer_edit_view)
from gentut.widgets.render import image_grid


def decode(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def tiny_generator():
    torch.manual_seed(0)
    return StyleGenerator(z_dim=8, w_dim=8, image_size=16, width=4, max_channels=8).eval()   # 5 layers


def directions():
    g = torch.Generator().manual_seed(1)
    return {"age": torch.randn(8, generator=g), "yaw": torch.randn(8, generator=g)}


def test_attribute_view_at_zero_is_the_original_and_strengths_add_up():
    G, d = tiny_generator(), directions()
    ws = fixed_ws(G, 3, seed=0)
    original = image_grid(render_ws(G, ws), nrow=3)
    assert np.array_equal(attribute_edit_view(G, ws, d, {"age": 0.0, "yaw": 0.0}), original)
    both = attribute_edit_view(G, ws, d, {"age": 1.0, "yaw": 2.0})
    combined = attribute_edit_view(G, ws, {"sum": d["age"] + 2 * d["yaw"]}, {"sum": 1.0})
    assert not np.array_equal(both, original)
    assert np.abs(both.astype(int) - combined.astype(int)).max() <= 1       # the same edit, up to rounding


def test_attribute_panel_has_one_slider_per_direction_and_redraws():
    G = tiny_generator()
    panel = attribute_panel(G, directions(), labels={"age": "older"}, n=2)
    assert list(panel.controls) == ["age", "yaw"] and panel.controls["age"].description == "older"
    start = decode(panel.image.value)
    assert start.shape == ((16 + 1) * 3 + 3, (2 * 17 + 1) * 3, 3)          # one row of 2 faces, zoom 3
    panel.controls["yaw"].value = 3.0
    moved = decode(panel.image.value)
    panel.controls["yaw"].value = 0.0
    assert not np.array_equal(start, moved) and np.array_equal(start, decode(panel.image.value))


def test_layer_edit_view_touches_only_the_chosen_layers():
    G, d = tiny_generator(), directions()
    ws = fixed_ws(G, 2, seed=0)
    picture = layer_edit_view(G, ws, d["yaw"], 0.0, (0, 4))
    top, bottom = picture[1:17], picture[18:34]
    assert np.array_equal(top, bottom)                                      # strength 0: no change
    early = layer_edit_view(G, ws, d["yaw"], 3.0, (0, 1))
    late = layer_edit_view(G, ws, d["yaw"], 3.0, (3, 4))
    assert np.array_equal(early[1:17], picture[1:17])                      # the top row is always the original
    assert not np.array_equal(early[18:34], late[18:34])


def test_layer_edit_panel_controls_and_bad_directions():
    G = tiny_generator()
    panel = layer_edit_panel(G, directions(), n=2)
    assert set(panel.controls) == {"name", "layers", "strength"} and panel.controls["layers"].max == G.num_ws - 1
    before = decode(panel.image.value)
    panel.controls["name"].value = "yaw"                                  # the first option, "age", is shown first
    assert not np.array_equal(before, decode(panel.image.value))
    with pytest.raises(ValueError, match="w_dim"):
        layer_edit_panel(G, {"bad": torch.zeros(3)})
    with pytest.raises(ValueError, match="empty"):
        attribute_panel(G, {})

"""Notebook 06's panel: each method's sliders move only that method's column of faces."""

import io

import numpy as np
import pytest
import torch
from PIL import Image

from gentut.interpret.edits import broadcast_ws, edit_ws, render_ws
from gentut.models.stylegan import StyleGenerator
from gentut.widgets.render import image_grid
from gentut.widgets.unsupervised import directions_panel, directions_view


def decode(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def tiny_generator():
    torch.manual_seed(0)
    return StyleGenerator(z_dim=8, w_dim=8, image_size=8, width=4, max_channels=8).eval()   # num_ws = 3


def column(picture: np.ndarray, index: int, zoom: int = 1, size: int = 8) -> np.ndarray:
    """Undo the zoom and cut column `index` (all rows) out of an image grid with pad 1."""
    grid = picture[::zoom, ::zoom]
    return grid[:, 1 + index * (size + 1): 1 + index * (size + 1) + size]


def test_directions_view_sums_each_methods_edits_in_its_own_column():
    G = tiny_generator()
    w = torch.randn(2, 8, generator=torch.Generator().manual_seed(0))
    methods = {"a": torch.eye(8)[:2], "b": -torch.eye(8)[:2]}
    picture = directions_view(G, w, methods, {"a": [1.0, 0.5], "b": [0.0, 0.0]}, layers=[0, 2])
    ws = edit_ws(edit_ws(broadcast_ws(G, w), methods["a"][0], 1.0, [0, 2]), methods["a"][1], 0.5, [0, 2])
    expected = render_ws(G, ws)
    unedited = render_ws(G, broadcast_ws(G, w))
    assert np.array_equal(picture, image_grid(torch.stack([expected, unedited], 1).flatten(0, 1), nrow=2))


def test_directions_panel_moves_one_method_and_applies_layer_ranges():
    G = tiny_generator()
    directions = torch.linalg.qr(torch.randn(8, 8, generator=torch.Generator().manual_seed(1))).Q.T
    panel = directions_panel(G, {"SeFa": directions[:3], "GAN Space": directions[3:]}, n_directions=2, n_codes=2,
                             max_strength=3.0, zoom=2)
    assert set(panel.controls) == {"layers", "sefa_1", "sefa_2", "gan_space_1", "gan_space_2"}
    start = decode(panel.image.value)
    assert np.array_equal(column(start, 0, 2), column(start, 1, 2))        # all sliders at 0: same faces
    panel.controls["gan_space_2"].value = 3.0
    moved = decode(panel.image.value)
    assert np.array_equal(column(moved, 0, 2), column(start, 0, 2))                  # SeFa untouched
    assert not np.array_equal(column(moved, 1, 2), column(start, 1, 2))
    options = dict(panel.controls["layers"].options)
    assert list(options) == ["all 0-2", "early 0-0", "middle 1-1", "late 2-2"]
    panel.controls["layers"].value = options["late 2-2"]
    late_only = decode(panel.image.value)
    assert not np.array_equal(late_only, moved) and np.array_equal(column(late_only, 0, 2), column(start, 0, 2))


def test_directions_view_rejects_directions_of_the_wrong_size():
    G = tiny_generator()
    with pytest.raises(ValueError, match=r"\(k, 8\)"):
        directions_view(G, torch.zeros(1, 8), {"a": torch.zeros(2, 5)}, {"a": [1.0]})

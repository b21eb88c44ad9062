"""Notebook 07's panels, driven without a browser on a tiny style generator."""

import io

import numpy as np
import torch
from PIL import Image

from gentut.invert.optimize import invert
from gentut.models.stylegan import StyleGenerator
from gentut.widgets.inversion import edit_panel, regularizer_panel, snapshot_at, steps_panel
from gentut.widgets.render import image_grid


def decode(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def rows(picture: np.ndarray, zoom: int, size: int = 8) -> list[np.ndarray]:
    """Undo the zoom and cut an image grid (pad 1) into its rows."""
    grid = picture[::zoom, ::zoom]
    return [grid[1 + r * (size + 1): 1 + r * (size + 1) + size] for r in range((grid.shape[0] - 1) // (size + 1))]


def setting():
    torch.manual_seed(0)
    G = StyleGenerator(z_dim=8, w_dim=8, image_size=8, width=8, max_channels=16).eval().requires_grad_(False)
    G.w_avg.copy_(G.mapping(torch.randn(256, 8)).mean(0))
    targets = G(torch.randn(3, 8, generator=torch.Generator().manual_seed(1)))
    runs = {"W": invert(G, targets, "w", steps=20, snapshot_every=5, progress=False),
            "W+": invert(G, targets, "w+", steps=10, snapshot_every=5, progress=False)}
    return G, targets, runs


def test_steps_panel_scrubs_snapshots():
    G, targets, runs = setting()
    assert torch.equal(snapshot_at(runs["W+"], 20), runs["W+"].images)          # past its end: its result
    panel = steps_panel(targets, runs, zoom=2)
    assert panel.controls["step"].options == (0, 5, 10, 15, 20)
    last = rows(decode(panel.image.value), zoom=2)
    assert len(last) == 3
    panel.controls["step"].value = 0
    first = rows(decode(panel.image.value), zoom=2)
    assert np.array_equal(first[0], last[0])                                    # the targets stay
    assert np.array_equal(first[1], first[2])                                   # both start at w_avg
    assert not np.array_equal(first[1], last[1])


def test_regularizer_and_edit_panels():
    G, targets, runs = setting()
    direction = torch.zeros(8)
    direction[0] = 3.0
    panel = regularizer_panel(G, targets, {0.0: runs["W"].ws, 1.0: runs["W+"].ws}, direction, zoom=2)
    target_row, recon, edited = rows(decode(panel.image.value), zoom=2)
    assert not np.array_equal(recon, edited)
    panel.controls["weight"].value = 1.0
    assert not np.array_equal(rows(decode(panel.image.value), zoom=2)[1], recon)

    panel = edit_panel(targets, {name: (G, run.ws) for name, run in runs.items()}, {"x": direction, "y": -direction},
                       zoom=2)
    unedited = rows(decode(panel.image.value), zoom=2)
    reference = rows(image_grid(torch.cat([targets, runs["W"].images, runs["W+"].images]), nrow=3), zoom=1)
    assert all(np.array_equal(a, b) for a, b in zip(unedited, reference))       # strength 0: the reconstructions
    panel.controls["strength"].value = 2.0
    plus = rows(decode(panel.image.value), zoom=2)
    panel.controls["attribute"].value = "y"
    panel.controls["strength"].value = -2.0
    assert all(np.array_equal(a, b) for a, b in zip(plus, rows(decode(panel.image.value), zoom=2)))  # +2 x == -2 (-x)
    assert not np.array_equal(plus[1], unedited[1])

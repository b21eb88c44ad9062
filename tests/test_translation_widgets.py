"""Notebook 08's panels, driven without a browser: the label-map editor and the CycleGAN viewer."""

import io

import numpy as np
import pytest
import torch
import torch.nn as nn
from PIL import Image

from gentut.data.scenes import CLASS_COLORS, make_scenes
from gentut.models.translation import CycleGANPair, UNetGenerator
from gentut.translation import day_night_domains
from gentut.widgets.translation import cyclegan_panel, edit_scene, label_map_panel


def decode(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def tiles(picture: np.ndarray, zoom: int, size: int = 32) -> list[list[np.ndarray]]:
    """Undo the zoom and cut an image grid (pad 1) back into rows of tiles."""
    grid = picture[::zoom, ::zoom]
    nrows, ncols = (grid.shape[0] - 1) // (size + 1), (grid.shape[1] - 1) // (size + 1)
    return [[grid[1 + r * (size + 1): 1 + r * (size + 1) + size, 1 + c * (size + 1): 1 + c * (size + 1) + size]
             for c in range(ncols)] for r in range(nrows)]


class Paint(nn.Module):
    """A 'translator' that paints each class of a one-hot label map in its CLASS_COLORS colour."""

    def __init__(self):
        super().__init__()
        self.colors = nn.Parameter(CLASS_COLORS.T.clone()[:, :, None, None])      # (3, 7, 1, 1)

    def forward(self, labels):
        return (labels[:, None] * self.colors).sum(2)


class IdentityPair(nn.Module):
    """CycleGAN generators that change nothing (the parameter tells the panel the device)."""

    def __init__(self):
        super().__init__()
        self.G, self.F, self.device_marker = nn.Identity(), nn.Identity(), nn.Parameter(torch.zeros(()))


SCENES = make_scenes(8, seed=0, size=32)


def test_edit_scene_moves_the_house_and_counts_trees():
    _, left = edit_scene(SCENES.factors, house_x=0.0, horizon=0.5, trees=0, clouds=0)
    _, right = edit_scene(SCENES.factors, house_x=1.0, horizon=0.5, trees=4, clouds=0)
    house_col = lambda masks: torch.nonzero(masks[0] == 4)[:, 1].float().mean()
    assert house_col(left) < 12 < 20 < house_col(right)
    assert (left == 3).sum() == 0 and (right == 3).sum() > 20                     # class 3 = tree
    _, high = edit_scene(SCENES.factors, house_x=0.5, horizon=0.0, trees=0, clouds=0)
    _, low = edit_scene(SCENES.factors, house_x=0.5, horizon=1.0, trees=0, clouds=0)
    assert (high == 2).sum() > (low == 2).sum()                                  # more ground under a high horizon
    with pytest.raises(ValueError, match="trees must lie in 0..4"):
        edit_scene(SCENES.factors, 0.5, 0.5, trees=5, clouds=0)


def test_label_map_panel_redraws_each_translator():
    """With a translator that paints the label map's own colours, its tile equals the label-map tile."""
    torch.manual_seed(0)
    panel = label_map_panel({"paint": Paint(), "unet": UNetGenerator(7).eval()}, SCENES, index=1)
    label_map, painted, unet, truth = tiles(decode(panel.image.value), zoom=4)[0]
    assert np.abs(label_map - painted).max() <= 1 and not np.array_equal(unet, label_map)
    before = painted
    panel.controls["house_x"].value = 0.0 if panel.controls["house_x"].value > 0.5 else 1.0
    label_map, painted, _, new_truth = tiles(decode(panel.image.value), zoom=4)[0]
    assert np.abs(label_map - painted).max() <= 1 and not np.array_equal(painted, before)
    assert not np.array_equal(truth, new_truth)                                   # the renderer's scene moved too
    assert "label map | paint | unet | the renderer's scene (truth)" in captions(panel)


def test_cyclegan_panel_rows_and_identity_cycle():
    """Identity generators: translation and back-translation equal the input; the truth differs."""
    day, night = day_night_domains(SCENES)
    panel = cyclegan_panel({"identity": IdentityPair(), "random": CycleGANPair().eval()}, day, night)
    rows = tiles(decode(panel.image.value), zoom=4)
    assert len(rows) == 2 and len(rows[0]) == 4
    x, fake, back, truth = rows[0]
    assert np.array_equal(x, fake) and np.array_equal(x, back) and truth.mean() < x.mean()   # day -> darker night
    panel.controls["direction"].value = "night2day"
    x, _, _, truth = tiles(decode(panel.image.value), zoom=4)[0]
    assert truth.mean() > x.mean()
    assert "rows: identity, random | columns: input, translation, translated back" in captions(panel)


def captions(panel) -> str:
    """The text of a panel's caption lines (its HTML children but the style sheet)."""
    import ipywidgets as widgets
    return " ".join(c.value for c in panel.children if isinstance(c, widgets.HTML) and "<style>" not in c.value)

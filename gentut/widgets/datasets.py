"""Slider callbacks for browsing the kit's datasets (notebook 00).

The procedural datasets are pure functions of their factors, so a "factor panel" has one slider
per factor and re-renders the image from the slider values: ground truth to compare with the
directions later notebooks discover inside generators.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import torch

from gentut.data.digits import binarize
from gentut.widgets.panel import image_panel
from gentut.widgets.render import image_grid

__all__ = ["digit_threshold_view", "digits_browser", "face_factor_view", "face_factor_panel",
           "scene_factor_view", "scene_factor_panel"]


# every grey level 0..16 in one 8x8 tile, darkest top left: binarized, it shows which levels
# become ink, and it changes at every threshold step even when the digit does not
GREY_RAMP = torch.linspace(0, 16, 64).round().reshape(8, 8)


def digit_threshold_view(grey: np.ndarray, index: int, threshold: float) -> np.ndarray:
    """One digit of `grey` (N, 8, 8), levels 0..16, and its binarization at `threshold` (top row);
    the 17 grey levels and theirs (bottom row): uint8 (H, W, 3)."""
    digit = torch.as_tensor(grey[index], dtype=torch.float32)
    tiles = [digit / 16, binarize(digit, threshold), GREY_RAMP / 16, binarize(GREY_RAMP, threshold)]
    return image_grid(torch.stack(tiles)[:, None], nrow=2)                    # (4, 1, 8, 8)


def digits_browser(grey: np.ndarray) -> widgets.VBox:
    """Sliders: digit index and binarization threshold -> the grey digit and its binary version,
    above the 17 grey levels and theirs."""
    index = widgets.IntSlider(value=0, min=0, max=len(grey) - 1, description="digit")
    threshold = widgets.IntSlider(value=8, min=1, max=16, description="threshold")
    return image_panel(lambda index, threshold: digit_threshold_view(grey, index, threshold),
                       zoom=16, index=index, threshold=threshold)


def _with_values(base: dict[str, torch.Tensor], values: dict[str, float]) -> dict[str, torch.Tensor]:
    """A copy of the one-image factor dict `base` with the named factors set to `values`."""
    return {**base, **{name: torch.tensor([float(v)]) for name, v in values.items()}}


def _factor_sliders(factors, base: dict[str, torch.Tensor]) -> dict[str, widgets.ValueWidget]:
    """One slider per factor, starting at the value in `base`; binary factors step 0 -> 1."""
    return {f.name: widgets.FloatSlider(value=round(float(base[f.name][0]), 2), min=0.0, max=1.0,
                                        step=1.0 if f.kind == "binary" else 0.05, description=f.name,
                                        continuous_update=False)
            for f in factors}


def face_factor_view(base: dict[str, torch.Tensor], size: int = 64, **values: float) -> np.ndarray:
    """The face of `base` (a one-face factor dict) re-rendered with `values`: uint8 (size+2, size+2, 3)."""
    from gentut.data.faces import render_faces
    return image_grid(render_faces(_with_values(base, values), size=size), nrow=1)


def face_factor_panel(seed: int = 0) -> widgets.VBox:
    """A slider for every face factor, starting from a random face (seed), and the face they draw."""
    from gentut.data.faces import FACE_FACTORS, sample_face_factors
    base = sample_face_factors(1, torch.Generator().manual_seed(seed))
    return image_panel(lambda **values: face_factor_view(base, **values), zoom=3,
                       **_factor_sliders(FACE_FACTORS, base))


def scene_factor_view(base: dict[str, torch.Tensor], size: int = 64, **values: float) -> np.ndarray:
    """The scene of `base` (a one-scene factor dict, layout included) re-rendered with `values`,
    beside its segmentation map: uint8 (size+2, 2*size+3, 3)."""
    from gentut.data.scenes import colorize_masks, render_scenes
    image, mask = render_scenes(_with_values(base, values), size=size)
    return image_grid(torch.cat([image, colorize_masks(mask)]), nrow=2)


def scene_factor_panel(seed: int = 0) -> widgets.VBox:
    """A slider for every scene factor, starting from a random scene (seed): the scene and its mask."""
    from gentut.data.scenes import SCENE_FACTORS, sample_scene_factors
    base = sample_scene_factors(1, torch.Generator().manual_seed(seed))
    return image_panel(lambda **values: scene_factor_view(base, **values), zoom=3,
                       **_factor_sliders(SCENE_FACTORS, base))

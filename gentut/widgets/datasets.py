"""Slider callbacks for browsing the kit's datasets (notebook 00)."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import torch

from gentut.data.digits import binarize
from gentut.widgets.panel import image_panel
from gentut.widgets.render import image_grid

__all__ = ["digit_threshold_view", "digits_browser"]


def digit_threshold_view(grey: np.ndarray, index: int, threshold: float) -> np.ndarray:
    """One digit of `grey` (N, 8, 8), levels 0..16, beside its binarization at `threshold`: uint8 (H, W, 3)."""
    digit = torch.as_tensor(grey[index], dtype=torch.float32)
    pair = torch.stack([digit / 16, binarize(digit, threshold)])[:, None]     # (2, 1, 8, 8)
    return image_grid(pair, nrow=2)


def digits_browser(grey: np.ndarray) -> widgets.VBox:
    """Sliders: digit index and binarization threshold -> the grey digit and its binary version."""
    index = widgets.IntSlider(value=0, min=0, max=len(grey) - 1, description="digit")
    threshold = widgets.IntSlider(value=8, min=1, max=16, description="threshold")
    return image_panel(lambda index, threshold: digit_threshold_view(grey, index, threshold),
                       zoom=16, index=index, threshold=threshold)

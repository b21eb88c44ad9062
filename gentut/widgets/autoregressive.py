"""Slider callbacks and panels of notebook 01 (autoregressive models).

Each `*_view` function is a pure function of slider values that returns a uint8 picture
(H, W, 3); each `*_panel` wires one to sliders with `image_panel`.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import torch
import torch.nn as nn

from gentut.models.autoregressive import sample
from gentut.widgets.panel import image_panel
from gentut.widgets.render import image_grid

__all__ = [
    "temperature_view", "temperature_panel", "sampling_step_view", "sampling_panel",
    "completion_view", "completion_panel",
]

UNDRAWN = 0.5          # grey level of pixels not drawn yet


def temperature_view(model: nn.Module, temperature: float, n: int = 16, seed: int = 0,
                     image_shape: tuple[int, int, int] = (1, 8, 8)) -> np.ndarray:
    """A grid of n samples drawn at `temperature` with a fixed seed: uint8 (H, W, 3).

    The seed is fixed so that moving the slider changes only the temperature, not the luck.
    """
    images, _ = sample(model, n, image_shape, temperature=temperature,
                       generator=torch.Generator().manual_seed(seed))
    return image_grid(images, nrow=8)


def temperature_panel(model: nn.Module, n: int = 16, seed: int = 0) -> widgets.VBox:
    """Slider: sampling temperature (0.1 .. 2.0) -> grid of samples."""
    slider = widgets.FloatSlider(value=1.0, min=0.1, max=2.0, step=0.1, description="temperature",
                                 continuous_update=False)
    return image_panel(lambda temperature: temperature_view(model, temperature, n, seed),
                       zoom=8, temperature=slider)


def sampling_step_view(images: torch.Tensor, probs: torch.Tensor, step: int) -> np.ndarray:
    """Images (B, 1, H, W) as they look after `step` pixels were drawn: uint8 grid (H', W', 3).

    Pixels before `step` show their drawn value, pixels after it are grey, and pixel `step`
    itself is red with brightness p(x_step = 1 | x_<step) from `probs` (B, D).
    """
    b, _, h, w = images.shape
    flat = images.reshape(b, h * w).clone().float()
    flat[:, step:] = UNDRAWN
    rgb = flat[:, None].repeat(1, 3, 1)                          # (B, 3, D)
    if step < h * w:
        rgb[:, :, step] = torch.stack([probs[:, step], torch.zeros(b), torch.zeros(b)], 1)
    return image_grid(rgb.reshape(b, 3, h, w), nrow=8)


def sampling_panel(model: nn.Module, n: int = 8, seed: int = 0,
                   image_shape: tuple[int, int, int] = (1, 8, 8)) -> widgets.VBox:
    """Slider: sampling step 0..D -> the same n images, pixel by pixel.

    The images are drawn once; the slider only replays the order in which pixels were drawn.
    """
    images, probs = sample(model, n, image_shape, generator=torch.Generator().manual_seed(seed))
    images, probs = images.cpu(), probs.cpu()
    n_pixels = probs.shape[1]
    slider = widgets.IntSlider(value=n_pixels // 2, min=0, max=n_pixels, description="step")
    return image_panel(lambda step: sampling_step_view(images, probs, step), zoom=8, step=slider)


def completion_view(model: nn.Module, image: torch.Tensor, n: int = 7, seed: int = 0,
                    temperature: float = 1.0) -> np.ndarray:
    """Complete the bottom half of one image (1, H, W) n times: uint8 grid (H', W', 3).

    The row shows the original, the top half the model is given (bottom grey), then n completions.
    """
    _, h, w = image.shape
    known = torch.zeros(h * w, dtype=torch.bool)
    known[: (h // 2) * w] = True                                 # the top rows, in raster order
    given = image.expand(n, *image.shape)
    completions, _ = sample(model, n, tuple(image.shape), temperature=temperature,
                            generator=torch.Generator().manual_seed(seed), given=given, known=known)
    top_half = image.clone().reshape(-1)
    top_half[~known] = UNDRAWN
    row = torch.cat([image[None], top_half.reshape(1, *image.shape), completions.cpu()])
    return image_grid(row, nrow=n + 2)


def completion_panel(model: nn.Module, images: torch.Tensor, n: int = 7) -> widgets.VBox:
    """Sliders: which held-out image (of `images` (N, 1, H, W)) and temperature -> its completions."""
    index = widgets.IntSlider(value=0, min=0, max=len(images) - 1, description="test image")
    temperature = widgets.FloatSlider(value=1.0, min=0.1, max=2.0, step=0.1, description="temperature",
                                      continuous_update=False)
    return image_panel(lambda index, temperature: completion_view(model, images[index], n, temperature=temperature),
                       zoom=8, index=index, temperature=temperature)

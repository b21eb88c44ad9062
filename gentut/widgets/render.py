"""Turning tensors into pictures: image grids as uint8 arrays, and PNG bytes for widgets.

Slider callbacks return uint8 arrays (H, W, 3), which tests can inspect; the panel turns them
into PNG bytes for an `ipywidgets.Image`, which is far quicker than redrawing a matplotlib figure.
"""

from __future__ import annotations

import io

import numpy as np
import torch
from PIL import Image

__all__ = ["to_rgb_uint8", "image_grid", "upscale", "png_bytes", "show_grid"]


def to_rgb_uint8(images: torch.Tensor | np.ndarray) -> np.ndarray:
    """Images (B, C, H, W) with values in [0, 1], C in {1, 3} -> uint8 array (B, H, W, 3)."""
    array = images.detach().cpu().numpy() if isinstance(images, torch.Tensor) else np.asarray(images)
    if array.ndim != 4 or array.shape[1] not in (1, 3):
        raise ValueError(f"expected images of shape (B, 1 or 3, H, W), got {array.shape}")
    array = np.repeat(array, 3 // array.shape[1], axis=1)             # grey -> RGB
    return (np.clip(array, 0, 1) * 255).round().astype(np.uint8).transpose(0, 2, 3, 1)


def image_grid(images: torch.Tensor | np.ndarray, nrow: int = 8, pad: int = 1,
               pad_value: int = 128) -> np.ndarray:
    """Tile images (B, C, H, W) in [0, 1] into one uint8 array (rows*(H+pad)+pad, ..., 3), nrow per row."""
    tiles = to_rgb_uint8(images)
    n, h, w, _ = tiles.shape
    ncol = min(nrow, n)
    nrows = -(-n // ncol)
    grid = np.full((nrows * (h + pad) + pad, ncol * (w + pad) + pad, 3), pad_value, np.uint8)
    for k, tile in enumerate(tiles):
        r, c = divmod(k, ncol)
        grid[pad + r * (h + pad): pad + r * (h + pad) + h, pad + c * (w + pad): pad + c * (w + pad) + w] = tile
    return grid


def upscale(array: np.ndarray, factor: int) -> np.ndarray:
    """Nearest-neighbour enlargement of an (H, W, 3) array by an integer factor: (H*f, W*f, 3)."""
    return array.repeat(factor, axis=0).repeat(factor, axis=1)


def png_bytes(array: np.ndarray) -> bytes:
    """Encode a uint8 (H, W, 3) array as PNG bytes."""
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


def show_grid(images: torch.Tensor, nrow: int, title: str, ax=None) -> None:
    """Draw images (B, C, H, W) in [0, 1] as a grid, nrow per row, with a title, into a matplotlib
    axis (a new figure sized to the grid when ax is None): the notebooks' static pictures."""
    import matplotlib.pyplot as plt
    ax = ax or plt.subplots(figsize=(nrow * 0.9, 1.2 * -(-len(images) // nrow)), dpi=72)[1]
    ax.imshow(image_grid(images.cpu(), nrow=nrow), interpolation="nearest")
    ax.set_title(title, fontsize=9)
    ax.axis("off")

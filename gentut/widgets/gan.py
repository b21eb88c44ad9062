"""Slider callbacks and panels of notebook 03 (GAN basics)."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import torch
import torch.nn as nn
from matplotlib import colormaps

from gentut.gan2d import EXTENT, GANRun, GaussianMixture2D
from gentut.latent import interpolate
from gentut.widgets.panel import image_panel
from gentut.widgets.render import image_grid

__all__ = ["gan2d_view", "gan2d_panel", "gan2d_lab_view", "gan2d_lab_panel", "interpolation_view", "interpolation_panel", "truncation_view",
           "truncation_panel"]


def gan2d_view(run: GANRun, data: GaussianMixture2D, index: int, size: int = 256) -> np.ndarray:
    """Snapshot `index` of a 2-D GAN run as a picture: uint8 (size, size, 3).

    Background: sigmoid of D's output (blue = "fake", red = "real"); white crosses: the data's
    centres; black dots: the generator's samples.
    """
    snapshot = run.snapshots[index]
    surface = torch.sigmoid(snapshot.surface)[None, None]                     # (1, 1, res, res)
    surface = torch.nn.functional.interpolate(surface, size=(size, size), mode="bilinear")[0, 0]
    picture = (colormaps["coolwarm"](surface.numpy())[..., :3] * 255).astype(np.uint8)
    for point, colour, radius in [(c, 255, 3) for c in data.centres] + [(s, 0, 1) for s in snapshot.samples]:
        col, row = to_pixel(point, size)
        if 0 <= row < size and 0 <= col < size:
            picture[max(row - radius, 0):row + radius + 1, max(col - radius, 0):col + radius + 1] = colour
    return picture


def to_pixel(point: torch.Tensor, size: int) -> tuple[int, int]:
    """(x, y) in [-EXTENT, EXTENT]^2 -> (column, row) of a size x size picture with +y at the top."""
    x, y = point.tolist()
    return int((x + EXTENT) / (2 * EXTENT) * (size - 1)), int((EXTENT - y) / (2 * EXTENT) * (size - 1))


def gan2d_panel(run: GANRun, data: GaussianMixture2D) -> widgets.VBox:
    """Slider: training step (scrubs through the run's snapshots) -> samples over D's surface."""
    steps = [s.step for s in run.snapshots]
    slider = widgets.SelectionSlider(options=steps, value=steps[-1], description="step")
    return image_panel(lambda step: gan2d_view(run, data, steps.index(step)), step=slider)


def gan2d_lab_view(runs: dict[str, list[GANRun]], data: GaussianMixture2D, seed: int, index: int,
                   size: int = 200) -> np.ndarray:
    """Snapshot `index` of seed `seed` for every objective in `runs`, side by side: uint8 (size, n * size + gaps, 3)."""
    views = [gan2d_view(seeds[seed], data, index, size) for seeds in runs.values()]
    gap = np.full((size, 4, 3), 255, np.uint8)
    return np.concatenate([part for view in views for part in (view, gap)][:-1], axis=1)


def gan2d_lab_panel(runs: dict[str, list[GANRun]], data: GaussianMixture2D) -> widgets.VBox:
    """Sliders: seed and training step of recorded runs; every objective shown side by side (left to right
    in the order of `runs`)."""
    steps = [s.step for s in next(iter(runs.values()))[0].snapshots]
    n_seeds = len(next(iter(runs.values())))
    seed = widgets.IntSlider(value=0, min=0, max=n_seeds - 1, description="seed")
    step = widgets.SelectionSlider(options=steps, value=steps[-1], description="step")
    return image_panel(lambda seed, step: gan2d_lab_view(runs, data, seed, steps.index(step)), seed=seed, step=step)


@torch.no_grad()
def interpolation_view(G: nn.Module, z1: torch.Tensor, z2: torch.Tensor, alpha: float) -> np.ndarray:
    """G(z1), the image at (1 - alpha) z1 + alpha z2, and G(z2), side by side: uint8 (H, W, 3)."""
    codes = torch.cat([z1[None], interpolate(z1, z2, torch.tensor([alpha])), z2[None]])
    device = next(G.parameters()).device
    return image_grid(G(codes.to(device)).cpu(), nrow=3)


def interpolation_panel(G: nn.Module, seed: int = 0) -> widgets.VBox:
    """Slider: alpha in [0, 1] along the straight line between two random codes."""
    codes = torch.randn(2, G.z_dim, generator=torch.Generator().manual_seed(seed))
    slider = widgets.FloatSlider(value=0.5, min=0.0, max=1.0, step=0.05, description="alpha")
    return image_panel(lambda alpha: interpolation_view(G, codes[0], codes[1], alpha), zoom=4, alpha=slider)


@torch.no_grad()
def truncation_view(G: nn.Module, z: torch.Tensor, psi: float) -> np.ndarray:
    """Images of codes z (n, z_dim) with W-space truncation psi (a StyleGenerator): uint8 grid."""
    return image_grid(G(z.to(next(G.parameters()).device), psi=psi).cpu(), nrow=len(z))


def truncation_panel(G: nn.Module, n: int = 8, seed: int = 0) -> widgets.VBox:
    """Slider: truncation psi in [0, 1] for n fixed codes (psi = 0: every code gives the average face)."""
    z = torch.randn(n, G.z_dim, generator=torch.Generator().manual_seed(seed))
    slider = widgets.FloatSlider(value=1.0, min=0.0, max=1.0, step=0.05, description="psi",
                                 continuous_update=False)
    return image_panel(lambda psi: truncation_view(G, z, psi), zoom=3, psi=slider)

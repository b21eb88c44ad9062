"""Slider callbacks and panels of notebook 02 (latent variable models and the VAE).

Each `*_view` function is a pure function of slider values that returns a uint8 picture
(H, W, 3); each `*_panel` wires one to sliders with `image_panel`. The models are those of
`gentut.models.vae` on 8x8 digits: `decode(z)` returns Bernoulli logits (B, 64), and pictures
show the decoder's probability of ink p(x_i = 1 | z) as a grey level (white = ink).
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import torch
import torch.nn as nn

from gentut.latent import interpolate
from gentut.widgets.panel import image_panel
from gentut.widgets.render import image_grid

__all__ = [
    "decode_images", "latent_map_view", "latent_point_view", "latent_panel", "beta_view", "beta_panel",
    "interpolation_view", "interpolation_panel",
]


@torch.no_grad()
def decode_images(model: nn.Module, z: torch.Tensor, side: int = 8) -> torch.Tensor:
    """Codes z (B, z_dim) -> the decoder's ink probabilities as images (B, 1, side, side), on the CPU."""
    device = next(model.parameters()).device
    return torch.sigmoid(model.decode(z.to(device))).view(-1, 1, side, side).cpu()


def latent_map_view(model: nn.Module, n: int = 15, limit: float = 3.0) -> np.ndarray:
    """Decode an n x n grid of 2-D codes over [-limit, limit]^2 into one mosaic: uint8 (H, W, 3).

    Column j has z1 = linspace(-limit, limit)[j] (left to right); row i has
    z2 = linspace(limit, -limit)[i] (top to bottom), so the mosaic reads like a plot of the plane.
    """
    values = torch.linspace(-limit, limit, n)
    z1 = values.repeat(n)                                      # (n*n,) left to right, then the next row
    z2 = values.flip(0).repeat_interleave(n)                   # (n*n,) top row has the largest z2
    return image_grid(decode_images(model, torch.stack([z1, z2], 1)), nrow=n)


def latent_point_view(model: nn.Module, z1: float, z2: float) -> np.ndarray:
    """The digit a 2-D latent VAE decodes at the code (z1, z2): uint8 (10, 10, 3) (one 8x8 tile)."""
    return image_grid(decode_images(model, torch.tensor([[float(z1), float(z2)]])), nrow=1)


def latent_panel(model: nn.Module, limit: float = 3.0) -> widgets.VBox:
    """Sliders z1, z2 in [-limit, limit] -> the decoded digit, redrawn while dragging."""
    sliders = {name: widgets.FloatSlider(value=0.0, min=-limit, max=limit, step=0.05, description=name)
               for name in ("z1", "z2")}
    return image_panel(lambda z1, z2: latent_point_view(model, z1, z2), zoom=16,
                       caption="the digit the decoder draws at the code (z1, z2)", **sliders)


def beta_view(models: dict[float, nn.Module], beta: float, images: torch.Tensor, seed: int = 0) -> np.ndarray:
    """Three rows for the VAE trained with KL weight `beta` (a key of `models`): uint8 (H, W, 3).

    Row 1: `images` (n, 1, 8, 8); row 2: their reconstructions, decoded at the posterior means mu(x);
    row 3: n samples decoded from z ~ N(0, I), drawn with `seed` so that only beta changes them.
    """
    model = models[beta]
    with torch.no_grad():
        mu, _ = model.encode(images.to(next(model.parameters()).device))
    z = torch.randn(len(images), model.z_dim, generator=torch.Generator().manual_seed(seed))
    rows = torch.cat([images.cpu(), decode_images(model, mu), decode_images(model, z)])
    return image_grid(rows, nrow=len(images))


def beta_panel(models: dict[float, nn.Module], images: torch.Tensor, seed: int = 0) -> widgets.VBox:
    """A slider over the trained betas -> originals, reconstructions and samples of that VAE."""
    betas = sorted(models)
    slider = widgets.SelectionSlider(options=[(f"{b:g}", b) for b in betas], value=1.0 if 1.0 in models else betas[0],
                                     description="beta")
    return image_panel(lambda beta: beta_view(models, beta, images, seed), zoom=8, beta=slider,
                       caption="rows: test digits; their reconstructions; samples from z ~ N(0, I)")


def interpolation_view(model: nn.Module, image_a: torch.Tensor, image_b: torch.Tensor, alpha: float) -> np.ndarray:
    """Blend two images (1, 8, 8) two ways: uint8 row of four tiles (H, W, 3).

    Tiles: image_a; the decoding of the blended code (1 - alpha) mu(a) + alpha mu(b); the blended
    pixels (1 - alpha) a + alpha b; image_b.
    """
    pair = torch.stack([image_a, image_b]).cpu()                          # (2, 1, 8, 8)
    with torch.no_grad():
        mu, _ = model.encode(pair.to(next(model.parameters()).device))     # (2, z_dim)
    code = interpolate(mu[0], mu[1], torch.tensor([alpha]))[0]
    pixels = (1 - alpha) * pair[0] + alpha * pair[1]
    row = torch.cat([pair[:1], decode_images(model, code[None]), pixels[None], pair[1:]])
    return image_grid(row, nrow=4)


def interpolation_panel(model: nn.Module, images: torch.Tensor, a: int = 0, b: int = 1) -> widgets.VBox:
    """Sliders: two images of `images` (N, 1, 8, 8) and alpha in [0, 1] -> code blend vs pixel blend."""
    controls = {
        "a": widgets.IntSlider(value=a, min=0, max=len(images) - 1, description="image A"),
        "b": widgets.IntSlider(value=b, min=0, max=len(images) - 1, description="image B"),
        "alpha": widgets.FloatSlider(value=0.5, min=0.0, max=1.0, step=0.05, description="alpha"),
    }
    return image_panel(lambda a, b, alpha: interpolation_view(model, images[a], images[b], alpha), zoom=16,
                       caption="image A | blend of the codes, decoded | blend of the pixels | image B", **controls)

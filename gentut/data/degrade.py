"""Blur and noise, the ways a small generator's samples differ from the crisp renders.

The attribute predictors are trained on rendered images but used to *score generated ones*
(InterFaceGAN's pseudo-labels, re-scoring, Fréchet distances). A predictor trained on crisp
renders only reads factors from pixel-exact edges: a blur of 0.6 pixels (about what a 32x32 GAN
draws) multiplies its smile error by 14 and makes it read glasses as age. So the predictors
train on renders degraded at random -- each image blurred by its own Gaussian and given its own
amount of pixel noise -- and read generated images as reliably as rendered ones.

    x = degrade(images, generator)          # (B, 3, S, S) in [0, 1] -> same shape, in [0, 1]
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

__all__ = ["gaussian_blur", "degrade"]


def gaussian_blur(images: torch.Tensor, sigma: torch.Tensor, radius: int = 2) -> torch.Tensor:
    """Blur each image by its own Gaussian: images (B, C, H, W), sigma (B,) in pixels (0 = unchanged).

    A separable (2 * radius + 1)-tap kernel, edges padded by replication. Returns (B, C, H, W).
    """
    b, c, h, w = images.shape
    offsets = torch.arange(-radius, radius + 1, dtype=images.dtype, device=images.device)       # (K,)
    spread = sigma.to(images).clamp_min(1e-3)[:, None]                                        # (B, 1)
    kernel = torch.exp(-offsets[None] ** 2 / (2 * spread ** 2))
    kernel = (kernel / kernel.sum(1, keepdim=True)).repeat_interleave(c, 0)                    # (B * C, K)
    x = images.reshape(1, b * c, h, w)                                                         # one group per channel
    x = F.conv2d(F.pad(x, (radius, radius, 0, 0), mode="replicate"), kernel[:, None, None, :], groups=b * c)
    x = F.conv2d(F.pad(x, (0, 0, radius, radius), mode="replicate"), kernel[:, None, :, None], groups=b * c)
    return x.reshape(b, c, h, w)


def degrade(images: torch.Tensor, generator: torch.Generator, max_blur: float = 1.0,
            max_noise: float = 0.04, p: float = 0.75) -> torch.Tensor:
    """Random degradation of a batch (B, 3, S, S) in [0, 1]: with probability p per image, a blur
    of sigma ~ U(0, max_blur) pixels and Gaussian noise of std ~ U(0, max_noise); the others are
    left crisp. Draws come from `generator` (CPU), so training stays repeatable. Returns (B, 3, S, S)."""
    n = len(images)
    draw = lambda: torch.rand(n, generator=generator).to(images.device)                       # noqa: E731
    chosen = (draw() < p).to(images.dtype)                                                     # (B,)
    sigma, noise_std = draw() * max_blur * chosen, draw() * max_noise * chosen
    noise = torch.randn(images.shape, generator=generator).to(images.device)
    return (gaussian_blur(images, sigma) + noise_std[:, None, None, None] * noise).clamp(0.0, 1.0)

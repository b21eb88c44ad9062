"""Walking in a generator's latent space: interpolation and random walks (notebooks 03 and 05-07).

A generator G maps codes z (B, z_dim) to images; moving z moves the image. The two walks here
are the simplest: a straight line between two codes, and a random walk of small steps.
"""

from __future__ import annotations

import torch

__all__ = ["interpolate", "random_walk"]


def interpolate(z1: torch.Tensor, z2: torch.Tensor, alphas: torch.Tensor, spherical: bool = False) -> torch.Tensor:
    """Codes along the path z1 -> z2 at fractions `alphas` (n,): (d,), (d,) -> (n, d).

    linear: (1 - a) z1 + a z2. spherical (slerp, White 2016): follows the great circle, which keeps
    the norm typical of a Gaussian code where the straight line's midpoint shrinks it by ~1/sqrt(2).
    """
    a = alphas[:, None].to(z1)
    if not spherical:
        return (1 - a) * z1 + a * z2
    cos = torch.dot(z1, z2) / (z1.norm() * z2.norm())
    omega = torch.arccos(cos.clamp(-1 + 1e-7, 1 - 1e-7))
    return (torch.sin((1 - a) * omega) * z1 + torch.sin(a * omega) * z2) / torch.sin(omega)


def random_walk(z0: torch.Tensor, n_steps: int, step_size: float, generator: torch.Generator) -> torch.Tensor:
    """z0 (d,) followed by n_steps Gaussian steps of standard deviation `step_size`: (n_steps + 1, d)."""
    steps = step_size * torch.randn(n_steps, len(z0), generator=generator).to(z0)
    return torch.cat([z0[None], z0 + torch.cumsum(steps, 0)])

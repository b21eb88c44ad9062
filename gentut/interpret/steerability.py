"""Steerability: learn a latent walk that imitates an image transform (Jahanian, Chai & Isola, ICLR 2020).

Pick a transform we can apply to images, edit(x, alpha) (brightness, shift, zoom...), and look
for a walk in latent space whose images match it:

    linear:      w* = argmin_d  E_{w, alpha} || G(w + alpha d) - edit(G(w), alpha) ||^2
    non-linear:  w_{t+1} = w_t +- g(w_t), n = |alpha| / eps steps of a small network g,
                 min_g E || G(w_n) - edit(G(w), n eps) ||^2

How well the best walk can match the transform says how far the generator *can* be steered
that way: a generator never shown shifted faces has no walk that shifts them.

    walk = LinearWalk(G.w_dim)
    losses = fit_walk(walk, render, w, brightness, max_alpha=0.3, steps=60, generator=generator)
    walk_error(walk, render, w, brightness, alphas)    # walk vs doing nothing, per alpha

`render` maps codes w (B, w_dim) to images (B, 3, S, S), e.g.
`lambda w: G.synthesis(broadcast_ws(G, w))`; a transform maps (images, alpha (B,)) to
(target images, mask of the pixels the loss counts), both (B, 3, S, S).
"""

from __future__ import annotations

from typing import Callable

import torch
import torch.nn as nn
import torch.nn.functional as F
from gentut.progress import tqdm

__all__ = ["brightness", "shift", "zoom", "LinearWalk", "NonlinearWalk", "walk_loss", "fit_walk", "walk_error"]

Transform = Callable[[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]


def brightness(images: torch.Tensor, alpha: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Add alpha (B,) to every pixel of images (B, 3, S, S) in [0, 1], clipped; every pixel counts."""
    target = (images + alpha.to(images)[:, None, None, None]).clamp(0, 1)
    return target, torch.ones_like(images)


def _resample(images: torch.Tensor, scale: torch.Tensor, offset: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Sample images at x' = x / scale - offset (normalised coordinates); pixels that came from
    outside the frame are masked out."""
    theta = torch.zeros(len(images), 2, 3, dtype=images.dtype, device=images.device)
    theta[:, 0, 0] = theta[:, 1, 1] = 1 / scale
    theta[:, 0, 2] = -offset
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    target = F.grid_sample(images, grid, align_corners=False, padding_mode="zeros")
    inside = F.grid_sample(torch.ones_like(images), grid, align_corners=False, padding_mode="zeros")
    return target, (inside > 0.999).to(images)


def shift(images: torch.Tensor, alpha: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Move the content of images (B, 3, S, S) right by alpha (B,) half-widths (alpha = 0.25: S/8 pixels)."""
    alpha = alpha.to(images)
    return _resample(images, torch.ones_like(alpha), alpha)


def zoom(images: torch.Tensor, alpha: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Zoom images (B, 3, S, S) about their centre by the factor 2**alpha (B,) (alpha > 0: closer)."""
    alpha = alpha.to(images)
    return _resample(images, 2 ** alpha, torch.zeros_like(alpha))


class LinearWalk(nn.Module):
    """w -> w + alpha d: one learned direction d (w_dim,), starting at 0."""

    def __init__(self, w_dim: int):
        super().__init__()
        self.direction = nn.Parameter(torch.zeros(w_dim))

    def forward(self, w: torch.Tensor, alpha: torch.Tensor) -> torch.Tensor:
        """w (B, w_dim), alpha (B,) -> walked codes (B, w_dim)."""
        return w + alpha[:, None] * self.direction


class NonlinearWalk(nn.Module):
    """w -> n steps along a learned vector field: w_{t+1} = w_t + sign(alpha) g(w_t).

    n = round(|alpha| / step): each step of g walks `step` units of alpha, and where it goes
    depends on where the code is (a linear walk goes the same way everywhere). g is a small
    MLP (w_dim -> hidden -> w_dim) whose last layer starts at 0, so the walk starts as "do nothing".
    """

    def __init__(self, w_dim: int, hidden: int = 64, step: float = 0.1):
        super().__init__()
        self.step = step
        self.field = nn.Sequential(nn.Linear(w_dim, hidden), nn.LeakyReLU(0.2), nn.Linear(hidden, w_dim))
        nn.init.zeros_(self.field[-1].weight)
        nn.init.zeros_(self.field[-1].bias)

    def forward(self, w: torch.Tensor, alpha: torch.Tensor) -> torch.Tensor:
        """w (B, w_dim), alpha (B,) -> walked codes (B, w_dim)."""
        n_steps = (alpha.abs() / self.step).round()                       # (B,)
        direction = torch.sign(alpha)[:, None]
        for t in range(int(n_steps.max().item()) if len(alpha) else 0):
            moving = (t < n_steps).to(w)[:, None]                        # codes still walking
            w = w + moving * direction * self.field(w)
        return w


def walk_loss(walk: nn.Module, render: Callable[[torch.Tensor], torch.Tensor], w: torch.Tensor,
              transform: Transform, alpha: torch.Tensor) -> torch.Tensor:
    """Masked mean squared error between render(walk(w, alpha)) and transform(render(w), alpha)."""
    with torch.no_grad():
        target, mask = transform(render(w), alpha)
    error = (render(walk(w, alpha)) - target).pow(2) * mask
    return error.sum() / mask.sum().clamp_min(1)


def fit_walk(walk: nn.Module, render: Callable[[torch.Tensor], torch.Tensor], w: torch.Tensor,
             transform: Transform, max_alpha: float, steps: int = 60, batch_size: int = 16, lr: float = 0.05,
             generator: torch.Generator | None = None, progress: bool = True) -> list[float]:
    """Train `walk` (in place) with Adam so that walked images match the transform.

    Each step draws batch_size codes from w (N, w_dim) and alpha ~ U[-max_alpha, max_alpha] on
    the CPU generator. The generator behind `render` stays frozen. Returns the loss per step.
    """
    generator = torch.Generator().manual_seed(0) if generator is None else generator
    optimizer = torch.optim.Adam(walk.parameters(), lr=lr)
    losses = []
    for _ in tqdm(range(steps), desc=f"{type(walk).__name__} ({getattr(transform, '__name__', 'edit')})",
                  disable=not progress):
        index = torch.randint(len(w), (batch_size,), generator=generator)
        alpha = (2 * torch.rand(batch_size, generator=generator) - 1) * max_alpha
        loss = walk_loss(walk, render, w[index], transform, alpha.to(w.device))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


@torch.no_grad()
def walk_error(walk: nn.Module, render: Callable[[torch.Tensor], torch.Tensor], w: torch.Tensor,
               transform: Transform, alphas: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """For each alpha (m,): the masked MSE to the target of the walked images and of the
    unmoved images (the "do nothing" baseline). Returns two tensors (m,)."""
    walked, unmoved = [], []
    for alpha in alphas.tolist():
        a = torch.full((len(w),), alpha, device=w.device)
        target, mask = transform(render(w), a)
        for images, out in ((render(walk(w, a)), walked), (render(w), unmoved)):
            out.append(((images - target).pow(2) * mask).sum().item() / mask.sum().clamp_min(1).item())
    return torch.tensor(walked), torch.tensor(unmoved)

"""Edit codes of a style generator along directions, and measure the effect with the predictor.

Every direction-finding method of the course (InterFaceGAN, SeFa, GANSpace, ...) ends in the
same two steps, which live here so that all methods are measured on one scale:

    z, w = sample_latents(G, 500, generator)                  # codes in Z and in W
    ws = edit_ws(broadcast_ws(G, w), direction, 3.0, layers=range(0, 3))   # W+ edit of layers 0-2
    effects = direction_effects(G, predictor, w, directions, 3.0)          # (k, n_factors)

`effects[i, j]` is the mean change of factor j (as the attribute predictor reads it, in [0, 1]
units) when codes move `strength` along direction i; `purity` says how much of a direction's
effect goes to its main factor.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch
import torch.nn as nn

__all__ = ["sample_latents", "broadcast_ws", "edit_ws", "render_ws", "direction_changes", "direction_effects", "purity"]


@torch.no_grad()
def sample_latents(G: nn.Module, n: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """n random codes: z (n, z_dim) ~ N(0, I) drawn on the CPU from `generator`, and w = mapping(z)
    (n, w_dim), both on G's device."""
    device = next(G.parameters()).device
    z = torch.randn(n, G.z_dim, generator=generator).to(device)
    return z, G.mapping(z)


def broadcast_ws(G: nn.Module, w: torch.Tensor) -> torch.Tensor:
    """w (n, w_dim) -> ws (n, num_ws, w_dim): the same w at every layer (the W-space image)."""
    return w[:, None].expand(-1, G.num_ws, -1).clone()


def edit_ws(ws: torch.Tensor, direction: torch.Tensor, strength: float | torch.Tensor,
            layers: Iterable[int] | None = None) -> torch.Tensor:
    """ws (n, num_ws, w_dim) moved by strength * direction (w_dim,) on `layers` (default: all).

    strength: a number, or a tensor (n,) with one strength per code. Returns a new tensor.
    """
    strength = torch.as_tensor(strength, dtype=ws.dtype, device=ws.device).reshape(-1, 1)   # (n or 1, 1)
    chosen = torch.zeros(ws.shape[1], dtype=torch.bool, device=ws.device)
    chosen[list(range(ws.shape[1])) if layers is None else list(layers)] = True
    step = strength * direction.to(ws)                                                        # (n or 1, w_dim)
    return ws + chosen[None, :, None] * step[:, None, :]


@torch.no_grad()
def render_ws(G: nn.Module, ws: torch.Tensor, batch_size: int = 256) -> torch.Tensor:
    """ws (n, num_ws, w_dim) -> images (n, 3, S, S), in batches, without gradients."""
    return torch.cat([G.synthesis(ws[i:i + batch_size]) for i in range(0, len(ws), batch_size)])


@torch.no_grad()
def direction_changes(G: nn.Module, predictor: nn.Module, w: torch.Tensor, directions: torch.Tensor,
                      strength: float, layers: Iterable[int] | None = None) -> torch.Tensor:
    """What each direction does to each code, as the predictor sees it: (k, n, n_factors).

    w: codes (n, w_dim); directions: (k, w_dim). Entry [i, c, j] is predictor factor j of code c
    after moving `strength` along direction i, minus before. Keep the codes' axis to put an
    interval on an effect (gentut.evidence); `direction_effects` averages it away.
    """
    layers = None if layers is None else list(layers)
    ws = broadcast_ws(G, w)
    before = predictor.predict(render_ws(G, ws))                                  # (n, n_factors)
    return torch.stack([predictor.predict(render_ws(G, edit_ws(ws, d, strength, layers))) - before
                        for d in directions])


def direction_effects(G: nn.Module, predictor: nn.Module, w: torch.Tensor, directions: torch.Tensor,
                      strength: float, layers: Iterable[int] | None = None) -> torch.Tensor:
    """What each direction does, as the predictor sees it: (k, n_factors).

    w: codes (n, w_dim); directions: (k, w_dim). Entry [i, j] is the mean over the codes of
    predictor factor j after moving `strength` along direction i minus before.
    """
    return direction_changes(G, predictor, w, directions, strength, layers).mean(1)


def purity(effects: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """For effects (k, n_factors): the main factor of each direction (k,) and its share of the
    total absolute effect (k,), in [1 / n_factors, 1]; 1 means the direction moves one factor only."""
    magnitude = effects.abs()
    return magnitude.argmax(1), magnitude.max(1).values / magnitude.sum(1).clamp_min(1e-12)

"""Unsupervised discovery of interpretable directions (Voynov & Babenko, ICML 2020).

Two networks play a game over a frozen generator. The *deformator* A holds K candidate
directions; the *reconstructor* R sees an image pair (G(w), G(w + eps A_k)) and must say which
direction k was used and how far, eps:

    min_{A, R}  E_{w, k, eps} [ L_cl(k, k_hat) + lambda L_r(eps, eps_hat) ]

Directions that change the image in distinct, recognisable ways make R's job easy, so A is
pushed towards them. Here A's K rows are orthonormal directions in W (the paper's "ortho"
deformator; `orthogonal=False` only normalises each), L_cl is cross-entropy, L_r the absolute
error, lambda = 0.25 (as in the authors' code, which trains 100,000 steps of 32 pairs).

    deformator, reconstructor = Deformator(K, G.w_dim), Reconstructor(K)
    history = fit_discovery(deformator, reconstructor, render, w, steps=80, max_shift=2.0, generator=generator)
    deformator.directions()       # (K, w_dim) unit rows
"""

from __future__ import annotations

from typing import Callable

import torch
import torch.nn as nn
import torch.nn.functional as F
from gentut.progress import tqdm

__all__ = ["Deformator", "Reconstructor", "sample_shifts", "discovery_loss", "fit_discovery", "reconstructor_accuracy"]


class Deformator(nn.Module):
    """K learnable unit directions in W: shift(k, eps) = eps * A_k.

    orthogonal: keep the directions orthonormal (the paper's "ortho" deformator, here through a
    QR decomposition), so that they cannot all collapse onto the one most visible change.
    """

    def __init__(self, n_directions: int, w_dim: int, orthogonal: bool = True,
                 generator: torch.Generator | None = None):
        super().__init__()
        if orthogonal and n_directions > w_dim:
            raise ValueError(f"at most w_dim = {w_dim} orthogonal directions, got n_directions = {n_directions}")
        self.orthogonal = orthogonal
        generator = torch.Generator().manual_seed(0) if generator is None else generator
        start = torch.randn(n_directions, w_dim, generator=generator)
        self.weight = nn.Parameter(start / start.norm(dim=1, keepdim=True))

    @property
    def n_directions(self) -> int:
        return len(self.weight)

    def directions(self) -> torch.Tensor:
        """The K unit directions (K, w_dim)."""
        if self.orthogonal:
            q, r = torch.linalg.qr(self.weight.T)                  # (w_dim, K), (K, K)
            return (q * torch.sign(torch.diagonal(r))).T           # signs: A_k stays close to weight_k
        return self.weight / self.weight.norm(dim=1, keepdim=True)

    def forward(self, k: torch.Tensor, eps: torch.Tensor) -> torch.Tensor:
        """Direction indices k (B,) and magnitudes eps (B,) -> shifts (B, w_dim)."""
        return eps[:, None] * self.directions()[k]


class Reconstructor(nn.Module):
    """An image pair (B, 3, S, S) x 2 -> logits over the K directions (B, K) and eps_hat (B,).

    A small CNN on the first image and the difference (after - before), stacked as 6 channels:
    three stride-2 convolutions, global average pooling, one linear layer with K + 1 outputs.
    """

    def __init__(self, n_directions: int, width: int = 16):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(6, width, 3, stride=2, padding=1), nn.LeakyReLU(0.2),
            nn.Conv2d(width, 2 * width, 3, stride=2, padding=1), nn.LeakyReLU(0.2),
            nn.Conv2d(2 * width, 2 * width, 3, stride=2, padding=1), nn.LeakyReLU(0.2))
        self.head = nn.Linear(2 * width, n_directions + 1)

    def forward(self, before: torch.Tensor, after: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(B, 3, S, S), (B, 3, S, S) -> (logits (B, K), eps_hat (B,))."""
        out = self.head(self.features(torch.cat([before, after - before], 1)).mean((2, 3)))
        return out[:, :-1], out[:, -1]


def sample_shifts(batch_size: int, n_directions: int, max_shift: float, generator: torch.Generator,
                  min_shift: float = 0.25) -> tuple[torch.Tensor, torch.Tensor]:
    """Random direction indices k (B,) and signed magnitudes eps (B,) with min_shift <= |eps| <= max_shift."""
    k = torch.randint(n_directions, (batch_size,), generator=generator)
    size = min_shift + (max_shift - min_shift) * torch.rand(batch_size, generator=generator)
    sign = 2.0 * torch.randint(0, 2, (batch_size,), generator=generator) - 1
    return k, sign * size


def discovery_loss(deformator: Deformator, reconstructor: Reconstructor, render: Callable[[torch.Tensor], torch.Tensor],
                   w: torch.Tensor, k: torch.Tensor, eps: torch.Tensor,
                   shift_weight: float = 0.25) -> tuple[torch.Tensor, torch.Tensor]:
    """L_cl + shift_weight * L_r on codes w (B, w_dim); returns (loss, share of k guessed right)."""
    with torch.no_grad():
        before = render(w)
    after = render(w + deformator(k, eps))
    logits, eps_hat = reconstructor(before, after)
    loss = F.cross_entropy(logits, k) + shift_weight * (eps_hat - eps).abs().mean()
    return loss, (logits.argmax(1) == k).float().mean()


def fit_discovery(deformator: Deformator, reconstructor: Reconstructor, render: Callable[[torch.Tensor], torch.Tensor],
                  w: torch.Tensor, steps: int = 60, batch_size: int = 16, max_shift: float = 2.0,
                  lr: float = 1e-2, deformator_lr: float = 0.05, generator: torch.Generator | None = None,
                  progress: bool = True) -> dict[str, list[float]]:
    """Train deformator and reconstructor together with Adam on codes drawn from w (N, w_dim).

    The generator behind `render` (codes (B, w_dim) -> images) stays frozen. Returns the loss and
    the reconstructor's batch accuracy per step.
    """
    generator = torch.Generator().manual_seed(0) if generator is None else generator
    device = w.device
    optimizer = torch.optim.Adam([{"params": deformator.parameters(), "lr": deformator_lr},
                                  {"params": reconstructor.parameters(), "lr": lr}])
    history: dict[str, list[float]] = {"loss": [], "accuracy": []}
    for _ in tqdm(range(steps), desc="deformator + reconstructor", disable=not progress):
        index = torch.randint(len(w), (batch_size,), generator=generator)
        k, eps = sample_shifts(batch_size, deformator.n_directions, max_shift, generator)
        loss, accuracy = discovery_loss(deformator, reconstructor, render, w[index], k.to(device), eps.to(device))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        history["loss"].append(loss.item())
        history["accuracy"].append(accuracy.item())
    return history


@torch.no_grad()
def reconstructor_accuracy(deformator: Deformator, reconstructor: Reconstructor,
                           render: Callable[[torch.Tensor], torch.Tensor], w: torch.Tensor, max_shift: float,
                           generator: torch.Generator) -> float:
    """Share of held-out pairs (one per code of w (N, w_dim)) whose direction R names correctly."""
    k, eps = sample_shifts(len(w), deformator.n_directions, max_shift, generator)
    return discovery_loss(deformator, reconstructor, render, w, k.to(w.device), eps.to(w.device))[1].item()

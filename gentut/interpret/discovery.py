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

The zoo ships a trained pair, `zoo.load("faces_discovery")` (a `DiscoveryModel`, trained by
`python -m gentut.train faces_discovery` through `train_discovery`), with its training curve.
It follows the authors' protocol (anvoynov/GANLatentDiscovery, trainer.py and run_train.py) in
the loss (cross-entropy + 0.25 |eps_hat - eps|), the batch of 32 pairs, the orthonormal
deformator, shifts in W for a style-based generator (their `--w_shift`) and the shift range: up
to 6 typical standard deviations of the codes (their shift_scale 6 on N(0, I) codes), at least
0.5 (their min_shift). Where it deviates, and why:
* K = 8 directions, not all 64: eight, like the eight face factors, so that section 5 of
  notebook 06 can compare them with 8 directions of every other method;
* 2,000 steps with learning rates 1e-3 (reconstructor) and 1e-2 (deformator) instead of
  100,000 steps at 1e-4: 50 times fewer steps on a laptop CPU, taken larger;
* a small CNN reconstructor (three strided convolutions) for 32x32 images instead of their default
  ResNet-18 (their LeNet option for small images is the closer match), fed the first image and
  the difference rather than the two images;
* orthonormality through a QR decomposition instead of the exponential of a skew-symmetric
  matrix; magnitudes uniform in [min, max] instead of uniform in [-max, max] with the small ones
  raised to min.
"""

from __future__ import annotations

from typing import Callable

import torch
import torch.nn as nn
import torch.nn.functional as F
from gentut.progress import tqdm

__all__ = ["Deformator", "Reconstructor", "sample_shifts", "discovery_loss", "fit_discovery", "reconstructor_accuracy",
           "DiscoveryModel", "train_discovery", "evaluate_discovery", "window_means"]


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


class DiscoveryModel(nn.Module):
    """A trained deformator and reconstructor in one zoo model, with what they were trained on.

    Buffers (saved with the weights): `max_shift` and `min_shift` (the shift range in W units),
    and `history` (2, history_points): the loss and the batch accuracy, each averaged over
    `history_points` equal windows of the training steps (the recorded training curve).
    """

    def __init__(self, n_directions: int = 8, w_dim: int = 64, width: int = 32, history_points: int = 50):
        super().__init__()
        self.deformator = Deformator(n_directions, w_dim)
        self.reconstructor = Reconstructor(n_directions, width)
        self.register_buffer("max_shift", torch.zeros(()))
        self.register_buffer("min_shift", torch.zeros(()))
        self.register_buffer("history", torch.zeros(2, history_points))

    def directions(self) -> torch.Tensor:
        """The K discovered unit directions in W (K, w_dim)."""
        return self.deformator.directions()


def window_means(values: list[float], n_windows: int) -> torch.Tensor:
    """The means of `values` over n_windows consecutive, (nearly) equal windows: (n_windows,).

    With fewer values than windows (a 3-step dry run) each window holds the value nearest to it.
    """
    if not values:
        raise ValueError("need at least one value")
    x = torch.tensor(values, dtype=torch.float32)
    if len(x) < n_windows:
        return x[torch.linspace(0, len(x) - 1, n_windows).round().long()]
    return torch.stack([chunk.mean() for chunk in x.tensor_split(n_windows)])


def style_render(G: nn.Module) -> Callable[[torch.Tensor], torch.Tensor]:
    """Codes w (B, w_dim) -> images (B, 3, S, S) of a style generator, the same w at every layer."""
    return lambda w: G.synthesis(w[:, None].expand(-1, G.num_ws, -1))


def train_discovery(model: DiscoveryModel, G: nn.Module, *, steps: int, batch_size: int = 32, lr: float = 1e-3,
                    deformator_lr: float = 1e-2, max_shift_std: float = 6.0, min_shift_std: float = 0.5,
                    shift_weight: float = 0.25, generator: torch.Generator, **run_args) -> list[dict[str, float]]:
    """Train model's deformator and reconstructor over the frozen style generator G (the recipe "discovery").

    Every step draws fresh codes w = G.mapping(z) (B, w_dim), directions k and shifts eps with
    max_shift_std * sigma >= |eps| >= min_shift_std * sigma, sigma the codes' typical std
    (gentut.interpret.compare.typical_std of 10,000 codes). run_args go to gentut.recipes.run_steps
    (progress bar, NaN stop, resumable state). Fills model.max_shift, min_shift and history;
    returns the history, {"loss", "accuracy"} per step.
    """
    from gentut.interpret.compare import typical_std
    from gentut.recipes import run_steps
    device = next(G.parameters()).device
    with torch.no_grad():
        sigma = typical_std(G.mapping(torch.randn(10000, G.z_dim, generator=generator).to(device)))
    model.max_shift.fill_(max_shift_std * sigma)
    model.min_shift.fill_(min_shift_std * sigma)
    render = style_render(G)
    optimizer = torch.optim.Adam([{"params": model.deformator.parameters(), "lr": deformator_lr},
                                  {"params": model.reconstructor.parameters(), "lr": lr}])

    def step_fn(step: int) -> dict[str, float]:
        with torch.no_grad():
            w = G.mapping(torch.randn(batch_size, G.z_dim, generator=generator).to(device))       # (B, w_dim)
        k, eps = sample_shifts(batch_size, model.deformator.n_directions, model.max_shift.item(), generator,
                               model.min_shift.item())
        loss, accuracy = discovery_loss(model.deformator, model.reconstructor, render, w, k.to(device),
                                        eps.to(device), shift_weight)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return {"loss": loss.item(), "accuracy": accuracy.item()}

    history = run_steps(step_fn, steps=steps, modules={"model": model}, optimizers={"model": optimizer},
                        generator=generator, **run_args)
    n_points = model.history.shape[1]
    model.history.copy_(torch.stack([window_means([h[key] for h in history], n_points)
                                     for key in ("loss", "accuracy")]).to(model.history))
    return history


@torch.no_grad()
def evaluate_discovery(model: DiscoveryModel, G: nn.Module, generator: torch.Generator, n: int = 1024) -> dict[str, float]:
    """Held-out accuracy of the reconstructor: n fresh codes of G, one random pair each, the trained shift range."""
    device = next(G.parameters()).device
    w = G.mapping(torch.randn(n, G.z_dim, generator=generator).to(device))
    k, eps = sample_shifts(n, model.deformator.n_directions, model.max_shift.item(), generator, model.min_shift.item())
    correct = [discovery_loss(model.deformator, model.reconstructor, style_render(G), w[i:i + 256],
                              k[i:i + 256].to(device), eps[i:i + 256].to(device))[1].item() * len(w[i:i + 256])
               for i in range(0, n, 256)]
    return {"heldout_accuracy": sum(correct) / n, "chance": 1 / model.deformator.n_directions}

"""GAN Lab in a notebook: GANs on 2-D mixtures of Gaussians, where every sample can be seen.

    data = RingMixture()                                   # 8 Gaussians on a circle
    run = train_2d_gan(data, loss="nonsaturating", steps=2000, generator=g)
    run.snapshots[k].samples, run.snapshots[k].surface     # what G draws, what D believes
    mode_coverage(run.snapshots[-1].samples, data)         # how many of the 8 modes G reaches

Two objectives: the original GAN with the non-saturating generator loss (Goodfellow et al.
2014), and WGAN-GP (Gulrajani et al. 2017) with the paper's settings: lambda = 10, n_critic = 5,
Adam(lr = 1e-4, betas = (0, 0.9)).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
import torch.nn as nn
from gentut.progress import tqdm

from gentut.losses import d_logistic_loss, g_nonsaturating_loss, gradient_penalty, wgan_critic_loss
from gentut.runtime import seeded_from
from gentut.training import TrainingDiverged

__all__ = ["GaussianMixture2D", "ring_mixture", "grid_mixture", "mlp", "Snapshot", "GANRun", "train_2d_gan",
           "decision_surface", "mode_coverage", "train_discriminator"]

EXTENT = 3.0          # snapshots evaluate D on the square [-EXTENT, EXTENT]^2


@dataclass
class GaussianMixture2D:
    """Equal-weight isotropic Gaussians at `centres` (K, 2) with standard deviation `std`."""

    centres: torch.Tensor
    std: float

    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """n points (n, 2): pick a centre uniformly, add N(0, std^2 I)."""
        which = torch.randint(len(self.centres), (n,), generator=generator)
        return self.centres[which] + self.std * torch.randn(n, 2, generator=generator)

    def density(self, points: torch.Tensor) -> torch.Tensor:
        """p(x) at points (..., 2) -> (...)."""
        sq = (points[..., None, :] - self.centres).pow(2).sum(-1)                # (..., K)
        return torch.exp(-sq / (2 * self.std ** 2)).mean(-1) / (2 * math.pi * self.std ** 2)


def ring_mixture(k: int = 8, radius: float = 2.0, std: float = 0.05) -> GaussianMixture2D:
    """k Gaussians evenly spaced on a circle of `radius`."""
    angles = torch.arange(k) * 2 * math.pi / k
    return GaussianMixture2D(radius * torch.stack([angles.cos(), angles.sin()], 1), std)


def grid_mixture(side: int = 5, spacing: float = 1.0, std: float = 0.05) -> GaussianMixture2D:
    """side x side Gaussians on a square grid centred at the origin."""
    ticks = (torch.arange(side) - (side - 1) / 2) * spacing
    return GaussianMixture2D(torch.cartesian_prod(ticks, ticks), std)


def mlp(n_in: int, n_out: int, hidden: int = 128, n_hidden: int = 3) -> nn.Sequential:
    """A ReLU multilayer perceptron (B, n_in) -> (B, n_out) with `n_hidden` hidden layers."""
    sizes = [n_in] + [hidden] * n_hidden
    layers: list[nn.Module] = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(a, b), nn.ReLU()]
    return nn.Sequential(*layers, nn.Linear(sizes[-1], n_out))


@dataclass
class Snapshot:
    """The state of a run at one step: G's samples (n, 2) and D's output on a grid (res, res)."""

    step: int
    samples: torch.Tensor
    surface: torch.Tensor


@dataclass
class GANRun:
    """A trained 2-D GAN: generator, discriminator (or critic), snapshots and the loss history.

    G and D are None for a run read back from a recording (gentut.gan2d_lab), which keeps only
    the snapshots.
    """

    G: nn.Module | None
    D: nn.Module | None
    snapshots: list[Snapshot] = field(default_factory=list)
    history: list[dict[str, float]] = field(default_factory=list)


@torch.no_grad()
def decision_surface(D: nn.Module, resolution: int = 64, extent: float = EXTENT) -> torch.Tensor:
    """D's raw output on a resolution x resolution grid over [-extent, extent]^2 (row = y, top = +y)."""
    ticks = torch.linspace(-extent, extent, resolution)
    ys, xs = torch.meshgrid(ticks.flip(0), ticks, indexing="ij")
    return D(torch.stack([xs, ys], -1).reshape(-1, 2)).reshape(resolution, resolution)


def train_2d_gan(data: GaussianMixture2D, *, loss: str = "nonsaturating", steps: int = 2000,
                 batch_size: int = 256, z_dim: int = 2, generator: torch.Generator,
                 snapshot_every: int = 100, n_snapshot_samples: int = 1000, progress: bool = True,
                 lr: float | None = None, hidden: int = 128, surface_resolution: int = 64) -> GANRun:
    """Train a small MLP GAN on `data` and keep snapshots every `snapshot_every` steps.

    loss: "nonsaturating" (D: logistic, G: -log D(G(z)); Adam betas (0.5, 0.999), one D step
    per G step) or "wgan-gp" (the paper's lambda = 10, n_critic = 5, Adam betas (0, 0.9)).
    lr: Adam's learning rate; default 2e-4 (DCGAN) and 1e-4 (WGAN-GP), the papers' values for
    images. G and D are MLPs with 3 hidden layers of `hidden` units; z ~ N(0, I) of `z_dim`.
    Each snapshot keeps G(fixed z) for `n_snapshot_samples` codes and D on a
    `surface_resolution`^2 grid.
    """
    if loss not in ("nonsaturating", "wgan-gp"):
        raise ValueError(f"loss must be 'nonsaturating' or 'wgan-gp', got {loss!r}")
    wgan = loss == "wgan-gp"
    with seeded_from(generator):                  # initialise the nets from `generator`, not the global RNG
        G, D = mlp(z_dim, 2, hidden), mlp(2, 1, hidden)
    betas = (0.0, 0.9) if wgan else (0.5, 0.999)
    lr = lr if lr is not None else (1e-4 if wgan else 2e-4)
    opt_g = torch.optim.Adam(G.parameters(), lr=lr, betas=betas)
    opt_d = torch.optim.Adam(D.parameters(), lr=lr, betas=betas)
    critic = lambda x: D(x).squeeze(1)
    fixed_z = torch.randn(n_snapshot_samples, z_dim, generator=generator)
    run = GANRun(G, D)

    def snapshot(step: int) -> None:
        with torch.no_grad():
            run.snapshots.append(Snapshot(step, G(fixed_z), decision_surface(D, surface_resolution)))

    for step in tqdm(range(steps), desc=loss, disable=not progress):      # the bar ends at steps/steps
        if step % snapshot_every == 0:
            snapshot(step)
        for _ in range(5 if wgan else 1):                                 # n_critic
            real = data.sample(batch_size, generator)
            with torch.no_grad():
                fake = G(torch.randn(batch_size, z_dim, generator=generator))
            if wgan:
                d_loss = wgan_critic_loss(critic(real), critic(fake)) + 10 * gradient_penalty(critic, real, fake, generator)
            else:
                d_loss = d_logistic_loss(critic(real), critic(fake))
            opt_d.zero_grad()
            d_loss.backward()
            opt_d.step()
        scores = critic(G(torch.randn(batch_size, z_dim, generator=generator)))
        g_loss = -scores.mean() if wgan else g_nonsaturating_loss(scores)
        opt_g.zero_grad()
        g_loss.backward()
        opt_g.step()
        if not (torch.isfinite(d_loss) and torch.isfinite(g_loss)):
            raise TrainingDiverged(f"{loss}: non-finite loss at step {step}; lower the learning rate")
        run.history.append({"d": d_loss.item(), "g": g_loss.item()})
    if steps % snapshot_every == 0:
        snapshot(steps)                                                    # the trained state
    return run


def mode_coverage(samples: torch.Tensor, data: GaussianMixture2D, n_std: float = 3.0,
                  min_share: float = 0.01) -> dict[str, float]:
    """How well samples (n, 2) cover the mixture (the metrics of Srivastava et al. 2017, VEEGAN).

    high_quality: share of samples within n_std standard deviations of some centre;
    modes: number of centres that receive at least `min_share` of the samples that way
    (out of K); kl_modes: KL(sample mode histogram || uniform) over the high-quality samples.
    """
    distances = torch.cdist(samples, data.centres)                          # (n, K)
    nearest = distances.argmin(1)
    good = distances.min(1).values < n_std * data.std
    counts = torch.bincount(nearest[good], minlength=len(data.centres)).float()
    shares = counts / max(len(samples), 1)
    hist = counts / counts.sum().clamp_min(1)
    kl = (hist[hist > 0] * (hist[hist > 0] * len(data.centres)).log()).sum().item()
    return {"high_quality": good.float().mean().item(), "modes": int((shares >= min_share).sum()),
            "kl_modes": kl}


def train_discriminator(real: torch.Tensor, fake: torch.Tensor, *, steps: int = 1500, lr: float = 3e-3,
                        batch_size: int = 512, generator: torch.Generator, progress: bool = True) -> nn.Module:
    """Fit D alone (G fixed) with the GAN's discriminator loss: real, fake (N, d) -> D, logits (B, d) -> (B, 1).

    Its optimum is D*(x) = p_data(x) / (p_data(x) + p_G(x)) (Goodfellow et al. 2014, prop. 1),
    which notebook 03 checks against the trained sigmoid(D(x)).
    """
    with seeded_from(generator):                  # initialise the nets from `generator`, not the global RNG
        D = mlp(real.shape[1], 1, hidden=64)
    optimizer = torch.optim.Adam(D.parameters(), lr=lr)
    for _ in tqdm(range(steps), desc="discriminator", disable=not progress):
        r = real[torch.randint(len(real), (batch_size,), generator=generator)]
        f = fake[torch.randint(len(fake), (batch_size,), generator=generator)]
        loss = d_logistic_loss(D(r).squeeze(1), D(f).squeeze(1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return D.eval()

"""InfoGAN (Chen et al. 2016) in two dimensions: a latent code that finds the data's factor unasked.

A GAN's generator reads noise z and, here, a categorical code c (one of k, one-hot). Nothing in
the GAN game makes G use c: it can ignore it. InfoGAN adds a network Q that guesses c from the
generated sample and rewards G when the guess is right,

    min_{G,Q} max_D  V(D, G) - lambda * L_I(G, Q),   L_I = E_{c, z} [ log Q(c | G(z, c)) ]

(L_I is a variational lower bound on the mutual information I(c; G(z, c)), up to the entropy of c).
To be guessable from the sample, c must change the sample in a way the data allows: on a ring
of k Gaussians, the natural way is one mode per code. Nobody told it the modes exist.

    run = train_infogan_2d(ring_mixture(8), info_weight=1.0, generator=torch.Generator().manual_seed(0))
    agreement = code_mode_agreement(run.G, ring_mixture(8), k=8)    # 1.0: each code owns one mode

Deviation from the paper: Q is its own small MLP instead of a head sharing D's layers (on 2-D
points the shared trunk buys nothing and would couple the two losses in a way that needs tuning).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from scipy.optimize import linear_sum_assignment
from gentut.progress import tqdm

from gentut.gan2d import GaussianMixture2D, mlp
from gentut.losses import d_logistic_loss, g_nonsaturating_loss
from gentut.runtime import seeded_from

__all__ = ["InfoGANRun", "train_infogan_2d", "generate", "code_mode_agreement"]


@dataclass
class InfoGANRun:
    """A trained 2-D InfoGAN: G (z_dim + k -> 2), D (2 -> 1), Q (2 -> k logits), the loss history."""

    G: nn.Module
    D: nn.Module
    Q: nn.Module
    k: int
    z_dim: int
    history: list[dict[str, float]] = field(default_factory=list)


def generate(G: nn.Module, codes: torch.Tensor, k: int, z_dim: int, generator: torch.Generator) -> torch.Tensor:
    """Samples (n, 2) of G for categorical codes (n,) in 0 .. k-1, with fresh noise z (n, z_dim)."""
    z = torch.randn(len(codes), z_dim, generator=generator)
    return G(torch.cat([z, F.one_hot(codes, k).float()], 1))


def train_infogan_2d(data: GaussianMixture2D, *, k: int = 8, info_weight: float = 1.0, steps: int = 2000,
                     batch_size: int = 256, z_dim: int = 2, lr: float = 2e-4, hidden: int = 128,
                     generator: torch.Generator, progress: bool = True) -> InfoGANRun:
    """Train an InfoGAN with one categorical code of k values on 2-D `data`.

    The GAN part is gentut.gan2d's non-saturating GAN (Adam betas (0.5, 0.999), one D step per G
    step). info_weight is lambda: 0 gives a plain GAN that is merely *fed* the code.
    """
    with seeded_from(generator):                  # initialise the nets from `generator`, not the global RNG
        G, D, Q = mlp(z_dim + k, 2, hidden), mlp(2, 1, hidden), mlp(2, k, hidden)
    opt_d = torch.optim.Adam(D.parameters(), lr=lr, betas=(0.5, 0.999))
    opt_gq = torch.optim.Adam([*G.parameters(), *Q.parameters()], lr=lr, betas=(0.5, 0.999))
    run = InfoGANRun(G, D, Q, k, z_dim)
    with torch.enable_grad():                      # also when the caller switched gradients off
        for _ in tqdm(range(steps), desc=f"InfoGAN (lambda={info_weight:g})", disable=not progress):
            codes = torch.randint(k, (batch_size,), generator=generator)
            real = data.sample(batch_size, generator)
            with torch.no_grad():
                fake = generate(G, codes, k, z_dim, generator)
            d_loss = d_logistic_loss(D(real).squeeze(1), D(fake).squeeze(1))
            opt_d.zero_grad()
            d_loss.backward()
            opt_d.step()

            codes = torch.randint(k, (batch_size,), generator=generator)
            fake = generate(G, codes, k, z_dim, generator)
            info_loss = F.cross_entropy(Q(fake), codes)                 # -L_I, up to the constant H(c)
            g_loss = g_nonsaturating_loss(D(fake).squeeze(1))
            opt_gq.zero_grad()
            (g_loss + info_weight * info_loss).backward()
            opt_gq.step()
            run.history.append({"d": d_loss.item(), "g": g_loss.item(), "info": info_loss.item()})
    return run


@torch.no_grad()
def code_mode_agreement(G: nn.Module, data: GaussianMixture2D, k: int, z_dim: int, n_per_code: int = 500,
                        generator: torch.Generator | None = None) -> tuple[float, np.ndarray]:
    """How well the codes line up with the mixture's modes, after the best one-to-one matching.

    Draws n_per_code samples per code, assigns each to its nearest mode centre, and counts
    (k, n_modes) codes x modes. Returns (agreement, counts): agreement is the share of samples
    whose mode is the one matched to their code (Hungarian matching), 1.0 when every code owns
    its own mode; about 1 / k when the code is ignored and the modes are evenly covered.
    """
    generator = generator or torch.Generator().manual_seed(0)
    codes = torch.arange(k).repeat_interleave(n_per_code)
    samples = generate(G, codes, k, z_dim, generator)
    modes = torch.cdist(samples, data.centres).argmin(1)
    counts = np.zeros((k, len(data.centres)), dtype=np.int64)
    np.add.at(counts, (codes.numpy(), modes.numpy()), 1)
    rows, cols = linear_sum_assignment(-counts)
    return float(counts[rows, cols].sum() / counts.sum()), counts

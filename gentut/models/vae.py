"""Variational autoencoders (Kingma & Welling 2014): encode -> reparameterize -> decode.

    q(z | x) = N(mu(x), diag(exp(logvar(x))))      the encoder
    z = mu + exp(logvar / 2) * eps,  eps ~ N(0, I) the reparameterization trick
    p(x | z)                                       the decoder

`ConvVAE` works on the kit's RGB images (32x32 or 64x64); `MLPVAE` on flattened 8x8 digits.
The losses (ELBO terms) are in `gentut.losses`.

For notebook 02, on the binarized digits:
    MLPAutoencoder     a plain autoencoder: x -> z -> x, no prior on z (so nothing to sample from)
    score_function_gradient, reparameterized_gradient
                       two estimators of d/dmu E_{z ~ N(mu, sigma^2)} f(z), compared in notebook 02
    VectorQuantizer, straight_through, VQVAE
                       discrete codes (van den Oord et al. 2017, "Neural Discrete Representation Learning")
"""

from __future__ import annotations

import torch
import torch.nn as nn

from gentut.models.dcgan import channels_at, n_doublings

__all__ = ["reparameterize", "ConvVAE", "MLPVAE", "MLPAutoencoder", "score_function_gradient",
           "reparameterized_gradient", "VectorQuantizer", "codebook_usage", "straight_through", "VQVAE"]


def reparameterize(mu: torch.Tensor, logvar: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """z = mu + sigma * eps with eps ~ N(0, I): a sample that gradients can flow through. Shapes (B, z_dim)."""
    eps = torch.randn(mu.shape, generator=generator).to(mu.device)
    return mu + torch.exp(0.5 * logvar) * eps


class ConvVAE(nn.Module):
    """Images (B, 3, S, S) in [0, 1] <-> codes (B, z_dim).

    The decoder gives every sub-pixel a mean in [0, 1] and a log-scale: together they define
    p(x | z), a discretized logistic over the 256 levels of an 8-bit image
    (`gentut.losses.discretized_logistic_nll`), so the ELBO is a bound on a real likelihood in
    nats. A scale per sub-pixel lets the decoder be sure of flat colour and unsure at edges.
    `decode` returns the means (the picture a sample is shown as).
    """

    MIN_LOG_SCALE = -7.0          # as in PixelCNN++: keeps the probability of a level finite

    def __init__(self, z_dim: int = 32, image_size: int = 64, width: int = 32, max_channels: int = 256):
        super().__init__()
        self.z_dim, self.image_size = z_dim, image_size
        k = n_doublings(image_size)
        down = [3] + [channels_at(i, width, max_channels) for i in range(k)]
        enc = []
        for c_in, c_out in zip(down[:-1], down[1:]):
            enc += [nn.Conv2d(c_in, c_out, 4, stride=2, padding=1), nn.LeakyReLU(0.2)]
        self.encoder = nn.Sequential(*enc, nn.Flatten())                 # (B, C * 16)
        self.to_stats = nn.Linear(down[-1] * 16, 2 * z_dim)              # mu and logvar
        up = down[::-1]
        self.from_code = nn.Linear(z_dim, up[0] * 16)
        dec = []
        for c_in, c_out in zip(up[:-2], up[1:-1]):
            dec += [nn.Upsample(scale_factor=2), nn.Conv2d(c_in, c_out, 3, padding=1), nn.LeakyReLU(0.2)]
        dec += [nn.Upsample(scale_factor=2), nn.Conv2d(up[-2], 6, 3, padding=1)]   # 3 means + 3 log-scales
        self.decoder = nn.Sequential(*dec)
        self.start_channels = up[0]

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(B, 3, S, S) -> mu, logvar, each (B, z_dim)."""
        return self.to_stats(self.encoder(2 * x - 1)).chunk(2, dim=1)

    def decode_distribution(self, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(B, z_dim) -> the means (B, 3, S, S) in [0, 1] and log-scales (B, 3, S, S) of p(x | z)."""
        out = self.decoder(self.from_code(z).view(-1, self.start_channels, 4, 4))
        mean, log_scale = out.chunk(2, dim=1)
        return torch.sigmoid(mean), log_scale.clamp(min=self.MIN_LOG_SCALE)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """(B, z_dim) -> (B, 3, S, S) in [0, 1]: the means of p(x | z)."""
        return self.decode_distribution(z)[0]

    def forward(self, x: torch.Tensor, generator: torch.Generator | None = None):
        """(B, 3, S, S) -> (reconstruction means (B, 3, S, S), log-scales (B, 3, S, S), mu, logvar)."""
        mu, logvar = self.encode(x)
        mean, log_scale = self.decode_distribution(reparameterize(mu, logvar, generator))
        return mean, log_scale, mu, logvar


class MLPVAE(nn.Module):
    """Flattened binary images (B, D) <-> codes (B, z_dim); the decoder returns Bernoulli logits (B, D)."""

    def __init__(self, n_pixels: int = 64, z_dim: int = 2, hidden: int = 256):
        super().__init__()
        self.z_dim = z_dim
        self.encoder = nn.Sequential(nn.Linear(n_pixels, hidden), nn.ReLU(), nn.Linear(hidden, 2 * z_dim))
        self.decoder = nn.Sequential(nn.Linear(z_dim, hidden), nn.ReLU(), nn.Linear(hidden, n_pixels))

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(B, ...) -> mu, logvar, each (B, z_dim)."""
        return self.encoder(x.flatten(1)).chunk(2, dim=1)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """(B, z_dim) -> logits (B, D)."""
        return self.decoder(z)

    def forward(self, x: torch.Tensor, generator: torch.Generator | None = None):
        """(B, ...) -> (logits (B, D), mu, logvar)."""
        mu, logvar = self.encode(x)
        return self.decode(reparameterize(mu, logvar, generator)), mu, logvar


class MLPAutoencoder(nn.Module):
    """A plain (deterministic) autoencoder with MLPVAE's layers: (B, D) -> code (B, z_dim) -> logits (B, D).

    Trained on reconstruction alone, it places its codes wherever reconstruction is easiest: no
    prior says where codes live, so there is no distribution to draw new codes from.
    """

    def __init__(self, n_pixels: int = 64, z_dim: int = 2, hidden: int = 256):
        super().__init__()
        self.z_dim = z_dim
        self.encoder = nn.Sequential(nn.Linear(n_pixels, hidden), nn.ReLU(), nn.Linear(hidden, z_dim))
        self.decoder = nn.Sequential(nn.Linear(z_dim, hidden), nn.ReLU(), nn.Linear(hidden, n_pixels))

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """(B, ...) -> codes (B, z_dim)."""
        return self.encoder(x.flatten(1))

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """(B, z_dim) -> logits (B, D)."""
        return self.decoder(z)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, ...) -> logits (B, D)."""
        return self.decode(self.encode(x))


# Two estimators of g = d/dmu E_{z ~ N(mu, sigma^2)} f(z), one estimate per draw of z.
#   score function (REINFORCE, Williams 1992):  g = E[f(z) d/dmu log N(z; mu, sigma^2)]
#                                                 = E[f(z) (z - mu) / sigma^2]
#   reparameterization (Kingma & Welling 2014):  z = mu + sigma * eps,  g = E[f'(mu + sigma * eps)]
# Both are unbiased; the notebook measures their variances. Both are computed with autograd, as
# a training loop would: the score function through the surrogate f(z).detach() * log q(z).

def score_function_gradient(f, mu: float, sigma: float, n: int, generator: torch.Generator | None = None,
                            baseline: float = 0.0) -> torch.Tensor:
    """n single-sample score-function estimates of d/dmu E f(z), z ~ N(mu, sigma^2): shape (n,).

    f maps a tensor of z values (n,) to f(z) (n,) elementwise. `baseline` b is a control variate:
    (f(z) - b) d/dmu log q(z) has the same mean (E d/dmu log q = 0) and, for a good b, less variance.
    """
    mus = torch.full((n,), float(mu), requires_grad=True)               # one copy of mu per draw
    z = (mus + sigma * torch.randn(n, generator=generator)).detach()   # no path from z back to mu
    log_q = torch.distributions.Normal(mus, sigma).log_prob(z)          # (n,)
    surrogate = ((f(z) - baseline).detach() * log_q).sum()
    (grad,) = torch.autograd.grad(surrogate, mus)
    return grad


def reparameterized_gradient(f, mu: float, sigma: float, n: int,
                             generator: torch.Generator | None = None) -> torch.Tensor:
    """n single-sample reparameterized estimates of d/dmu E f(z), z = mu + sigma * eps: shape (n,).

    f must be differentiable; the gradient flows through z into mu.
    """
    mus = torch.full((n,), float(mu), requires_grad=True)
    z = mus + sigma * torch.randn(n, generator=generator)               # (n,), differentiable in mu
    (grad,) = torch.autograd.grad(f(z).sum(), mus)
    return grad


class VectorQuantizer(nn.Module):
    """A codebook of K vectors e_k (K, d); each input vector is replaced by its nearest entry.

        k(z_e) = argmin_k ||z_e - e_k||^2,   z_q = e_{k(z_e)}          (van den Oord et al. 2017, eq. 1-2)

    The argmin has no gradient; `straight_through` copies the decoder's gradient from z_q to z_e,
    and `gentut.losses.vq_losses` moves the codebook towards the encoder's outputs and back.
    """

    def __init__(self, n_codes: int = 32, code_dim: int = 4):
        super().__init__()
        self.n_codes, self.code_dim = n_codes, code_dim
        self.codebook = nn.Parameter(torch.empty(n_codes, code_dim).uniform_(-1 / n_codes, 1 / n_codes))

    @torch.no_grad()
    def init_from(self, z_e: torch.Tensor, generator: torch.Generator | None = None) -> "VectorQuantizer":
        """Data-dependent start: set the codebook to K distinct vectors drawn from encoder outputs
        z_e (..., d), so that no entry starts far from every input and is never chosen ("dead")."""
        flat = z_e.reshape(-1, self.code_dim)
        pick = torch.randperm(len(flat), generator=generator)[: self.n_codes].to(flat.device)
        self.codebook.copy_(flat[pick])
        return self

    def codes(self, z_e: torch.Tensor) -> torch.Tensor:
        """Index of the nearest codebook vector: (..., d) -> (...) int64."""
        flat = z_e.reshape(-1, self.code_dim)                                          # (N, d)
        distances = (flat.pow(2).sum(1, keepdim=True) - 2 * flat @ self.codebook.T
                     + self.codebook.pow(2).sum(1))                                    # (N, K)
        return distances.argmin(1).view(z_e.shape[:-1])

    def forward(self, z_e: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(..., d) -> (z_q (..., d): the nearest codebook vectors, indices (...))."""
        indices = self.codes(z_e)
        return self.codebook[indices], indices


def codebook_usage(indices: torch.Tensor, n_codes: int) -> tuple[int, float]:
    """How many of the n_codes codebook entries `indices` (any shape) use, and the perplexity
    exp(H(p)) of their frequencies p: 1 if one code is always used, n_codes if all are used equally."""
    counts = torch.bincount(indices.flatten().cpu(), minlength=n_codes).double()
    p = counts / counts.sum()
    entropy = -(p[p > 0] * p[p > 0].log()).sum()
    return int((counts > 0).sum()), float(entropy.exp())


def straight_through(z_e: torch.Tensor, z_q: torch.Tensor) -> torch.Tensor:
    """Forward: z_q. Backward: the gradient with respect to the output goes to z_e unchanged
    (and none to z_q): z_e + sg[z_q - z_e], the straight-through estimator (Bengio et al. 2013)."""
    return z_e + (z_q - z_e).detach()


class VQVAE(nn.Module):
    """A tiny VQ-VAE for flattened binary images: x (B, D) -> n_latents vectors of code_dim
    -> each snapped to one of n_codes codebook entries -> Bernoulli logits (B, D).

    An image is then described by n_latents symbols, at most n_latents * log(n_codes) nats.
    """

    def __init__(self, n_pixels: int = 64, n_latents: int = 4, code_dim: int = 4, n_codes: int = 32,
                 hidden: int = 256):
        super().__init__()
        self.n_latents, self.code_dim = n_latents, code_dim
        self.encoder = nn.Sequential(nn.Linear(n_pixels, hidden), nn.ReLU(), nn.Linear(hidden, n_latents * code_dim))
        self.quantizer = VectorQuantizer(n_codes, code_dim)
        self.decoder = nn.Sequential(nn.Linear(n_latents * code_dim, hidden), nn.ReLU(), nn.Linear(hidden, n_pixels))

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """(B, ...) -> continuous encoder outputs z_e (B, n_latents, code_dim)."""
        return self.encoder(x.flatten(1)).view(-1, self.n_latents, self.code_dim)

    def decode(self, z_q: torch.Tensor) -> torch.Tensor:
        """(B, n_latents, code_dim) -> logits (B, D)."""
        return self.decoder(z_q.flatten(1))

    def decode_codes(self, indices: torch.Tensor) -> torch.Tensor:
        """Codebook indices (B, n_latents) -> logits (B, D)."""
        return self.decode(self.quantizer.codebook[indices])

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """(B, ...) -> (logits (B, D), z_e, z_q (B, n_latents, code_dim), indices (B, n_latents))."""
        z_e = self.encode(x)
        z_q, indices = self.quantizer(z_e)
        return self.decode(straight_through(z_e, z_q)), z_e, z_q, indices

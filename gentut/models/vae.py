"""Variational autoencoders (Kingma & Welling 2014): encode -> reparameterize -> decode.

    q(z | x) = N(mu(x), diag(exp(logvar(x))))      the encoder
    z = mu + exp(logvar / 2) * eps,  eps ~ N(0, I) the reparameterization trick
    p(x | z)                                       the decoder

`ConvVAE` works on the kit's RGB images (32x32 or 64x64); `MLPVAE` on flattened 8x8 digits.
The losses (ELBO terms) are in `gentut.losses`.
"""

from __future__ import annotations

import torch
import torch.nn as nn

from gentut.models.dcgan import channels_at, n_doublings

__all__ = ["reparameterize", "ConvVAE", "MLPVAE"]


def reparameterize(mu: torch.Tensor, logvar: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """z = mu + sigma * eps with eps ~ N(0, I): a sample that gradients can flow through. Shapes (B, z_dim)."""
    eps = torch.randn(mu.shape, generator=generator).to(mu.device)
    return mu + torch.exp(0.5 * logvar) * eps


class ConvVAE(nn.Module):
    """Images (B, 3, S, S) in [0, 1] <-> codes (B, z_dim). The decoder ends in a sigmoid."""

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
        dec += [nn.Upsample(scale_factor=2), nn.Conv2d(up[-2], 3, 3, padding=1)]
        self.decoder = nn.Sequential(*dec)
        self.start_channels = up[0]

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(B, 3, S, S) -> mu, logvar, each (B, z_dim)."""
        return self.to_stats(self.encoder(2 * x - 1)).chunk(2, dim=1)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """(B, z_dim) -> (B, 3, S, S) in [0, 1]."""
        return torch.sigmoid(self.decoder(self.from_code(z).view(-1, self.start_channels, 4, 4)))

    def forward(self, x: torch.Tensor, generator: torch.Generator | None = None):
        """(B, 3, S, S) -> (reconstruction (B, 3, S, S), mu, logvar)."""
        mu, logvar = self.encode(x)
        return self.decode(reparameterize(mu, logvar, generator)), mu, logvar


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

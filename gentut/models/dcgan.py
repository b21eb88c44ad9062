"""DCGAN (Radford et al. 2016): a convolutional generator and discriminator.

    z (B, z_dim) --Linear--> (B, C, 4, 4) --[upsample x2, conv, BN, ReLU] x k--> (B, 3, S, S)

Each up-block doubles the resolution, so S = 4 * 2**k (32 -> 3 blocks, 64 -> 4 blocks). The
output is in [0, 1] (a sigmoid), the range of the kit's datasets. The discriminator mirrors it
with strided convolutions and LeakyReLU and returns one logit per image.
"""

from __future__ import annotations

import math

import torch
import torch.nn as nn

__all__ = ["DCGANGenerator", "DCGANDiscriminator", "n_doublings"]


def n_doublings(image_size: int) -> int:
    """How many x2 steps take 4x4 to `image_size` (a power of two >= 8)."""
    k = int(math.log2(image_size)) - 2
    if image_size < 8 or 4 * 2 ** k != image_size:
        raise ValueError(f"image_size must be a power of two >= 8, got {image_size}")
    return k


def channels_at(level: int, width: int, max_channels: int) -> int:
    """Channels of the feature map `level` doublings above 4x4: width * 2**(k-level), capped."""
    return min(max_channels, width * 2 ** level)


class DCGANGenerator(nn.Module):
    """z (B, z_dim) -> images (B, 3, image_size, image_size) in [0, 1]."""

    def __init__(self, z_dim: int = 64, image_size: int = 64, width: int = 32, max_channels: int = 256):
        super().__init__()
        self.z_dim, self.image_size = z_dim, image_size
        k = n_doublings(image_size)
        chans = [channels_at(k - i, width, max_channels) for i in range(k + 1)]   # 4x4 ... SxS
        self.project = nn.Sequential(nn.Linear(z_dim, chans[0] * 16), nn.BatchNorm1d(chans[0] * 16), nn.ReLU())
        blocks = []
        for c_in, c_out in zip(chans[:-1], chans[1:]):
            blocks += [nn.Upsample(scale_factor=2), nn.Conv2d(c_in, c_out, 3, padding=1),
                       nn.BatchNorm2d(c_out), nn.ReLU()]
        self.blocks = nn.Sequential(*blocks)
        self.to_rgb = nn.Conv2d(chans[-1], 3, 3, padding=1)
        self.start_channels = chans[0]

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """(B, z_dim) -> (B, 3, S, S)."""
        x = self.project(z).view(-1, self.start_channels, 4, 4)     # (B, C, 4, 4)
        return torch.sigmoid(self.to_rgb(self.blocks(x)))


class DCGANDiscriminator(nn.Module):
    """Images (B, 3, S, S) in [0, 1] -> logits (B,): large for images that look real."""

    def __init__(self, image_size: int = 64, width: int = 32, max_channels: int = 256):
        super().__init__()
        k = n_doublings(image_size)
        chans = [3] + [channels_at(i, width, max_channels) for i in range(k)]
        layers = []
        for c_in, c_out in zip(chans[:-1], chans[1:]):
            layers += [nn.Conv2d(c_in, c_out, 4, stride=2, padding=1), nn.LeakyReLU(0.2)]
        self.features = nn.Sequential(*layers)                         # (B, C, 4, 4)
        self.head = nn.Linear(chans[-1] * 16, 1)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """(B, 3, S, S) -> (B,)."""
        return self.head(self.features(2 * images - 1).flatten(1)).squeeze(1)

"""Image-to-image translation networks: a U-Net generator and a PatchGAN discriminator.

pix2pix (Isola et al., CVPR 2017) and CycleGAN (Zhu et al., ICCV 2017) share both pieces,
scaled down here to 32x32 images:

UNetGenerator: an encoder of stride-2 4x4 convolutions (32 -> 16 -> 8 -> 4 -> 2) and a mirrored
    decoder of transposed convolutions; every decoder stage also receives the encoder features
    of the same size (skip connections), so low-level information such as where the edges are
    can go straight from input to output (Isola et al., sec. 3.2.1).
PatchDiscriminator: a fully convolutional classifier that says "real" or "fake" for every
    overlapping patch of the image, not once per image (sec. 3.2.2). With `n_layers = 1`, the
    default, each output scores a 16x16 patch of a 32x32 image (the paper's 70x70 on 256x256).
CycleGANPair: the two generators of CycleGAN, G: X -> Y and F: Y -> X, in one module, so that
    one zoo checkpoint holds both directions.

Every network takes and returns images in [0, 1] like the rest of the kit (inputs are mapped to
[-1, 1] inside, outputs come from a tanh). A label map enters as a one-hot image (B, K, S, S).
In eval mode (how the zoo's models come) a generator checks its input first: uint8, 0-255
floats or NaN raise an error that says how to convert them (gentut.checks.check_images);
training batches come from the kit's own data and skip the check.
"""

from __future__ import annotations

import torch
import torch.nn as nn

from gentut.checks import check_images

__all__ = ["UNetGenerator", "PatchDiscriminator", "CycleGANPair"]


def down(c_in: int, c_out: int, norm: bool = True) -> nn.Sequential:
    """Halve the size: 4x4 convolution with stride 2, batch norm, LeakyReLU(0.2) (pix2pix's "Ck")."""
    return nn.Sequential(nn.Conv2d(c_in, c_out, 4, 2, 1), nn.BatchNorm2d(c_out) if norm else nn.Identity(),
                         nn.LeakyReLU(0.2))


def up(c_in: int, c_out: int) -> nn.Sequential:
    """Double the size: 4x4 transposed convolution with stride 2, batch norm, ReLU."""
    return nn.Sequential(nn.ConvTranspose2d(c_in, c_out, 4, 2, 1), nn.BatchNorm2d(c_out), nn.ReLU())


class UNetGenerator(nn.Module):
    """Images or one-hot label maps (B, in_channels, S, S) -> images (B, out_channels, S, S) in [0, 1].

    depth stride-2 stages with widths width * 2**i (capped at max_channels); S must be divisible
    by 2**depth. skips=False drops the skip connections (the paper's "encoder-decoder").
    """

    def __init__(self, in_channels: int, out_channels: int = 3, width: int = 16, depth: int = 4,
                 max_channels: int = 64, skips: bool = True):
        super().__init__()
        chans = [min(width * 2 ** i, max_channels) for i in range(depth)]          # e.g. 16, 32, 64, 64
        self.in_channels, self.depth, self.skips = in_channels, depth, skips
        inner = [down(a, b, norm=i < depth - 2) for i, (a, b) in enumerate(zip(chans[:-1], chans[1:]))]
        self.encoder = nn.ModuleList([down(in_channels, chans[0], norm=False)] + inner)   # no norm at the ends
        grow = 2 if skips else 1                               # a skip doubles a decoder stage's input
        self.decoder = nn.ModuleList([up(chans[-1], chans[-2])]
                                     + [up(grow * a, b) for a, b in zip(chans[-2:0:-1], chans[-3::-1])])
        self.to_image = nn.ConvTranspose2d(grow * chans[0], out_channels, 4, 2, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, in_channels, S, S) in [0, 1] -> (B, out_channels, S, S) in [0, 1]."""
        if x.dim() != 4 or x.shape[1] != self.in_channels or x.shape[-1] % 2 ** self.depth:
            raise ValueError(f"expected input (B, {self.in_channels}, S, S) with S divisible by {2 ** self.depth}, "
                             f"got {tuple(x.shape)}")
        if not self.training:
            check_images(x, "x", like=self.to_image.weight)
        features, h = [], 2 * x - 1
        for stage in self.encoder:
            h = stage(h)
            features.append(h)                                 # sizes S/2, S/4, ..., S/2**depth
        for stage, skip in zip(self.decoder, reversed(features[:-1])):
            h = stage(h)
            h = torch.cat([h, skip], 1) if self.skips else h  # (B, 2C, s, s): decoder + encoder features
        return (torch.tanh(self.to_image(h)) + 1) / 2


class PatchDiscriminator(nn.Module):
    """A PatchGAN: images (B, in_channels, S, S) -> one logit per patch (B, 1, P, P).

    n_layers stride-2 convolutions, then two stride-1 ones (as in pix2pix's "70x70 PatchGAN",
    which is n_layers = 3). Each output logit sees `receptive_field` x `receptive_field` input
    pixels. For a conditional GAN, pass the condition and the image concatenated on channels.
    """

    def __init__(self, in_channels: int, width: int = 16, n_layers: int = 1, max_channels: int = 128):
        super().__init__()
        chans = [min(width * 2 ** i, max_channels) for i in range(n_layers + 1)]
        layers = [nn.Conv2d(in_channels, chans[0], 4, 2, 1), nn.LeakyReLU(0.2)]
        for a, b in zip(chans[:-2], chans[1:-1]):
            layers += [nn.Conv2d(a, b, 4, 2, 1), nn.BatchNorm2d(b), nn.LeakyReLU(0.2)]
        layers += [nn.Conv2d(chans[-2], chans[-1], 4, 1, 1), nn.BatchNorm2d(chans[-1]), nn.LeakyReLU(0.2),
                   nn.Conv2d(chans[-1], 1, 4, 1, 1)]
        self.net = nn.Sequential(*layers)
        self.in_channels = in_channels

    @property
    def receptive_field(self) -> int:
        """Side in pixels of the input patch one output logit sees: r <- r * stride + (kernel - stride)."""
        r = 1
        for layer in reversed(self.net):
            if isinstance(layer, nn.Conv2d):
                r = r * layer.stride[0] + layer.kernel_size[0] - layer.stride[0]
        return r

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, in_channels, S, S) in [0, 1] -> logits (B, 1, P, P); P = 14 for S = 32, n_layers = 1."""
        if x.dim() != 4 or x.shape[1] != self.in_channels:
            raise ValueError(f"expected input (B, {self.in_channels}, S, S), got {tuple(x.shape)}; "
                             "a conditional discriminator takes torch.cat([condition, image], 1)")
        return self.net(2 * x - 1)


class CycleGANPair(nn.Module):
    """CycleGAN's two generators: G maps domain X to Y, F maps Y back to X; forward(x) = G(x)."""

    def __init__(self, channels: int = 3, width: int = 16, depth: int = 4, max_channels: int = 64):
        super().__init__()
        self.G = UNetGenerator(channels, channels, width, depth, max_channels)
        self.F = UNetGenerator(channels, channels, width, depth, max_channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """X-domain images (B, C, S, S) -> their Y-domain translations (B, C, S, S)."""
        return self.G(x)

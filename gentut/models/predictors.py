"""The kit's "off-the-shelf" networks: an attribute predictor and a segmenter.

They play the role of the pretrained classifiers and segmentation networks the lectures use
(a CelebA attribute classifier for InterFaceGAN, a scene parser for GAN dissection): trained on
the procedural data's ground truth, then used to *pseudo-label* generated images.

AttributePredictor: image -> one output per factor. Every factor lives in [0, 1] (binary factors
    are 0/1), so one loss fits all: binary cross-entropy against the factor value, and
    `predict` returns sigmoid outputs in [0, 1]. `features` gives the pooled penultimate
    activations, the kit's feature space for Fréchet distances.
Segmenter: a small U-Net, image -> per-pixel class logits.
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

__all__ = ["conv_block", "AttributePredictor", "Segmenter"]


def conv_block(c_in: int, c_out: int) -> nn.Sequential:
    """Two 3x3 convolutions with batch norm and ReLU; keeps the spatial size."""
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, padding=1), nn.BatchNorm2d(c_out), nn.ReLU(),
        nn.Conv2d(c_out, c_out, 3, padding=1), nn.BatchNorm2d(c_out), nn.ReLU(),
    )


class AttributePredictor(nn.Module):
    """Images (B, 3, S, S) in [0, 1] -> logits (B, n_outputs); features (B, feature_dim)."""

    def __init__(self, n_outputs: int, width: int = 32, n_blocks: int = 4):
        super().__init__()
        chans = [3] + [width * 2 ** min(i, 2) for i in range(n_blocks)]
        self.blocks = nn.ModuleList(conv_block(a, b) for a, b in zip(chans[:-1], chans[1:]))
        self.feature_dim = chans[-1]
        self.head = nn.Linear(self.feature_dim, n_outputs)

    def features(self, images: torch.Tensor) -> torch.Tensor:
        """(B, 3, S, S) -> (B, feature_dim): global-average-pooled last block."""
        x = 2 * images - 1
        for i, block in enumerate(self.blocks):
            x = block(x if i == 0 else F.max_pool2d(x, 2))
        return x.mean((2, 3))

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """(B, 3, S, S) -> logits (B, n_outputs)."""
        return self.head(self.features(images))

    @torch.no_grad()
    def predict(self, images: torch.Tensor, batch_size: int = 512) -> torch.Tensor:
        """Factor estimates in [0, 1]: (B, 3, S, S) -> (B, n_outputs), in batches, no gradients."""
        return torch.cat([torch.sigmoid(self(images[i:i + batch_size])) for i in range(0, len(images), batch_size)])


class Segmenter(nn.Module):
    """A small U-Net: images (B, 3, S, S) -> class logits (B, n_classes, S, S)."""

    def __init__(self, n_classes: int, width: int = 16, depth: int = 3):
        super().__init__()
        chans = [width * 2 ** i for i in range(depth + 1)]
        self.down = nn.ModuleList([conv_block(3, chans[0])] + [conv_block(a, b) for a, b in zip(chans[:-1], chans[1:])])
        self.up = nn.ModuleList(conv_block(b + a, a) for a, b in zip(chans[:-1], chans[1:]))
        self.head = nn.Conv2d(chans[0], n_classes, 1)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """(B, 3, S, S) -> (B, n_classes, S, S); S must be divisible by 2**depth."""
        skips, x = [], 2 * images - 1
        for i, block in enumerate(self.down):
            x = block(x if i == 0 else F.max_pool2d(x, 2))
            skips.append(x)
        for block, skip in zip(reversed(self.up), reversed(skips[:-1])):
            x = block(torch.cat([F.interpolate(x, scale_factor=2), skip], 1))
        return self.head(x)

    @torch.no_grad()
    def segment(self, images: torch.Tensor, batch_size: int = 256) -> torch.Tensor:
        """Class index per pixel: (B, 3, S, S) -> int64 (B, S, S), in batches, no gradients."""
        return torch.cat([self(images[i:i + batch_size]).argmax(1) for i in range(0, len(images), batch_size)])

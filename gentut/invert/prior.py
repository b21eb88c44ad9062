"""The generator as an image prior (Gu, Shen & Zhou, "Image Processing Using Multi-Code GAN
Prior", CVPR 2020; seed slides "Deep Generative Prior for Image Processing").

Invert not the image but what was *observed* of it: find the code whose picture, degraded the
same way, matches the observation; the generator fills in what the observation lost.

    inpainting        L = ||m * G(w) - m * x||^2          m: 1 where pixels are known
    colorization      L = ||gray(G(w)) - gray(x)||^2
    super-resolution  L = ||down(G(w)) - down(x)||^2

    task = SuperResolution(4)
    run = restore(G, task(x), task, space="w+")            # run.images: the restored pictures
    cheap = task.baseline(task(x))                          # bicubic upsampling, for comparison

Each task is a small class: calling it degrades images, `baseline` is the simple fix that needs
no model (mean fill, grey copy, bicubic), and `paste` keeps whatever was observed exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from gentut.checks import InputTypeError, check_images
from gentut.invert.optimize import InversionRun, invert

__all__ = ["LUMA", "box_mask", "Inpainting", "Colorization", "SuperResolution", "restore"]

LUMA = (0.299, 0.587, 0.114)       # ITU-R BT.601 weights: grey = 0.299 R + 0.587 G + 0.114 B


def box_mask(size: int, top: int, left: int, height: int, width: int) -> torch.Tensor:
    """A (1, 1, size, size) mask: 1 (known) everywhere except a height x width hole at (top, left)."""
    if not (0 <= top < top + height <= size and 0 <= left < left + width <= size):
        raise ValueError(f"the hole ({top}:{top + height}, {left}:{left + width}) must lie inside a {size}x{size} image")
    mask = torch.ones(1, 1, size, size)
    mask[..., top:top + height, left:left + width] = 0
    return mask


@dataclass
class Inpainting:
    """Known pixels where mask (1 or B, 1, S, S) is 1; the rest is missing (set to 0).

    The mask holds floats in [0, 1]; a bool mask is converted (True = known), a uint8 one refused
    (is it 0/1 or 0/255? a 0/255 mask would scale the image by 255).
    """

    mask: torch.Tensor

    def __post_init__(self):
        if isinstance(self.mask, torch.Tensor) and self.mask.dtype == torch.bool:
            self.mask = self.mask.float()
        if isinstance(self.mask, torch.Tensor) and self.mask.dtype == torch.uint8:
            raise InputTypeError("mask has dtype uint8; pass mask.bool() or mask.float() if it holds 0/1 "
                                 "(1 = known pixel), mask.float() / 255 if it holds 0/255")
        check_images(self.mask, "mask", channels=(1,))

    def __call__(self, images: torch.Tensor) -> torch.Tensor:
        """(B, 3, S, S) -> (B, 3, S, S) with the hole blanked."""
        return images * self.mask.to(images)

    def baseline(self, observed: torch.Tensor) -> torch.Tensor:
        """Mean fill: every missing pixel gets its image's mean colour of the known pixels."""
        mask = self.mask.to(observed)
        mean = (observed * mask).sum((2, 3), keepdim=True) / mask.sum((2, 3), keepdim=True)   # (B, 3, 1, 1)
        return self.paste(observed, mean.expand_as(observed))

    def paste(self, observed: torch.Tensor, estimate: torch.Tensor) -> torch.Tensor:
        """The known pixels from `observed`, the hole from `estimate`: (B, 3, S, S)."""
        mask = self.mask.to(observed)
        return mask * observed + (1 - mask) * estimate


@dataclass
class Colorization:
    """Only the brightness is known: (B, 3, S, S) -> grey (B, 1, S, S)."""

    def __call__(self, images: torch.Tensor) -> torch.Tensor:
        weights = torch.tensor(LUMA, dtype=images.dtype, device=images.device)
        return (images * weights[:, None, None]).sum(1, keepdim=True)

    def baseline(self, observed: torch.Tensor) -> torch.Tensor:
        """Grey copy: the grey image in all three channels, (B, 3, S, S)."""
        return observed.expand(-1, 3, -1, -1)

    def paste(self, observed: torch.Tensor, estimate: torch.Tensor) -> torch.Tensor:
        """The estimate's colours with the observed brightness: estimate + (grey - gray(estimate))."""
        return (estimate + observed - self(estimate)).clamp(0, 1)


@dataclass
class SuperResolution:
    """Only a factor-times smaller copy is known (box average): (B, 3, S, S) -> (B, 3, S/f, S/f)."""

    factor: int = 4

    def __call__(self, images: torch.Tensor) -> torch.Tensor:
        if images.shape[-1] % self.factor:
            raise ValueError(f"image size {images.shape[-1]} is not divisible by the factor {self.factor}")
        return F.avg_pool2d(images, self.factor)

    def baseline(self, observed: torch.Tensor) -> torch.Tensor:
        """Bicubic upsampling to the full size, clipped to [0, 1]."""
        return F.interpolate(observed, scale_factor=self.factor, mode="bicubic", align_corners=False).clamp(0, 1)

    def paste(self, observed: torch.Tensor, estimate: torch.Tensor) -> torch.Tensor:
        """The estimate itself (its down-sampled copy already matches the observation closely)."""
        return estimate


def restore(G: nn.Module, observed: torch.Tensor, task, space: str = "w+", **invert_args) -> InversionRun:
    """Find codes whose images, degraded by `task`, match `observed`: an InversionRun whose
    images are the restored pictures (B, 3, S, S) (before `task.paste`).

    Uses the pixel loss only (the feature network needs whole colour images); other keyword
    arguments go to `invert` (steps, lr, regularizer, ...). space "w+" gives one code per layer,
    the kit's analogue of the multi-code prior. `observed` is checked like invert's targets
    (floats in [0, 1], no NaN, G's dtype and device).
    """
    check_images(observed, "observed", like=next(G.parameters()))
    return invert(G, observed, space, degrade=task, desc=f"restoring ({type(task).__name__})", **invert_args)

"""`LabeledImages`: a batch of images together with the ground truth that made them.

The kit's procedural datasets (faces, scenes) know exactly which factors produced each image
(and, for scenes, which class every pixel belongs to), so every interpretation method in the
course can be *measured* against the truth.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

__all__ = ["Factor", "LabeledImages"]


@dataclass(frozen=True)
class Factor:
    """One generative factor of a procedural dataset.

    kind: "continuous" (values in [0, 1]) or "binary" (values 0. or 1.).
    threshold: for a continuous factor, the value above which its binary attribute is on
        (e.g. smile > 0.5 -> "smiling"); None if the factor has no binary attribute.
    """

    name: str
    kind: str
    description: str
    threshold: float | None = 0.5


@dataclass
class LabeledImages:
    """Images with their factors (and segmentation masks, when the dataset has them).

    images:  float32 (N, 3, S, S), values in [0, 1]
    factors: name -> float32 (N,), values in [0, 1] (binary factors are exactly 0. or 1.)
    masks:   int64 (N, S, S) class index of every pixel, or None
    """

    images: torch.Tensor
    factors: dict[str, torch.Tensor]
    masks: torch.Tensor | None = None

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index) -> "LabeledImages":
        """Index or slice every field alike: batch[:16], batch[mask], batch[tensor_of_indices]."""
        return LabeledImages(
            self.images[index],
            {k: v[index] for k, v in self.factors.items()},
            None if self.masks is None else self.masks[index],
        )

    def to(self, device: torch.device | str) -> "LabeledImages":
        """The same batch on `device`."""
        return LabeledImages(
            self.images.to(device),
            {k: v.to(device) for k, v in self.factors.items()},
            None if self.masks is None else self.masks.to(device),
        )

    def factor_matrix(self, names: list[str] | tuple[str, ...]) -> torch.Tensor:
        """The factors `names` stacked as columns: float32 (N, len(names))."""
        return torch.stack([self.factors[name] for name in names], dim=1)

"""Binarized 8x8 handwritten digits: the kit's offline stand-in for binarized MNIST.

scikit-learn ships 1,797 digits of 8x8 pixels with grey levels 0..16 (``load_digits``);
nothing is downloaded. We threshold them to {0, 1} so that every pixel is a Bernoulli
variable, exactly the setting of the seed's "binarized MNIST" autoregressive models, and
fix one train/test split so that every notebook reports likelihoods on the same images.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.datasets import load_digits

__all__ = ["DIGIT_SIZE", "THRESHOLD", "SPLIT_SEED", "N_TEST", "binarize", "load_grey_digits", "load_binarized_digits"]

DIGIT_SIZE = 8          # images are DIGIT_SIZE x DIGIT_SIZE
THRESHOLD = 8           # grey level (0..16) at or above which a pixel counts as "ink"
SPLIT_SEED = 0          # the fixed permutation that defines the split
N_TEST = 297            # 1,797 images -> 1,500 train + 297 test


def binarize(grey: np.ndarray | torch.Tensor, threshold: float = THRESHOLD) -> np.ndarray | torch.Tensor:
    """Grey levels 0..16 (any shape) -> float32 {0., 1.}: 1 where grey >= threshold."""
    return (grey >= threshold).astype(np.float32) if isinstance(grey, np.ndarray) else (grey >= threshold).float()


def load_grey_digits() -> tuple[np.ndarray, np.ndarray]:
    """All 1,797 digits as scikit-learn ships them: grey levels (N, 8, 8) float 0..16, labels (N,)."""
    bunch = load_digits()
    return bunch.images, bunch.target


def load_binarized_digits(split: str = "train") -> tuple[torch.Tensor, torch.Tensor]:
    """Return ``(images, labels)`` of one fixed split of the binarized digits.

    split: "train" (1,500 images), "test" (297 images) or "all" (1,797, in sklearn's order).
    images: float32 tensor (N, 1, 8, 8) with values in {0., 1.}; labels: int64 tensor (N,).
    """
    if split not in ("train", "test", "all"):
        raise ValueError(f"split must be 'train', 'test' or 'all', got {split!r}")
    grey, labels = load_grey_digits()
    images = binarize(grey)[:, None]                                   # (N, 1, 8, 8)
    labels = labels.astype(np.int64)
    if split != "all":
        order = np.random.RandomState(SPLIT_SEED).permutation(len(labels))
        chosen = order[:N_TEST] if split == "test" else order[N_TEST:]
        images, labels = images[chosen], labels[chosen]
    return torch.from_numpy(images), torch.from_numpy(labels)

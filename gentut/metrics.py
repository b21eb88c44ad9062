"""Measurements the course reports: accuracy, IoU, PSNR, Fréchet distance.

Fréchet distance (as in FID, Heusel et al. 2017) between two sets of features, each modelled as
a Gaussian N(mu, Sigma):  ||mu_a - mu_b||^2 + Tr(Sigma_a + Sigma_b - 2 (Sigma_a Sigma_b)^(1/2)).
The kit computes it in its own attribute predictor's feature space (no Inception download).
"""

from __future__ import annotations

import numpy as np
import torch
from scipy import linalg

__all__ = ["binary_accuracy", "confusion_iou", "psnr", "frechet_distance"]


def binary_accuracy(predicted: torch.Tensor, target: torch.Tensor, threshold: float = 0.5) -> float:
    """Share of entries on the same side of `threshold`: two tensors of the same shape -> float."""
    return ((predicted > threshold) == (target > threshold)).float().mean().item()


def confusion_iou(predicted: torch.Tensor, target: torch.Tensor, n_classes: int) -> torch.Tensor:
    """Intersection over union of every class: int tensors (...) of class indices -> (n_classes,).

    A class absent from both tensors gets NaN (use `nanmean` for the mean IoU).
    """
    p, t = predicted.flatten(), target.flatten()
    ious = torch.full((n_classes,), float("nan"))
    for c in range(n_classes):
        union = ((p == c) | (t == c)).sum()
        if union > 0:
            ious[c] = ((p == c) & (t == c)).sum() / union
    return ious


def psnr(image: torch.Tensor, reference: torch.Tensor) -> torch.Tensor:
    """Peak signal-to-noise ratio in dB for images in [0, 1]: (B, C, H, W) x2 -> (B,)."""
    mse = (image - reference).pow(2).flatten(1).mean(1)
    return 10 * torch.log10(1 / mse.clamp_min(1e-10))


def frechet_distance(features_a: torch.Tensor, features_b: torch.Tensor) -> float:
    """Fréchet distance between Gaussians fitted to two feature sets (N_a, F) and (N_b, F)."""
    a, b = features_a.double().cpu().numpy(), features_b.double().cpu().numpy()
    mu_a, mu_b = a.mean(0), b.mean(0)
    eps = 1e-6 * np.eye(a.shape[1])              # keeps the square root defined when a set is degenerate
    cov_a, cov_b = np.cov(a, rowvar=False) + eps, np.cov(b, rowvar=False) + eps
    root = linalg.sqrtm(cov_a @ cov_b)
    distance = ((mu_a - mu_b) ** 2).sum() + np.trace(cov_a + cov_b - 2 * root.real)
    return float(max(distance, 0.0))

"""Measurements the course reports: accuracy, IoU, PSNR, Fréchet distance.

Fréchet distance (as in FID, Heusel et al. 2017) between two sets of features, each modelled as
a Gaussian N(mu, Sigma):  ||mu_a - mu_b||^2 + Tr(Sigma_a + Sigma_b - 2 (Sigma_a Sigma_b)^(1/2)).
The kit computes it in its own attribute predictor's feature space (no Inception download).
"""

from __future__ import annotations

import numpy as np
import torch
from scipy import linalg

__all__ = ["binary_accuracy", "confusion_iou", "psnr", "frechet_distance", "frechet_distances"]


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


def frechet_distances(features: torch.Tensor, reference: torch.Tensor, indices) -> np.ndarray:
    """Fréchet distances of resampled feature sets to one fixed reference set, for a bootstrap.

    features (N, F), reference (M, F), indices int (R, n) of rows of `features` -> (R,): row r is
    frechet_distance(features[indices[r]], reference). The reference's square root is taken once
    and Tr (Sigma_a Sigma_b)^(1/2) = sum sqrt(eig(Sigma_b^(1/2) Sigma_a Sigma_b^(1/2))) (a
    symmetric eigenproblem), so a few thousand resamples of 64-d features take about a second.
    """
    a, b = features.double().cpu().numpy(), reference.double().cpu().numpy()
    eps = 1e-6 * np.eye(a.shape[1])
    mu_b, cov_b = b.mean(0), np.cov(b, rowvar=False) + eps
    values, vectors = np.linalg.eigh(cov_b)
    root_b = (vectors * np.sqrt(values.clip(0))) @ vectors.T
    distances = []
    for rows in np.atleast_2d(np.asarray(indices)):
        x = a[rows]
        cov_a = np.cov(x, rowvar=False) + eps
        trace_root = np.sqrt(np.linalg.eigvalsh(root_b @ cov_a @ root_b).clip(0)).sum()
        distances.append(((x.mean(0) - mu_b) ** 2).sum() + np.trace(cov_a) + np.trace(cov_b) - 2 * trace_root)
    return np.maximum(np.array(distances), 0.0)

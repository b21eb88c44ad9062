"""The inversion objective: how far a reconstruction is from its target, per image.

Image2StyleGAN (Abdal et al. 2019) and In-Domain Inversion (Zhu et al. 2020) match a picture
on two scales: pixels (MSE) and a "perceptual" feature space F, the activations of a trained
network (VGG there):

    L(x_rec, x) = ||x_rec - x||^2 / D  +  feature_weight * ||F(x_rec) - F(x)||^2 / K

The kit's F is its own attribute predictor's pooled features (`faces_predictor.features`,
K = 64): no download, and it knows what matters in a face (smile, glasses, age ...).
Every function returns one value per image, so a batch of inversions is a batch of independent
problems (their sum is minimised; Adam's per-coordinate steps keep them apart).
"""

from __future__ import annotations

from typing import Callable

import torch

__all__ = ["pixel_loss", "feature_loss", "reconstruction_loss", "reconstruction_objective"]

FeatureNet = Callable[[torch.Tensor], torch.Tensor]


def check_pair(images: torch.Tensor, targets: torch.Tensor) -> None:
    """Raise a ValueError unless images and targets are batches (B, C, H, W) of one shape."""
    if images.dim() != 4 or images.shape != targets.shape:
        raise ValueError(f"images and targets must both have shape (B, C, H, W); got {tuple(images.shape)} "
                         f"and {tuple(targets.shape)}")


def pixel_loss(images: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean squared error per image: (B, C, H, W) x2 -> (B,)."""
    check_pair(images, targets)
    return (images - targets).pow(2).flatten(1).mean(1)


def feature_loss(images: torch.Tensor, targets: torch.Tensor, features: FeatureNet) -> torch.Tensor:
    """Mean squared distance of features(images) and features(targets) per image: -> (B,).

    features: a network (B, 3, H, W) -> (B, K), e.g. `zoo.load("faces_predictor").features`.
    """
    check_pair(images, targets)
    return (features(images) - features(targets)).pow(2).flatten(1).mean(1)


def reconstruction_loss(images: torch.Tensor, targets: torch.Tensor, features: FeatureNet | None = None,
                        feature_weight: float = 1.0) -> torch.Tensor:
    """pixel_loss + feature_weight * feature_loss (the second only if `features` is given): (B,)."""
    loss = pixel_loss(images, targets)
    if features is not None and feature_weight:
        loss = loss + feature_weight * feature_loss(images, targets, features)
    return loss


def reconstruction_objective(targets: torch.Tensor, features: FeatureNet | None = None, feature_weight: float = 1.0,
                             degrade: Callable[[torch.Tensor], torch.Tensor] | None = None
                             ) -> Callable[[torch.Tensor], torch.Tensor]:
    """The loss an inversion minimises, as a function images (B, 3, S, S) -> (B,).

    It equals reconstruction_loss(degrade(images), targets, features, feature_weight), with the
    targets' features computed once. degrade (default: none) maps a full image to what was
    observed -- a masked, grey or low-resolution copy (gentut.invert.prior) -- so the same
    optimiser restores images it never saw whole.
    """
    degrade = degrade or (lambda images: images)
    use_features = features is not None and feature_weight != 0
    with torch.no_grad():
        target_features = features(targets) if use_features else None

    def objective(images: torch.Tensor) -> torch.Tensor:
        observed = degrade(images)
        loss = pixel_loss(observed, targets)
        if use_features:
            loss = loss + feature_weight * (features(observed) - target_features).pow(2).flatten(1).mean(1)
        return loss

    return objective

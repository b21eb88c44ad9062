"""Held-out evaluation of the zoo's models, shared by the training CLI, benchmarks and notebooks."""

from __future__ import annotations

from typing import Callable

import torch
import torch.nn as nn

from gentut.data.batch import Factor, LabeledImages
from gentut.losses import bits_per_dim, discretized_logistic_nll, kl_to_standard_normal, quantize_8bit
from gentut.metrics import binary_accuracy, confusion_iou, frechet_distance

__all__ = ["evaluate_predictor", "predictor_crosstalk", "evaluate_segmenter", "evaluate_vae", "sample_images", "generator_quality"]


def evaluate_predictor(model: nn.Module, data: LabeledImages, factors: tuple[Factor, ...]) -> dict[str, float]:
    """Per factor: accuracy of its binary attribute (binary factors and thresholded continuous
    ones), and mean absolute error of continuous factors. Keys like "accuracy/smile", "mae/age"."""
    predicted = model.predict(data.images)                       # (N, K)
    result = {}
    for k, factor in enumerate(factors):
        truth = data.factors[factor.name]
        threshold = 0.5 if factor.kind == "binary" else factor.threshold
        if threshold is not None:
            result[f"accuracy/{factor.name}"] = binary_accuracy(predicted[:, k], truth, threshold)
        if factor.kind == "continuous":
            result[f"mae/{factor.name}"] = (predicted[:, k] - truth).abs().mean().item()
    return result


@torch.no_grad()
def predictor_crosstalk(predictor: nn.Module, factors: dict[str, torch.Tensor],
                        render: Callable[[dict[str, torch.Tensor]], torch.Tensor],
                        low: float = 0.2, high: float = 0.8) -> torch.Tensor:
    """Does the judge read each factor alone? The ground-truth counterfactual of re-scoring.

    For every factor k in turn, render the faces (or scenes) of `factors` (name -> (n,) in [0, 1],
    in the predictor's output order) twice, with factor k set to `low` and to `high` (binary factors
    0 and 1) and everything else as drawn, and read both with `predictor.predict`. Returns
    (K, K): entry [k, j] the mean change of read factor j when true factor k goes low -> high; the
    diagonal is each factor's own change, off it what the predictor wrongly reads along with it.
    """
    names = list(factors)
    rows = []
    for name in names:
        values = torch.ones_like(factors[name])
        binary = bool(((factors[name] == 0) | (factors[name] == 1)).all())
        lo, hi = (0.0, 1.0) if binary else (low, high)
        read_low = predictor.predict(render({**factors, name: values * lo}))
        read_high = predictor.predict(render({**factors, name: values * hi}))
        rows.append((read_high - read_low).mean(0))
    return torch.stack(rows).cpu()


def evaluate_segmenter(model: nn.Module, data: LabeledImages, class_names: tuple[str, ...]) -> dict[str, float]:
    """Pixel accuracy, mean IoU and the IoU of every class on held-out scenes."""
    predicted = model.segment(data.images)
    ious = confusion_iou(predicted.cpu(), data.masks.cpu(), len(class_names))
    result = {"pixel_accuracy": (predicted == data.masks).float().mean().item(), "miou": ious.nanmean().item()}
    result.update({f"iou/{name}": iou.item() for name, iou in zip(class_names, ious)})
    return result


@torch.no_grad()
def evaluate_vae(model: nn.Module, data: LabeledImages, generator: torch.Generator) -> dict[str, float]:
    """Held-out -ELBO of the 8-bit images in nats per image (an upper bound on -log p(x)), split
    into reconstruction and KL terms, and in bits per sub-pixel."""
    rec, kl = [], []
    for i in range(0, len(data), 500):
        x = quantize_8bit(data.images[i:i + 500])
        mean, log_scale, mu, logvar = model(x, generator)
        rec.append(discretized_logistic_nll(x, mean, log_scale))
        kl.append(kl_to_standard_normal(mu, logvar))
    rec, kl = torch.cat(rec).mean().item(), torch.cat(kl).mean().item()
    dims = data.images[0].numel()
    return {"neg_elbo": rec + kl, "reconstruction": rec, "kl": kl, "bits_per_dim": bits_per_dim(rec + kl, dims)}


@torch.no_grad()
def sample_images(G: nn.Module, n: int, generator: torch.Generator, batch_size: int = 500, **kwargs) -> torch.Tensor:
    """n images from a generator (any model with `z_dim` and forward(z)): (n, 3, S, S) on G's device.
    A VAE is sampled through its decoder."""
    device = next(G.parameters()).device
    draw = G.decode if hasattr(G, "decode") else G
    out = []
    for i in range(0, n, batch_size):
        z = torch.randn(min(batch_size, n - i), G.z_dim, generator=generator).to(device)
        out.append(draw(z, **kwargs))
    return torch.cat(out)


def generator_quality(images: torch.Tensor, real: LabeledImages, predictor: nn.Module,
                      factors: tuple[Factor, ...]) -> dict[str, float]:
    """How real do generated images (N, 3, S, S) look to the kit's predictor?

    fd: Fréchet distance between predictor features of the images and of `real`;
    mean/NAME, std/NAME (and real_mean/NAME, real_std/NAME): the distribution of each factor as the
    predictor reads it off the samples (and off the real images). A generator whose samples the
    predictor cannot read shows implausible statistics, e.g. binary factors stuck near 0.5.
    """
    result = {"fd": frechet_distance(predictor_features(predictor, images), predictor_features(predictor, real.images))}
    for prefix, estimates in (("", predictor.predict(images)), ("real_", predictor.predict(real.images))):
        for k, factor in enumerate(factors):
            result[f"{prefix}mean/{factor.name}"] = estimates[:, k].mean().item()
            result[f"{prefix}std/{factor.name}"] = estimates[:, k].std().item()
    return result


@torch.no_grad()
def predictor_features(predictor: nn.Module, images: torch.Tensor, batch_size: int = 500) -> torch.Tensor:
    """The predictor's pooled features of images (N, 3, S, S): (N, feature_dim)."""
    return torch.cat([predictor.features(images[i:i + batch_size]) for i in range(0, len(images), batch_size)])

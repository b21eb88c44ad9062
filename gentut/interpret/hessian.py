"""The Hessian penalty (Peebles, Peebles, Zhu, Efros & Torralba, ECCV 2020).

A generator is disentangled in its input coordinates when moving one coordinate changes the
output in a way that does not depend on the other coordinates: every output's Hessian H with
respect to the input is diagonal. The penalty is the size of the off-diagonal part, estimated
without ever forming H:

    v ~ Rademacher (entries +-1):   Var_v(v^T H v) = 2 * sum_{i != j} H_ij^2
    v^T H v ~= (f(z + eps v) - 2 f(z) + f(z - eps v)) / eps^2       (central second difference)

The finite difference is exact for quadratic functions, and for a function with a diagonal
Hessian every v gives the same value, so the estimate is exactly 0.

    penalty = hessian_penalty(f, z, k=8, epsilon=0.1, generator=generator)    # f: (B, d) -> (B, ...)
    exact = offdiagonal_penalty(H)                                             # H (d, d)
    share = interaction_share(second_directional_derivatives(f, z, k=8))      # penalty / total curvature
"""

from __future__ import annotations

from typing import Callable

import torch

__all__ = ["rademacher", "second_directional_derivatives", "hessian_penalty", "interaction_share",
           "offdiagonal_penalty"]


def rademacher(shape: tuple[int, ...], generator: torch.Generator) -> torch.Tensor:
    """Random signs +-1 of the given shape, drawn on the CPU from `generator`."""
    return 2.0 * torch.randint(0, 2, shape, generator=generator) - 1.0


def second_directional_derivatives(f: Callable[[torch.Tensor], torch.Tensor], z: torch.Tensor, k: int = 2,
                                   epsilon: float = 0.1, generator: torch.Generator | None = None) -> torch.Tensor:
    """v^T H v by central differences for k Rademacher vectors v per point: (k, B, ...).

    f: (B, d) -> (B, ...); z: the points (B, d); epsilon: the finite-difference step.
    """
    generator = torch.Generator().manual_seed(0) if generator is None else generator
    f_z = f(z)
    return torch.stack([(f(z + epsilon * v) - 2 * f_z + f(z - epsilon * v)) / epsilon ** 2
                        for v in rademacher((k, *z.shape), generator).to(z)])


def hessian_penalty(f: Callable[[torch.Tensor], torch.Tensor], z: torch.Tensor, k: int = 2, epsilon: float = 0.1,
                    reduction: str = "max", generator: torch.Generator | None = None) -> torch.Tensor:
    """Estimate of Var_v(v^T H v) for a function f: (B, d) -> (B, ...) at the points z (B, d).

    k: Rademacher vectors per point (k >= 2: a sample variance); epsilon: finite-difference step.
    The variance is taken per point and per output element (unbiased, over the k vectors), then
    reduced over all of them: "max" (the paper), "mean", or "none" (shape (B, ...) of f's output).
    """
    if k < 2:
        raise ValueError(f"k must be at least 2 to estimate a variance, got {k}")
    if reduction not in ("max", "mean", "none"):
        raise ValueError(f"reduction must be 'max', 'mean' or 'none', got {reduction!r}")
    variance = second_directional_derivatives(f, z, k, epsilon, generator).var(0, unbiased=True)   # (B, ...)
    return {"max": variance.max, "mean": variance.mean, "none": lambda: variance}[reduction]()


def interaction_share(second: torch.Tensor) -> float:
    """The share of the curvature that is interaction between coordinates, in [0, 1].

    second: samples of v^T H v, (k, B, ...) from `second_directional_derivatives`. Since
    E_v[(v^T H v)^2] = tr(H)^2 + Var_v(v^T H v), the ratio of Var to E[(v^T H v)^2] (each summed
    over points and output elements) is 0 for a diagonal Hessian and 1 for a zero diagonal.
    Unlike the raw penalty it does not reward directions that barely change f at all.
    """
    if second.dim() < 2 or len(second) < 2:
        raise ValueError(f"second must be (k >= 2, B, ...) samples of v^T H v, got shape {tuple(second.shape)}")
    return (second.var(0, unbiased=True).sum() / second.pow(2).mean(0).sum().clamp_min(1e-30)).item()


def offdiagonal_penalty(hessian: torch.Tensor) -> torch.Tensor:
    """The exact value the estimator targets, 2 * sum_{i != j} H_ij^2, for a Hessian (d, d)."""
    if hessian.dim() != 2 or hessian.shape[0] != hessian.shape[1]:
        raise ValueError(f"hessian must be a square matrix (d, d), got shape {tuple(hessian.shape)}")
    off = hessian - torch.diag(torch.diagonal(hessian))
    return 2 * off.pow(2).sum()

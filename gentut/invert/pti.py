"""Pivotal Tuning Inversion (PTI; Roich, Mokady, Bermano & Cohen-Or, ACM TOG 2022).

Codes in W edit well but reconstruct an unseen image poorly; codes in W+ reconstruct well but
edit poorly. PTI keeps the editable code and moves the *generator* instead:

1. invert x into W: the pivot w_p (gentut.invert.optimize.invert(..., "w"));
2. tune a copy of G's synthesis weights so that G'(w_p) draws x instead of G(w_p):
       min_theta  ||G'(w_p) - x||^2 + lambda_F ||F(G'(w_p)) - F(x)||^2
   (the paper uses LPIPS + L2; the kit's F is the attribute predictor's feature space);
3. edit as usual: G'(w_p + alpha n) with the InterFaceGAN boundary n found for the original G.

Tuning on a batch tunes one generator for all its images (the paper's multi-identity variant);
the optional locality regulariser keeps G' close to G on random codes (PTI, section 3.3).
"""

from __future__ import annotations

import copy
import time

import torch
import torch.nn as nn
from gentut.progress import tqdm

from gentut.checks import check_images
from gentut.interpret.edits import broadcast_ws
from gentut.invert.losses import FeatureNet, reconstruction_objective

__all__ = ["pivotal_tuning"]


def pivotal_tuning(G: nn.Module, pivot_ws: torch.Tensor, targets: torch.Tensor, *,
                   features: FeatureNet | None = None, feature_weight: float = 1.0, steps: int = 50,
                   lr: float = 3e-3, locality_weight: float = 0.0, generator: torch.Generator | None = None,
                   progress: bool = True) -> tuple[nn.Module, torch.Tensor, float]:
    """Tune a copy of G so that G'.synthesis(pivot_ws) reproduces targets (B, 3, S, S).

    pivot_ws: (B, num_ws, w_dim), fixed. Only the synthesis weights change (the mapping, and so
    the meaning of z and w_avg, stay). locality_weight > 0 adds ||G'(w_r) - G(w_r)||^2 on 4 random
    codes w_r per step, drawn from `generator`. Returns (G', losses (steps, B), seconds); G'
    comes back in eval mode without gradients, like a zoo model; G itself is not changed.
    """
    check_images(targets, "targets", like=next(G.parameters()))
    if pivot_ws.dim() != 3 or len(pivot_ws) != len(targets):
        raise ValueError(f"pivot_ws must be (B, num_ws, w_dim) with one row per target; got "
                         f"{tuple(pivot_ws.shape)} for {len(targets)} targets")
    tuned = copy.deepcopy(G).requires_grad_(False)
    weights = [p for name, p in tuned.named_parameters() if not name.startswith("mapping.")]
    for p in weights:
        p.requires_grad_(True)
    objective = reconstruction_objective(targets, features, feature_weight)
    optimizer = torch.optim.Adam(weights, lr=lr)
    pivot_ws, losses = pivot_ws.detach(), []
    start = time.perf_counter()
    for _ in tqdm(range(steps), desc="pivotal tuning", disable=not progress, leave=False):
        loss = objective(tuned.synthesis(pivot_ws))                                  # (B,)
        total = loss.sum()
        if locality_weight:
            total = total + locality_weight * locality_loss(G, tuned, 4, generator)
        optimizer.zero_grad()
        total.backward()
        optimizer.step()
        losses.append(loss.detach())
    seconds = time.perf_counter() - start
    return tuned.eval().requires_grad_(False), torch.stack(losses), seconds


def locality_loss(G: nn.Module, tuned: nn.Module, n: int, generator: torch.Generator | None) -> torch.Tensor:
    """Mean squared difference of G and the tuned copy on n random codes: a scalar."""
    with torch.no_grad():
        z = torch.randn(n, G.z_dim, generator=generator).to(G.w_avg.device)
        ws = broadcast_ws(G, G.mapping(z))
        reference = G.synthesis(ws)
    return (tuned.synthesis(ws) - reference).pow(2).mean()

"""Optimisation-based inversion (Image2StyleGAN, Abdal et al. 2019): find the code that draws x.

    z* = argmin_z L(G(z), x)

with L the pixel + feature loss of gentut.invert.losses, by gradient descent (Adam) on the code
itself, in one of three spaces of a style generator:

    "z"   z (B, z_dim)               -> mapping -> w copied to every layer    (the prior's space)
    "w"   w (B, w_dim)               -> copied to every layer                 (StyleGAN's W)
    "w+"  ws (B, num_ws, w_dim)      one w per layer                          (7x more freedom)

More freedom reconstructs better but can leave the region the generator was trained on, where
edits stop meaning what they mean for sampled codes: the distortion-editability trade-off
notebook 07 measures. A batch of targets is a batch of independent inversions (the loss is a sum
of per-image terms and Adam's steps are per coordinate), so batching only saves time.

    run = invert(G, targets, "w+", features=P.features, steps=150)
    run.images, run.ws, run.losses (steps, B), run.snapshots (n, B, 3, S, S), run.seconds
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn as nn
from gentut.progress import tqdm

from gentut.checks import check_images
from gentut.interpret.edits import broadcast_ws
from gentut.invert.losses import FeatureNet, reconstruction_objective

__all__ = ["SPACES", "InversionRun", "codes_to_ws", "initial_code", "invert"]

SPACES = ("z", "w", "w+")
Regularizer = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


@dataclass
class InversionRun:
    """What an inversion returns.

    code: the optimised variable ((B, z_dim), (B, w_dim) or (B, num_ws, w_dim), see `space`);
    ws: the same codes in W+ form (B, num_ws, w_dim), ready for G.synthesis and for edits;
    images: G.synthesis(ws) (B, 3, S, S); losses: the objective of every image at every step
    (steps, B); snapshots: reconstructions (n, B, 3, S, S) at `snapshot_steps` (step 0 = the
    start, the last = the result); seconds: wall-clock time of the whole batch.
    """

    space: str
    code: torch.Tensor
    ws: torch.Tensor
    images: torch.Tensor
    losses: torch.Tensor
    snapshots: torch.Tensor
    snapshot_steps: list[int]
    seconds: float

    @property
    def seconds_per_image(self) -> float:
        """Batch time divided by the batch size."""
        return self.seconds / len(self.images)

    def subset(self, indices) -> "InversionRun":
        """The same run restricted to some images (a list or tensor of indices); seconds kept per
        image, so `seconds_per_image` does not change."""
        index = torch.as_tensor(indices, dtype=torch.long)
        return InversionRun(self.space, self.code[index.to(self.code.device)], self.ws[index.to(self.ws.device)],
                            self.images[index.to(self.images.device)], self.losses[:, index.to(self.losses.device)],
                            self.snapshots[:, index.to(self.snapshots.device)], self.snapshot_steps,
                            self.seconds_per_image * len(index))


def check_space(space: str) -> None:
    if space not in SPACES:
        raise ValueError(f"unknown latent space {space!r}; choose one of {SPACES}")


def codes_to_ws(G: nn.Module, code: torch.Tensor, space: str) -> torch.Tensor:
    """Codes of `space` -> ws (B, num_ws, w_dim): z through the mapping, w copied to every layer."""
    check_space(space)
    if space == "w+":
        return code
    return broadcast_ws(G, G.mapping(code) if space == "z" else code)


@torch.no_grad()
def initial_code(G: nn.Module, n: int, space: str, generator: torch.Generator | None = None) -> torch.Tensor:
    """Where the search starts: random z ~ N(0, I) for "z" (drawn on the CPU from `generator`);
    the mean code w_avg for "w" (B, w_dim) and "w+" (B, num_ws, w_dim), as StyleGAN's projector does."""
    check_space(space)
    device = G.w_avg.device
    if space == "z":
        return torch.randn(n, G.z_dim, generator=generator).to(device)
    w = G.w_avg.expand(n, -1)
    return broadcast_ws(G, w) if space == "w+" else w.clone()


def invert(G: nn.Module, targets: torch.Tensor, space: str = "w", *, features: FeatureNet | None = None,
           feature_weight: float = 1.0, degrade: Callable[[torch.Tensor], torch.Tensor] | None = None,
           regularizer: Regularizer | None = None, init: torch.Tensor | None = None, steps: int = 100,
           lr: float = 0.05, snapshot_every: int = 10, generator: torch.Generator | None = None,
           progress: bool = True, desc: str | None = None) -> InversionRun:
    """Invert targets (B, 3, S, S) in [0, 1] (or degraded observations, see `degrade`) into `space`.

    Minimises, for each image, reconstruction_objective(...)(G(code)) + regularizer(ws, images)
    with Adam at learning rate `lr` (cosine decay to 0) for `steps` steps, from `init` or
    `initial_code`. regularizer(ws (B, num_ws, w_dim), images (B, 3, S, S)) -> (B,) adds a
    per-image penalty (the in-domain term, gentut.invert.indomain). G's weights are not changed.
    Targets are checked first (gentut.checks.check_images): NaN, 0-255 values, uint8 or a
    dtype or device other than G's raise an error that says how to convert them.
    """
    check_space(space)
    check_images(targets, "targets", like=next(G.parameters()))
    if steps < 1 or snapshot_every < 1:
        raise ValueError(f"steps and snapshot_every must be >= 1, got {steps} and {snapshot_every}")
    objective = reconstruction_objective(targets, features, feature_weight, degrade)
    code = (initial_code(G, len(targets), space, generator) if init is None else init.detach().clone())
    code = code.to(targets.device).requires_grad_(True)
    optimizer = torch.optim.Adam([code], lr=lr)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=steps)
    losses, snapshots, snapshot_steps = [], [], []
    start = time.perf_counter()
    for step in tqdm(range(steps), desc=desc or f"inversion into {space}", disable=not progress, leave=False):
        ws = codes_to_ws(G, code, space)
        images = G.synthesis(ws)
        loss = objective(images) + (regularizer(ws, images) if regularizer is not None else 0)
        (code.grad,) = torch.autograd.grad(loss.sum(), code)        # gradients for the code only, not G
        optimizer.step()
        schedule.step()
        losses.append(loss.detach())
        if step % snapshot_every == 0:
            snapshots.append(images.detach())
            snapshot_steps.append(step)
    with torch.no_grad():
        ws = codes_to_ws(G, code, space).detach().clone()
        images = G.synthesis(ws)
    seconds = time.perf_counter() - start
    return InversionRun(space, code.detach(), ws, images, torch.stack(losses), torch.stack(snapshots + [images]),
                        snapshot_steps + [steps], seconds)

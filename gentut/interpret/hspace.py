"""Semantic directions in a diffusion model's U-Net bottleneck ("h-space", Kwon et al., ICLR 2023).

A GAN has one latent code per image; a diffusion model has a noise image x_T and, at every
sampling step, the U-Net's middle activations h_t. Kwon, Jeong and Uh found that h behaves like a
GAN's W: adding one fixed vector delta-h to it during the early sampling steps changes the same
attribute on every image. The kit finds delta-h the InterFaceGAN way (notebook 05) and re-scores
it with the attribute predictor, exactly as it re-scores the style generator's W directions:

    record = record_hspace(model, noise, steps=25)            # h averaged over the edit steps, per image
    scores = predictor.predict(record.images)                  # what each sample shows
    boundaries = fit_boundaries(record.h, scores, names)       # gentut.interpret.rescoring
    delta = std_steps(stack_normals(boundaries), record.h)     # one std of h along each normal
    edited = hspace_sample(model, noise, 3 * delta[0].view(record.shape))

How the edit is applied (the paper's "asymmetric reverse process"): at each edited step the
DDIM update takes its estimate of x_0 from the edited prediction but re-noises it with the
unedited one, x' = sqrt(abar') x0_hat(eps_edited) + sqrt(1 - abar') eps. Editing both terms
mostly cancels (the paper's observation: the next step sees a consistent x_t and undoes the
change). Deviations from the paper, for a CPU: the directions are linear boundaries in h
(not the paper's small network trained with a CLIP loss), one delta-h for all edited steps
(the paper's is step-dependent), and h is the bottleneck averaged over the edited steps when
fitting. The edited steps are the first half of the DDIM steps (the paper picks its interval by
a perceptual distance).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn

from gentut.diffusion import ddim_step, ddim_timesteps, to_image_range

__all__ = ["HSpaceRecord", "edited_steps", "record_hspace", "hspace_sample"]


@dataclass
class HSpaceRecord:
    """What `record_hspace` returns: h (N, C*H*W) averaged over the edited steps, on the CPU; the
    final images (N, 3, S, S) in [0, 1]; shape (C, H, W) of one image's h."""

    h: torch.Tensor
    images: torch.Tensor
    shape: tuple[int, int, int]


def edited_steps(steps: int, edit_fraction: float = 0.5) -> int:
    """How many of the first DDIM steps are edited: round(steps * edit_fraction), at least 1."""
    if not 0 < edit_fraction <= 1:
        raise ValueError(f"edit_fraction must be in (0, 1], got {edit_fraction}")
    return max(1, round(steps * edit_fraction))


def _ddim_with_hspace(model: nn.Module, x: torch.Tensor, delta: torch.Tensor | None, steps: int, n_edit: int,
                      cond: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
    """DDIM from x (n, 3, S, S) in the model's range, h <- h + delta at the first n_edit steps (the
    asymmetric step: gentut.diffusion.ddim_step's eps_for_x0). Returns (x_0 (n, 3, S, S) in the
    model's range, the unedited h averaged over the first n_edit steps (n, C, H, W))."""
    schedule = model.schedule()
    times = ddim_timesteps(schedule, steps)
    h_sum = 0.0
    for i, (t, t_next) in enumerate(zip(times, times[1:] + [-1])):
        tt = torch.full((len(x),), t, device=x.device, dtype=torch.long)
        h, skips, emb = model.encode(x, tt, cond)
        eps = model.eps_from_output(model.decode(h, skips, emb), x, tt)
        edited = None
        if i < n_edit:
            h_sum = h_sum + h
            if delta is not None:
                edited = model.eps_from_output(model.decode(h + delta.to(h), skips, emb), x, tt)
        x = ddim_step(schedule, x, eps, t, t_next, clip=True, eps_for_x0=edited)
    return x, h_sum / n_edit


@torch.no_grad()
def hspace_sample(model: nn.Module, noise: torch.Tensor, delta: torch.Tensor | None = None, *, steps: int = 25,
                  edit_fraction: float = 0.5, cond: torch.Tensor | None = None) -> torch.Tensor:
    """DDIM from x_T = noise (n, 3, S, S), h <- h + delta at the first edited steps: images (n, 3, S, S).

    delta: (C, H, W) or (n, C, H, W), or None for the unedited sample (plain DDIM with clipping);
    cond: the condition (n, K), None for the unconditional model (the kit's h-space study).
    """
    x = noise.to(next(model.parameters()).device)
    x, _ = _ddim_with_hspace(model, x, delta, steps, edited_steps(steps, edit_fraction), cond)
    return to_image_range(x)


@torch.no_grad()
def record_hspace(model: nn.Module, noise: torch.Tensor, *, steps: int = 25, edit_fraction: float = 0.5,
                  cond: torch.Tensor | None = None, batch_size: int = 250) -> HSpaceRecord:
    """Sample from noise (N, 3, S, S) with DDIM and keep each image's h averaged over the steps that
    `hspace_sample` edits: the codes that boundaries are fitted on. Returns an HSpaceRecord."""
    device = next(model.parameters()).device
    n_edit = edited_steps(steps, edit_fraction)
    hs, images = [], []
    for start in range(0, len(noise), batch_size):
        c = None if cond is None else cond[start:start + batch_size]
        x, h = _ddim_with_hspace(model, noise[start:start + batch_size].to(device), None, steps, n_edit, c)
        hs.append(h.flatten(1).cpu())
        images.append(to_image_range(x).cpu())
    return HSpaceRecord(torch.cat(hs), torch.cat(images), tuple(h.shape[1:]))

"""StyleCLIP (Patashnik et al. 2021): edit generated images from a sentence, through a CLIP.

Two of the paper's three methods, driven by the kit's tiny CLIP (gentut/models/clip.py):

1. **Latent optimisation.** Start from a face's code w_s (in W+, one w per layer) and minimise

       D_CLIP(G(w), t) + lambda_L2 ||w - w_s||^2        (D_CLIP = 1 - cosine similarity)

   with Adam, as the authors' run_optimization.py does: learning rate 0.1 with its cosine
   ramp-down and linear ramp-up, lambda_L2 = 0.008, no identity loss (its default weight is 0;
   the kit has no face-recognition network anyway). Deviation: 300 steps there, `steps` here
   (60 by default: a 32x32 generator converges sooner). One run per sentence and face.

       ws, history = optimise_text_edit(G, clip, ws_start, "a face, smiling")

2. **Global directions** in S (StyleSpace, gentut/interpret/stylespace.py). For every S channel c,
   move it by +-5 standard deviations on a set of faces and see how CLIP's image vector moves:
   the mean of the normalised differences is the channel's direction in CLIP space, delta_i_c
   (`channel_clip_directions`, the authors' single_channel.npy and GetFs). A sentence pair
   (target "a face, smiling", neutral "a face") gives a direction delta_t in the same space
   (`text_direction`); each channel's relevance is delta_i_c . delta_t; channels below the
   threshold are dropped and the rest scaled so the largest is 1 (`global_direction`, the
   authors' GetBoundary; the threshold beta is relative here, see there why). The edit is s + alpha * direction * channel std: one forward pass,
   any sentence, no optimisation.

       effects = channel_clip_directions(G, clip, layout, styles[:32], std)    # (C, D), once per generator
       direction = global_direction(effects, text_direction(clip, "a face, smiling", "a face"), beta=0.9)
       edited = styles + alpha * direction * std

The paper's third method, a mapper network trained per sentence, is left out: it is
latent optimisation made fast, at the price of a training run per text.
"""

from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from gentut.interpret.stylespace import StyleLayout, render_styles
from gentut.progress import tqdm

__all__ = ["clip_similarity", "clip_distance", "ramped_lr", "optimise_text_edit", "text_direction", "channel_clip_directions",
           "global_direction", "apply_global_direction", "render_text_edit"]


def clip_similarity(clip: nn.Module, images: torch.Tensor, text_vector: torch.Tensor) -> torch.Tensor:
    """cos(CLIP image vector, text vector): images (n, 3, S, S), text_vector (D,) unit -> (n,)."""
    return clip.encode_image(images) @ text_vector


def clip_distance(clip: nn.Module, images: torch.Tensor, text_vector: torch.Tensor) -> torch.Tensor:
    """D_CLIP = 1 - cos(CLIP image vector, text vector): (n, 3, S, S), (D,) -> (n,)."""
    return 1 - clip_similarity(clip, images, text_vector)


def ramped_lr(t: float, initial_lr: float, rampdown: float = 0.25, rampup: float = 0.05) -> float:
    """The authors' schedule at progress t in [0, 1]: linear ramp-up over the first 5 %, cosine
    ramp-down over the last 25 % (StyleGAN2's projector schedule)."""
    ramp = 0.5 - 0.5 * math.cos(min(1.0, (1 - t) / rampdown) * math.pi)
    return initial_lr * ramp * min(1.0, t / rampup)


def optimise_text_edit(G: nn.Module, clip: nn.Module, ws_start: torch.Tensor, text: str, *, steps: int = 60,
                       lr: float = 0.1, l2_weight: float = 0.008,
                       progress: bool = True) -> tuple[torch.Tensor, dict[str, list[float]]]:
    """StyleCLIP's latent optimisation of codes ws_start (n, num_ws, w_dim) towards `text`.

    Each code is optimised on its own (the loss is a sum over codes, and Adam works per
    coordinate, so a batch gives the same result as n separate runs). Returns (the optimised
    codes (n, num_ws, w_dim), history {"clip": mean D_CLIP per step, "l2": mean ||w - w_s||^2}).
    """
    text_vector = clip.encode_text(text)[0].detach()
    start = ws_start.detach()
    ws = start.clone().requires_grad_(True)
    optimizer = torch.optim.Adam([ws], lr=lr)
    history: dict[str, list[float]] = {"clip": [], "l2": []}
    with torch.enable_grad():
        for step in tqdm(range(steps), desc=f"optimise towards {text!r}", disable=not progress):
            optimizer.param_groups[0]["lr"] = ramped_lr(step / steps, lr)
            distance = clip_distance(clip, G.synthesis(ws), text_vector)              # (n,)
            l2 = (ws - start).pow(2).sum((1, 2))                                      # (n,)
            loss = (distance + l2_weight * l2).sum()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            history["clip"].append(distance.mean().item())
            history["l2"].append(l2.mean().item())
    return ws.detach(), history


@torch.no_grad()
def text_direction(clip: nn.Module, target: str, neutral: str) -> torch.Tensor:
    """delta_t: the unit vector from the neutral sentence to the target one in CLIP space, (D,)."""
    vectors = clip.encode_text([target, neutral])
    return F.normalize(vectors[0] - vectors[1], dim=0)


@torch.no_grad()
def channel_clip_directions(G: nn.Module, clip: nn.Module, layout: StyleLayout, styles: torch.Tensor,
                            std: torch.Tensor, strength: float = 5.0, channels_per_batch: int = 8,
                            progress: bool = True) -> torch.Tensor:
    """delta_i: where moving each S channel takes CLIP's image vector, (C, D) unit rows.

    styles (n, C): the faces to average over; std (C,): the channels' spread. For channel c, every
    face is rendered with s_c + strength * std_c and s_c - strength * std_c; the difference of the
    two (unit) image vectors is normalised per face, averaged over faces and normalised again.
    """
    n, n_channels = styles.shape
    rows = []
    for first in tqdm(range(0, n_channels, channels_per_batch), desc="single-channel edits", disable=not progress):
        channels = range(first, min(first + channels_per_batch, n_channels))
        k = len(channels)
        moved = styles.unsqueeze(0).repeat(2 * k, 1, 1)                             # (2k, n, C): +, then -
        for j, c in enumerate(channels):
            moved[j, :, c] += strength * std[c]
            moved[k + j, :, c] -= strength * std[c]
        vectors = clip.encode_image(render_styles(G, layout, moved.view(-1, n_channels))).view(2, k, n, -1)
        per_face = F.normalize(vectors[0] - vectors[1], dim=-1)                       # (k, n, D)
        rows.append(F.normalize(per_face.mean(1), dim=-1))
    return torch.cat(rows)


def global_direction(channel_directions: torch.Tensor, delta_t: torch.Tensor, beta: float) -> torch.Tensor:
    """The S edit for a text direction: (C, D), (D,) -> (C,) in units of each channel's std.

    relevance_c = delta_i_c . delta_t; channels with |relevance| < beta * max |relevance| are set
    to 0 (beta in [0, 1] is the paper's disentanglement threshold: higher keeps fewer channels);
    the rest are divided by the largest |relevance|, so the most relevant channel moves by 1.

    Deviation: the paper's beta is absolute (about 0.1 - 0.2 in CLIP's 512-d space). In the tiny
    CLIP's 64-d space the best channel's relevance ranges from 0.46 to 0.96 across the notebook's
    sentences, so one absolute beta keeps no channel for one sentence and hundreds for another;
    here beta is a share of the largest relevance, so one value means the same for every sentence.
    """
    if not 0.0 <= beta <= 1.0:
        raise ValueError(f"beta is a share of the largest relevance, in [0, 1]; got {beta}")
    relevance = channel_directions @ delta_t
    largest = relevance.abs().max()
    if largest == 0:
        return torch.zeros_like(relevance)
    kept = torch.where(relevance.abs() >= beta * largest, relevance, torch.zeros_like(relevance))
    return kept / largest


def apply_global_direction(styles: torch.Tensor, direction: torch.Tensor, std: torch.Tensor,
                           alpha: float) -> torch.Tensor:
    """S codes (n, C) moved by alpha * direction (C,) * std (C,): the edited codes (n, C)."""
    return styles + alpha * direction * std


def render_text_edit(G: nn.Module, layout: StyleLayout, styles: torch.Tensor, direction: torch.Tensor,
                     std: torch.Tensor, alpha: float) -> torch.Tensor:
    """Images (n, 3, S, S) of S codes (n, C) after a global-direction edit of strength alpha."""
    return render_styles(G, layout, apply_global_direction(styles, direction, std, alpha))


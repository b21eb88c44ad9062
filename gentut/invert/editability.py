"""Editability: does an edit of an *inverted* code do what it does to the generator's own codes?

InterFaceGAN boundaries (gentut.interpret.rescoring) are fitted on sampled codes. After an
inversion, move each code across the boundary of one attribute -- towards "more" if the
predictor reads the attribute as absent, towards "less" if present -- and let the predictor
score the edited image:

    gain   how far the attribute moved in the intended direction (predictor units, [0, 1] scale)
    drift  the mean absolute change of every *other* factor (identity, pose, background ...)

A code the generator "understands" gains about as much as a sampled code and drifts little;
codes that only reproduce the pixels (W+, out of domain) often gain less or drift more.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import torch
import torch.nn as nn

from gentut.interpret.edits import edit_ws, render_ws

__all__ = ["edit_towards_other_side", "edit_scores", "mean_edit_scores"]


def edit_towards_other_side(ws: torch.Tensor, direction: torch.Tensor, scores: torch.Tensor, strength: float,
                            threshold: float = 0.5, layers: Iterable[int] | None = None) -> torch.Tensor:
    """Move each code ws[i] (B, num_ws, w_dim) by +strength * direction if scores[i] < threshold,
    else by -strength * direction: the edit that flips the attribute. Returns (B, num_ws, w_dim)."""
    sign = torch.where(scores.to(ws.device) < threshold, 1.0, -1.0)
    return edit_ws(ws, direction, sign * strength, layers)


@torch.no_grad()
def edit_scores(G: nn.Module, predictor: nn.Module, ws: torch.Tensor, direction: torch.Tensor, factor: int,
                strength: float, threshold: float = 0.5,
                layers: Iterable[int] | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """(gain (B,), drift (B,)) of flipping predictor factor `factor` of the images G.synthesis(ws).

    direction: (w_dim,) editing direction (e.g. a boundary normal scaled by gentut.interpret.
    rescoring.std_steps); strength: how far to move. gain = signed change of the factor towards
    the other side; drift = mean |change| of the other factors.
    """
    before = predictor.predict(render_ws(G, ws))                                         # (B, K)
    edited = edit_towards_other_side(ws, direction, before[:, factor], strength, threshold, layers)
    change = predictor.predict(render_ws(G, edited)) - before                            # (B, K)
    sign = torch.where(before[:, factor] < threshold, 1.0, -1.0)
    others = [k for k in range(change.shape[1]) if k != factor]
    return sign * change[:, factor], change[:, others].abs().mean(1)


@torch.no_grad()
def mean_edit_scores(G: nn.Module, predictor: nn.Module, ws: torch.Tensor, directions: Mapping[int, torch.Tensor],
                     strength: float) -> tuple[float, float]:
    """(gain, drift) of `edit_scores` averaged over the images and over several attributes;
    directions: factor index -> direction (w_dim,)."""
    scores = [edit_scores(G, predictor, ws, d, k, strength) for k, d in directions.items()]
    return (torch.stack([gain for gain, _ in scores]).mean().item(),
            torch.stack([drift for _, drift in scores]).mean().item())

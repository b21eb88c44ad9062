"""Does 3-D emerge from a 2-D GAN? A pose direction, measured against the true rotation.

A GAN trained on single photos never sees one face from two sides, yet InterFaceGAN finds a
direction that turns heads (notebook 05). Is that a rotation? The kit's faces are rendered from
known factors, so the true answer exists: render the *same* face at the pose the edited image
shows, and compare.

    sweep = viewpoint_sweep(G, predictor, ws, real.factors, n_yaw, strengths, names)
    sweep.read_pose     # (k, n): the pose the predictor reads after each strength
    sweep.psnr_edit     # (k, n): the GAN's turned face against the same face truly turned to that pose
    sweep.psnr_still    # (k, n): the unturned face against the same target (doing nothing)
    sweep.drift         # (k, n, n_factors): how far every factor moved (the pose's own column included)

ws are codes of real faces (an encoder's, notebook 07), so each has its true factors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn as nn

from gentut.data.faces import render_faces
from gentut.interpret.edits import edit_ws, render_ws
from gentut.metrics import psnr

__all__ = ["ViewpointSweep", "viewpoint_sweep"]


@dataclass
class ViewpointSweep:
    """What a pose edit did at each strength (k strengths, n faces); see the module docstring."""

    strengths: torch.Tensor
    read_pose: torch.Tensor
    psnr_edit: torch.Tensor
    psnr_still: torch.Tensor
    drift: torch.Tensor


@torch.no_grad()
def viewpoint_sweep(G: nn.Module, predictor: nn.Module, ws: torch.Tensor, factors: dict[str, torch.Tensor],
                    direction: torch.Tensor, strengths: Sequence[float], factor_names: Sequence[str],
                    pose: str = "yaw") -> ViewpointSweep:
    """Move codes ws (n, num_ws, w_dim) of faces with true `factors` along `direction` (w_dim,).

    At each strength: the pose the predictor reads from the edited image; the true render of each
    face at that pose (every other factor as it truly is); the PSNR of the edited image and of the
    unedited image against that render; and the predictor's change of every factor.
    """
    j = list(factor_names).index(pose)
    still = render_ws(G, ws)
    start = predictor.predict(still).cpu()                                     # (n, n_factors)
    still = still.cpu()
    read, edit_psnr, still_psnr, drift = [], [], [], []
    for strength in strengths:
        edited = render_ws(G, edit_ws(ws, direction, float(strength))).cpu()
        scores = predictor.predict(edited.to(ws.device)).cpu()
        target = render_faces({**{k: v.cpu() for k, v in factors.items()}, pose: scores[:, j].clamp(0, 1)},
                              edited.shape[-1])
        read.append(scores[:, j])
        edit_psnr.append(psnr(edited, target))
        still_psnr.append(psnr(still, target))
        drift.append(scores - start)
    return ViewpointSweep(torch.tensor([float(s) for s in strengths]), torch.stack(read), torch.stack(edit_psnr),
                          torch.stack(still_psnr), torch.stack(drift))

"""One row of notebook 07's comparison table per inversion method.

    row = score_inversion(G, ws, targets, predictor, E, directions, strength=2.0, seconds_per_image=0.4)
    print(format_table({"W": row, "W+": ...}))

Columns: PSNR (dB) and feature distance of the reconstruction (distortion), seconds per image,
edit gain and drift averaged over the given attribute directions (editability, see
gentut.invert.editability), and the domain gap ||w - E(G(w))||^2 (how far the code lies from
the codes the encoder -- trained on the generator's own samples -- gives back).
"""

from __future__ import annotations

from collections.abc import Mapping

import torch
import torch.nn as nn

from gentut.invert.editability import mean_edit_scores
from gentut.invert.indomain import domain_regularizer
from gentut.metrics import psnr

__all__ = ["COLUMNS", "score_inversion", "format_table"]

COLUMNS = {"psnr": "PSNR dB", "feature": "feat dist", "seconds": "s/image", "gain": "edit gain",
           "drift": "drift", "domain": "domain gap"}


@torch.no_grad()
def score_inversion(G: nn.Module, ws: torch.Tensor, targets: torch.Tensor, predictor: nn.Module, E: nn.Module,
                    directions: Mapping[int, torch.Tensor], strength: float, seconds_per_image: float,
                    reference_G: nn.Module | None = None) -> dict[str, float]:
    """Scores of codes ws (B, num_ws, w_dim) drawn by G against targets (B, 3, S, S).

    directions: factor index -> editing direction (w_dim,); reference_G: the original generator,
    for the domain gap when G was tuned (PTI); default G. Returns a dict with the COLUMNS keys.
    """
    images = G.synthesis(ws)
    reference_G = G if reference_G is None else reference_G
    gain, drift = mean_edit_scores(G, predictor, ws, directions, strength)
    return {"psnr": psnr(images, targets).mean().item(),
            "feature": (predictor.features(images) - predictor.features(targets)).pow(2).mean().item(),
            "seconds": seconds_per_image,
            "gain": gain, "drift": drift,
            "domain": domain_regularizer(E, ws, reference_G.synthesis(ws)).mean().item()}


def format_table(rows: Mapping[str, Mapping[str, float]], columns: Mapping[str, str] = COLUMNS,
                 digits: Mapping[str, int] | None = None) -> str:
    """A text table: one line per row name, one column per key of `columns` present in the rows."""
    digits = {"psnr": 1, "feature": 3, "seconds": 3, "gain": 2, "drift": 3, "domain": 3, **(digits or {})}
    keys = [k for k in columns if any(k in row for row in rows.values())]
    width = max(len(name) for name in rows) + 2
    lines = [" " * width + " ".join(f"{columns[k]:>10s}" for k in keys)]
    for name, row in rows.items():
        cells = [f"{row[k]:10.{digits.get(k, 3)}f}" if k in row else " " * 10 for k in keys]
        lines.append(f"{name:{width}s}" + " ".join(cells))
    return "\n".join(lines)

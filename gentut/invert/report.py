"""Notebook 07's comparison table: every inversion method scored face by face, shown with intervals.

    scores = score_inversion(G, ws, targets, predictor, E, directions, strength=2.0)   # per face
    print(format_table({"W": (scores, seconds_per_image), "W+": ...}))

Columns: PSNR (dB) and feature distance of the reconstruction (distortion), edit gain and drift
averaged over the given attribute directions (editability, see gentut.invert.editability), the
domain gap ||w - E(G(w))||^2 (how far the code lies from the codes the encoder -- trained on the
generator's own samples -- gives back), and seconds per image. Each score is kept per face, so
the table prints each mean with its 95 % bootstrap interval over the faces and a notebook can
compare two methods on the same faces (gentut.evidence.compare).
"""

from __future__ import annotations

from collections.abc import Mapping

import torch
import torch.nn as nn

from gentut.evidence import mean_interval
from gentut.invert.editability import edit_scores
from gentut.invert.indomain import domain_regularizer
from gentut.metrics import psnr

__all__ = ["COLUMNS", "score_inversion", "format_table"]

COLUMNS = {"psnr": "PSNR dB", "feature": "feature distance", "gain": "edit gain", "drift": "drift",
           "domain": "domain gap"}
DIGITS = {"psnr": 1, "feature": 3, "gain": 2, "drift": 3, "domain": 3}


@torch.no_grad()
def score_inversion(G: nn.Module, ws: torch.Tensor, targets: torch.Tensor, predictor: nn.Module, E: nn.Module,
                    directions: Mapping[int, torch.Tensor], strength: float,
                    reference_G: nn.Module | None = None) -> dict[str, torch.Tensor]:
    """Scores of codes ws (B, num_ws, w_dim) drawn by G against targets (B, 3, S, S): each (B,).

    directions: factor index -> editing direction (w_dim,); edit gain and drift are averaged over
    them per face. reference_G: the original generator, for the domain gap when G was tuned (PTI);
    default G. Returns {"psnr", "feature", "gain", "drift", "domain"}, one value per face, on the CPU.
    """
    images = G.synthesis(ws)
    reference_G = G if reference_G is None else reference_G
    edits = [edit_scores(G, predictor, ws, d, k, strength) for k, d in directions.items()]
    scores = {"psnr": psnr(images, targets),
              "feature": (predictor.features(images) - predictor.features(targets)).pow(2).mean(1),
              "gain": torch.stack([gain for gain, _ in edits]).mean(0),
              "drift": torch.stack([drift for _, drift in edits]).mean(0),
              "domain": domain_regularizer(E, ws, reference_G.synthesis(ws))}
    return {k: v.cpu() for k, v in scores.items()}


def format_table(rows: Mapping[str, tuple[Mapping[str, torch.Tensor], float | None]],
                 columns: Mapping[str, str] = COLUMNS) -> str:
    """A text table, one line per method: rows maps a name to (per-face scores, seconds per image).

    Each cell is the mean over the faces and its 95 % bootstrap interval; a column is printed
    when some row has it.
    """
    keys = [k for k in columns if any(k in scores for scores, _ in rows.values())]
    width = max(len(name) for name in rows) + 2
    cell = 22
    lines = [" " * width + "".join(f"{columns[k]:>{cell}s}" for k in keys) + f"{'s / image':>11s}"]
    for name, (scores, seconds) in rows.items():
        cells = []
        for k in keys:
            if k in scores:
                e = mean_interval(scores[k])
                d = DIGITS[k]
                cells.append(f"{e.value:.{d}f} [{e.low:.{d}f}, {e.high:.{d}f}]".rjust(cell))
            else:
                cells.append(" " * cell)
        lines.append(f"{name:{width}s}" + "".join(cells) + (f"{seconds:11.3f}" if seconds is not None else ""))
    return "\n".join(lines)

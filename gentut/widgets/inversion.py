"""Slider callbacks and panels of notebook 07 (inversion).

steps        scrub the snapshots an inversion stored: how each method's picture forms
regularizer  the in-domain weight lambda: reconstruction and an edit, for each stored lambda
edit         move inverted codes along an InterFaceGAN direction: does every method's face follow?

Each `*_view` is a pure function that returns a uint8 picture (rows = methods, columns = images,
the first row the targets); each `*_panel` only wires sliders to it.
"""

from __future__ import annotations

from collections.abc import Mapping

import ipywidgets as widgets
import numpy as np
import torch
import torch.nn as nn

from gentut.interpret.edits import edit_ws, render_ws
from gentut.invert.optimize import InversionRun
from gentut.widgets.panel import choice_buttons, image_panel
from gentut.widgets.render import image_grid

__all__ = ["snapshot_at", "steps_view", "steps_panel", "regularizer_view", "regularizer_panel", "edit_view",
           "edit_panel"]


def rows_grid(rows: list[torch.Tensor]) -> np.ndarray:
    """Rows of images, each (n, 3, S, S), stacked into one uint8 grid with n columns."""
    return image_grid(torch.cat([row.detach().cpu() for row in rows]), nrow=len(rows[0]))


def snapshot_at(run: InversionRun, step: int) -> torch.Tensor:
    """The run's last snapshot taken at or before `step`: (B, 3, S, S)."""
    index = max(i for i, s in enumerate(run.snapshot_steps) if s <= step) if step >= 0 else 0
    return run.snapshots[index]


def steps_view(targets: torch.Tensor, runs: Mapping[str, InversionRun], step: int) -> np.ndarray:
    """Targets (B, 3, S, S) on top, then each run's reconstruction at `step`: uint8 grid."""
    return rows_grid([targets] + [snapshot_at(run, step) for run in runs.values()])


def steps_panel(targets: torch.Tensor, runs: Mapping[str, InversionRun], zoom: int = 3) -> widgets.VBox:
    """Slider: optimisation step (scrubs the stored snapshots of every run at once)."""
    steps = sorted({s for run in runs.values() for s in run.snapshot_steps})
    slider = widgets.SelectionSlider(options=steps, value=steps[-1], description="step")
    return image_panel(lambda step: steps_view(targets, runs, step), zoom=zoom, step=slider)


@torch.no_grad()
def regularizer_view(G: nn.Module, targets: torch.Tensor, ws_by_weight: Mapping[float, torch.Tensor], weight: float,
                     direction: torch.Tensor, strength: float) -> np.ndarray:
    """Targets, the in-domain reconstruction for lambda = `weight`, and that code edited by
    strength * direction: uint8 grid of 3 rows. ws_by_weight: lambda -> ws (B, num_ws, w_dim)."""
    ws = ws_by_weight[weight]
    return rows_grid([targets, render_ws(G, ws), render_ws(G, edit_ws(ws, direction, strength))])


def regularizer_panel(G: nn.Module, targets: torch.Tensor, ws_by_weight: Mapping[float, torch.Tensor],
                      direction: torch.Tensor, strength: float = 2.0, zoom: int = 3) -> widgets.VBox:
    """Slider: the domain regulariser's weight lambda (among the stored runs) -> reconstruction and edit."""
    weights = list(ws_by_weight)
    slider = widgets.SelectionSlider(options=weights, value=weights[0], description="lambda")
    return image_panel(lambda weight: regularizer_view(G, targets, ws_by_weight, weight, direction, strength),
                       zoom=zoom, weight=slider)


@torch.no_grad()
def edit_view(targets: torch.Tensor, methods: Mapping[str, tuple[nn.Module, torch.Tensor]],
              directions: Mapping[str, torch.Tensor], attribute: str, strength: float) -> np.ndarray:
    """Targets on top, then every method's code moved by strength * directions[attribute] and drawn
    by that method's generator. methods: name -> (generator, ws (B, num_ws, w_dim)). uint8 grid."""
    direction = directions[attribute]
    return rows_grid([targets] + [render_ws(G, edit_ws(ws, direction, strength)) for G, ws in methods.values()])


def edit_panel(targets: torch.Tensor, methods: Mapping[str, tuple[nn.Module, torch.Tensor]],
               directions: Mapping[str, torch.Tensor], zoom: int = 3) -> widgets.VBox:
    """Sliders: attribute and edit strength (in standard deviations of the sampled codes)."""
    attribute = choice_buttons(list(directions), description="attribute")
    strength = widgets.FloatSlider(value=0.0, min=-3.0, max=3.0, step=0.25, description="strength",
                                   continuous_update=False)
    return image_panel(lambda attribute, strength: edit_view(targets, methods, directions, attribute, strength),
                       zoom=zoom, attribute=attribute, strength=strength)

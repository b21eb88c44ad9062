"""Slider callbacks and panels of notebook 06 (unsupervised directions): methods side by side."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import ipywidgets as widgets
import numpy as np
import torch
import torch.nn as nn

from gentut.interpret.edits import broadcast_ws, edit_ws, render_ws
from gentut.interpret.rescoring import layer_ranges
from gentut.widgets.panel import choice_buttons, image_panel
from gentut.widgets.render import image_grid

__all__ = ["directions_view", "directions_panel"]


@torch.no_grad()
def directions_view(G: nn.Module, w: torch.Tensor, methods: Mapping[str, torch.Tensor],
                    strengths: Mapping[str, Sequence[float]], layers: Sequence[int] | None = None) -> np.ndarray:
    """Codes w (n, w_dim) edited by each method's directions, one column per method: uint8 grid.

    methods: name -> directions (k, w_dim); strengths: name -> one strength per direction used
    (the first len(strengths[name]) directions are added up). layers: the W+ layers edited
    (None: all). Row i shows code i; column m shows it edited by method m, in the dict's order.
    """
    for name, directions in methods.items():
        if directions.dim() != 2 or directions.shape[1] != G.w_dim or len(strengths[name]) > len(directions):
            raise ValueError(f"method {name!r}: directions must be (k, {G.w_dim}) with k >= {len(strengths[name])} "
                             f"(one per strength), got {tuple(directions.shape)}")
    base = broadcast_ws(G, w)                                               # (n, num_ws, w_dim)
    columns = []
    for name, directions in methods.items():
        ws = base
        for direction, strength in zip(directions, strengths[name]):
            ws = edit_ws(ws, direction.to(ws.device), strength, layers)
        columns.append(ws)
    ws = torch.stack(columns, 1).flatten(0, 1)                              # (n * n_methods, num_ws, w_dim)
    return image_grid(render_ws(G, ws).cpu(), nrow=len(methods))


def control_name(method: str, index: int) -> str:
    """A slider's key in panel.controls: 'SeFa (all)', 0 -> 'sefa_all_1'."""
    return f"{re.sub(r'[^a-z0-9]+', '_', method.lower()).strip('_')}_{index + 1}"


def directions_panel(G: nn.Module, methods: Mapping[str, torch.Tensor], n_directions: int = 3, n_codes: int = 3,
                     max_strength: float = 3.0, seed: int = 0, zoom: int = 3) -> widgets.VBox:
    """One column of sliders per method (its top n_directions directions, strengths in W units
    within +-max_strength) above the faces of n_codes fixed codes, a column per method; a
    row of buttons picks the W+ layers the edits apply to (all, early, middle, late)."""
    device = next(G.parameters()).device
    z = torch.randn(n_codes, G.z_dim, generator=torch.Generator().manual_seed(seed)).to(device)
    with torch.no_grad():
        w = G.mapping(z)
    sliders = {name: [widgets.FloatSlider(value=0.0, min=-max_strength, max=max_strength, step=max_strength / 20,
                                          description=f"dir {j + 1}", continuous_update=True,
                                          style={"description_width": "40px"}, layout={"width": "210px"})
                      for j in range(min(n_directions, len(directions)))]
               for name, directions in methods.items()}
    every = tuple(range(G.num_ws))
    choices = [(f"all 0-{G.num_ws - 1}", every)] + [(label, tuple(r)) for label, r in layer_ranges(G.num_ws).items()]
    layers = choice_buttons(choices, every, "layers")
    controls = {control_name(name, j): s for name, column in sliders.items() for j, s in enumerate(column)}

    def render(layers, **values):
        strengths = {name: [values[control_name(name, j)] for j in range(len(column))]
                     for name, column in sliders.items()}
        return directions_view(G, w, methods, strengths, layers)

    panel = image_panel(render, zoom=zoom, layers=layers, **controls)
    columns = [widgets.VBox([widgets.HTML(f"<b>{name}</b>"), *column]) for name, column in sliders.items()]
    panel.children = (widgets.HBox(columns), layers, panel.image)
    return panel

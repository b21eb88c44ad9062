"""The StyleFlow panel of notebook 09: raise or lower one attribute through the flow, keep the rest.

    flow_edit_panel(G, flow, predictor, names, codes=w)

`flow_edit_view` is the pure function the panel draws (two rows: the faces as drawn, and edited
by gentut.interpret.styleflow.flow_edit), so tests drive it without a browser.
"""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as widgets
import numpy as np
import torch
import torch.nn as nn

from gentut.interpret.edits import broadcast_ws, render_ws
from gentut.interpret.styleflow import flow_edit
from gentut.widgets.panel import choice_buttons, image_panel
from gentut.widgets.render import image_grid

__all__ = ["flow_edit_view", "flow_edit_panel"]


@torch.no_grad()
def flow_edit_view(G: nn.Module, flow: nn.Module, w: torch.Tensor, attributes: torch.Tensor, factor: int,
                   delta: float) -> np.ndarray:
    """Two rows: codes w (n, w_dim) as drawn, and with attribute `factor` moved by delta through the
    flow (attributes (n, n_factors): what the predictor reads from them): uint8 (H, W, 3)."""
    edited = flow_edit(flow, w, attributes, factor, delta)
    return image_grid(render_ws(G, broadcast_ws(G, torch.cat([w, edited]))).cpu(), nrow=len(w))


def flow_edit_panel(G: nn.Module, flow: nn.Module, predictor: nn.Module, factor_names: Sequence[str],
                    codes: torch.Tensor, start: float = 0.6) -> widgets.VBox:
    """Buttons to pick the attribute, a slider for how much to move it (in [-1, 1], the attributes'
    own units), two rows of faces. codes: W codes (n, w_dim) of the faces to edit."""
    with torch.no_grad():
        attributes = predictor.predict(render_ws(G, broadcast_ws(G, codes)))
    controls = dict(name=choice_buttons(list(factor_names), description="attribute"),
                    delta=widgets.FloatSlider(value=start, min=-1.0, max=1.0, step=0.1, description="change"))
    return image_panel(lambda name, delta: flow_edit_view(G, flow, codes, attributes, list(factor_names).index(name),
                                                          delta),
                       zoom=3, caption="top row: as drawn; bottom row: the attribute changed through the flow, "
                                       "every other attribute and the noise z kept", **controls)

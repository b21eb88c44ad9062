"""The S-space panel of notebook 09: one style channel at a time, on a few faces.

    style_channel_panel(G, {"age": 667, "hair_color": 695}, codes=w)

Pick a channel by the factor it was found for, move it by a number of its standard deviations;
the top row shows the faces as drawn, the bottom row edited. `style_channel_view` is the pure
function the panel draws, so tests drive it without a browser.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn as nn
import ipywidgets as widgets

from gentut.interpret.edits import broadcast_ws
from gentut.interpret.stylespace import StyleLayout, edit_channel, render_styles, style_codes
from gentut.widgets.panel import choice_buttons, image_panel
from gentut.widgets.render import image_grid

__all__ = ["style_channel_view", "style_channel_panel"]


@torch.no_grad()
def style_channel_view(G: nn.Module, layout: StyleLayout, styles: torch.Tensor, channel: int, strength: float,
                       std: torch.Tensor) -> np.ndarray:
    """Two rows: S codes styles (n, C) as they are, and with `channel` moved by strength * std[channel]:
    uint8 (H, W, 3)."""
    edited = edit_channel(styles, channel, strength, std)
    return image_grid(render_styles(G, layout, torch.cat([styles, edited])).cpu(), nrow=len(styles))


def style_channel_panel(G: nn.Module, channels: dict[str, int], codes: torch.Tensor, std: torch.Tensor,
                        signs: dict[str, float] | None = None, limit: float = 6.0, start: float = 3.0) -> widgets.VBox:
    """Buttons to pick a channel (labelled by name, e.g. the factor it was found for), a strength
    slider in standard deviations in [-limit, limit] (starting at `start`), two rows of faces.

    codes: W codes (n, w_dim) of the faces to edit; std (C,): the channels' spread in S; signs:
    name -> +1 or -1, the way of the channel that a positive strength takes (default +1), e.g. the
    way that raises the factor the channel was found for.
    """
    signs = signs or {}
    layout = StyleLayout.of(G)
    places = {name: layout.locate(channel) for name, channel in channels.items()}   # a clear error for a bad index
    with torch.no_grad():
        styles = style_codes(G, broadcast_ws(G, codes))
    labels = [(f"{name}: {layer} #{index}", name) for name, (layer, index) in places.items()]
    controls = dict(name=choice_buttons(labels, description="channel"),
                    strength=widgets.FloatSlider(value=start, min=-limit, max=limit, step=0.5,
                                                 description="std moved"))
    return image_panel(lambda name, strength: style_channel_view(G, layout, styles, channels[name],
                                                                          signs.get(name, 1.0) * strength, std),
                       zoom=3, caption="top row: as drawn; bottom row: one style channel moved", **controls)

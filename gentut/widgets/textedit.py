"""The text-edit panel of notebook 09b: type a sentence, see StyleCLIP's global direction applied.

    text_edit_panel(G, clip, layout, styles, std, channel_directions, neutral="a face")

A text box (the edit happens on Enter), a strength slider alpha and a threshold slider beta,
two rows of images: as drawn, and edited. A line under the controls says how many S channels
the sentence moves and which of its words the tiny CLIP does not know (they are ignored).
`text_edit_view` is the pure function the panel draws, so tests drive it without a browser.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np
import torch
import torch.nn as nn

from gentut.data.captions import unknown_words
from gentut.interpret.styleclip import global_direction, render_text_edit, text_direction
from gentut.interpret.stylespace import StyleLayout, render_styles
from gentut.widgets.panel import image_panel
from gentut.widgets.render import image_grid

__all__ = ["text_edit_view", "text_edit_panel"]


@torch.no_grad()
def text_edit_view(G: nn.Module, clip: nn.Module, layout: StyleLayout, styles: torch.Tensor, std: torch.Tensor,
                   channel_directions: torch.Tensor, text: str, neutral: str, alpha: float,
                   beta: float) -> tuple[np.ndarray, str]:
    """Two rows -- S codes styles (n, C) as drawn, and edited towards `text` (from `neutral`) along
    the global direction at strength alpha and threshold beta -- as uint8 (H, W, 3), and a line of
    HTML saying how many channels move and which words were not understood."""
    direction = global_direction(channel_directions, text_direction(clip, text, neutral), beta)
    images = torch.cat([render_styles(G, layout, styles), render_text_edit(G, layout, styles, direction, std, alpha)])
    unknown = unknown_words(text)
    status = f"{int((direction != 0).sum())} of {len(direction)} S channels move"
    if unknown:
        status += f"; words the tiny CLIP does not know (ignored): <b>{html.escape(', '.join(unknown))}</b>"
    if text.strip() == neutral.strip():
        status += "; the text is the neutral sentence itself, so there is nothing to edit"
    return image_grid(images.cpu(), nrow=len(styles)), status


def text_edit_panel(G: nn.Module, clip: nn.Module, layout: StyleLayout, styles: torch.Tensor, std: torch.Tensor,
                    channel_directions: torch.Tensor, neutral: str, text: str, alpha: float = 3.0,
                    beta: float = 0.9) -> widgets.VBox:
    """A text box, sliders alpha (strength, in channel stds) and beta (threshold, a share of the
    best channel's relevance: styleclip.global_direction), two rows of images.

    styles (n, C): the S codes of the faces (or scenes) to edit; std (C,): the channels' spread;
    channel_directions (C, D): styleclip.channel_clip_directions of this generator; neutral: the
    sentence the edit starts from ("a face"); text: the box's first sentence.
    """
    status = widgets.HTML()

    def draw(text: str, alpha: float, beta: float) -> np.ndarray:
        picture, status.value = text_edit_view(G, clip, layout, styles, std, channel_directions, text, neutral,
                                               alpha, beta)
        return picture

    controls = dict(text=widgets.Text(value=text, description="text", continuous_update=False),
                    alpha=widgets.FloatSlider(value=alpha, min=-6.0, max=6.0, step=0.5, description="alpha"),
                    beta=widgets.FloatSlider(value=beta, min=0.0, max=1.0, step=0.05, description="beta"))
    panel = image_panel(draw, zoom=3, caption=f"top row: as drawn; bottom row: edited from {html.escape(neutral)!r} "
                                              "towards the text (press Enter after typing)", **controls)
    panel.children = (*panel.children[:3], status, *panel.children[3:])
    panel.status = status
    return panel

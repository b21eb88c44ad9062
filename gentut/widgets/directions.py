"""Slider callbacks and panels for editing along latent directions (notebooks 05 and 06).

    attribute_panel(G, {"age": n_age, "eyeglasses": n_glasses}, labels={"age": "older"})
    layer_edit_panel(G, {"yaw": n_yaw, "hair_color": n_hair})

Both edit a few fixed codes in W+ (`gentut.interpret.edits.edit_ws`); the views are pure
functions of the slider values that return uint8 image grids.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import torch
import torch.nn as nn

from gentut.interpret.edits import broadcast_ws, edit_ws, render_ws, sample_latents
from gentut.widgets.panel import choice_buttons, image_panel
from gentut.widgets.render import image_grid

__all__ = ["attribute_edit_view", "attribute_panel", "layer_edit_view", "layer_edit_panel"]


def fixed_ws(G: nn.Module, n: int, seed: int) -> torch.Tensor:
    """n reproducible W-space codes of G broadcast to W+: (n, num_ws, w_dim) on G's device."""
    _, w = sample_latents(G, n, torch.Generator().manual_seed(seed))
    return broadcast_ws(G, w)


def check_directions(G: nn.Module, directions: dict[str, torch.Tensor]) -> None:
    """Raise a ValueError unless `directions` maps names to (w_dim,) vectors."""
    if not directions:
        raise ValueError("directions is empty: give at least one name -> (w_dim,) vector")
    for name, direction in directions.items():
        if direction.shape != (G.w_dim,):
            raise ValueError(f"direction {name!r} must have shape ({G.w_dim},) (w_dim), got {tuple(direction.shape)}")


@torch.no_grad()
def attribute_edit_view(G: nn.Module, ws: torch.Tensor, directions: dict[str, torch.Tensor],
                        strengths: dict[str, float]) -> np.ndarray:
    """ws (n, num_ws, w_dim) moved by sum_name strengths[name] * directions[name] on every layer,
    rendered as one row: uint8 (H, W, 3)."""
    for name, strength in strengths.items():
        if strength:
            ws = edit_ws(ws, directions[name], strength)
    return image_grid(render_ws(G, ws).cpu(), nrow=len(ws))


def attribute_panel(G: nn.Module, directions: dict[str, torch.Tensor], labels: dict[str, str] | None = None,
                    n: int = 4, seed: int = 0, limit: float = 3.0, codes: torch.Tensor | None = None) -> widgets.VBox:
    """One slider per direction (strength in [-limit, limit]) editing the same n faces at once.

    directions: name -> (w_dim,) W-space direction (its length sets what strength 1 means);
    labels: optional slider descriptions, e.g. {"age": "older"}; codes: the W codes (n, w_dim) to
    edit -- chosen so the edits can show (faces without glasses for "add glasses") -- or None for
    n random ones drawn with `seed`.
    """
    check_directions(G, directions)
    labels = labels or {}
    ws = fixed_ws(G, n, seed) if codes is None else broadcast_ws(G, codes)
    sliders = {name: widgets.FloatSlider(value=0.0, min=-limit, max=limit, step=0.25, description=labels.get(name, name))
               for name in directions}
    return image_panel(lambda **strengths: attribute_edit_view(G, ws, directions, strengths), zoom=3,
                       caption=f"the same {len(ws)} faces; every slider's edit is applied to all of them", **sliders)


@torch.no_grad()
def layer_edit_view(G: nn.Module, ws: torch.Tensor, direction: torch.Tensor, strength: float,
                    layers: tuple[int, int]) -> np.ndarray:
    """Two rows: the codes ws (n, num_ws, w_dim) as they are, and moved by strength * direction
    (w_dim,) on the layers layers[0] .. layers[1] (inclusive) only: uint8 (H, W, 3)."""
    first, last = layers
    edited = edit_ws(ws, direction, strength, range(first, last + 1))
    return image_grid(render_ws(G, torch.cat([ws, edited])).cpu(), nrow=len(ws))


def layer_edit_panel(G: nn.Module, directions: dict[str, torch.Tensor], n: int = 4, seed: int = 0,
                     limit: float = 3.0, codes: torch.Tensor | None = None) -> widgets.VBox:
    """HiGAN's layer-wise edit: pick a direction, a layer range and a strength; top row original,
    bottom row edited on those layers only. codes: W codes (n, w_dim) to edit, or None for n
    random ones drawn with `seed`."""
    check_directions(G, directions)
    ws = fixed_ws(G, n, seed) if codes is None else broadcast_ws(G, codes)
    controls = dict(
        name=choice_buttons(list(directions), description="direction"),
        layers=widgets.IntRangeSlider(value=(0, G.num_ws - 1), min=0, max=G.num_ws - 1, description="layers"),
        strength=widgets.FloatSlider(value=limit / 2, min=-limit, max=limit, step=0.25, description="strength"),
    )
    return image_panel(lambda name, layers, strength: layer_edit_view(G, ws, directions[name], strength, layers),
                       zoom=3, caption="top row: as drawn; bottom row: edited on the chosen layers only", **controls)

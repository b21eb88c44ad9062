"""Slider callbacks and panels of notebook 04 (GAN dissection): see a unit, switch units off, paint them in.

unit_view       where one unit fires (its thresholded, upsampled map tinted red) on a few images
ablation_view   images and their segmentation before / after zeroing a set of units
insertion_view  images and their segmentation after forcing units on in a square region (outlined)
"""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as widgets
import numpy as np
import torch
import torch.nn as nn

from gentut.data.scenes import colorize_masks
from gentut.interpret.dissection import UnitDissection, layer_features, upsample
from gentut.interpret.edits import render_ws
from gentut.interpret.intervention import ablate_units, insert_units, square_region
from gentut.widgets.panel import choice_buttons, image_panel
from gentut.widgets.render import image_grid

__all__ = ["unit_view", "ablation_view", "insertion_view", "outline", "unit_panel", "ablation_panel", "insertion_panel"]

TINT = torch.tensor([1.0, 0.1, 0.1])[:, None, None]          # red, for where a unit fires


@torch.no_grad()
def unit_view(G: nn.Module, ws: torch.Tensor, layer: int, unit: int, threshold: float) -> np.ndarray:
    """The images of ws (n, num_ws, w_dim) in one row, tinted red where unit `unit` of G.convs[layer]
    exceeds `threshold` (map upsampled to the image size): uint8 (H, W, 3)."""
    images, features = layer_features(G, ws, [layer])
    fires = upsample(features[layer][:, unit:unit + 1], images.shape[-1]) > threshold     # (n, 1, S, S)
    tinted = torch.where(fires, 0.45 * images + 0.55 * TINT, images)
    return image_grid(tinted, nrow=len(ws))


@torch.no_grad()
def ablation_view(G: nn.Module, segmenter: nn.Module, ws: torch.Tensor, layer: int,
                  units: Sequence[int] | torch.Tensor) -> np.ndarray:
    """Four rows for ws (n, num_ws, w_dim): images, their segmentation, the images with `units` of
    G.convs[layer] ablated, and that segmentation: uint8 (H, W, 3)."""
    before = render_ws(G, ws)
    with ablate_units(G, layer, units):
        after = render_ws(G, ws)
    rows = [before, colorize_masks(segmenter.segment(before)), after, colorize_masks(segmenter.segment(after))]
    return image_grid(torch.cat([r.cpu() for r in rows]), nrow=len(ws))


def outline(images: torch.Tensor, region: torch.Tensor) -> torch.Tensor:
    """Images (n, 3, S, S) with the border pixels of a bool region (S, S) painted yellow."""
    inside = region.float()[None, None]
    eroded = -torch.nn.functional.max_pool2d(-inside, 3, stride=1, padding=1)   # shrink by one pixel
    border = (inside - eroded).bool()[0, 0]
    out = images.clone()
    out[:, :, border] = torch.tensor([1.0, 1.0, 0.0])[:, None].to(out)
    return out


@torch.no_grad()
def insertion_view(G: nn.Module, segmenter: nn.Module, ws: torch.Tensor, layer: int,
                   units: Sequence[int] | torch.Tensor, values: torch.Tensor | float,
                   region: torch.Tensor) -> np.ndarray:
    """Three rows for ws (n, num_ws, w_dim): images, images with `units` of G.convs[layer] set to
    `values` inside `region` (bool (S, S), outlined in yellow), and their segmentation: uint8."""
    before = render_ws(G, ws).cpu()
    with insert_units(G, layer, units, values, region):
        after = render_ws(G, ws).cpu()
    masks = colorize_masks(segmenter.segment(after).cpu())
    return image_grid(torch.cat([outline(before, region), outline(after, region), outline(masks, region)]),
                      nrow=len(ws))


def concept_buttons(class_names: Sequence[str], value: str) -> widgets.ToggleButtons:
    """A button per segmenter class name, starting at `value`."""
    return choice_buttons(list(class_names), value, "concept")


def unit_panel(G: nn.Module, ws: torch.Tensor, layer: int, dissection: UnitDissection,
               class_names: Sequence[str], concept: str = "tree") -> widgets.VBox:
    """Buttons: concept; slider: rank (0 = the unit with the highest IoU for it) -> where that unit
    fires on the images of ws. A caption names the unit, its IoU and threshold."""
    caption = widgets.Label()

    def render(concept: str, rank: int) -> np.ndarray:
        c = list(class_names).index(concept)
        unit = int(dissection.top_units(c, rank + 1)[rank])
        threshold = float(dissection.thresholds_[unit, c])
        caption.value = f"layer {layer}, unit {unit}: IoU with {concept} {dissection.iou_[unit, c]:.2f}"
        return unit_view(G, ws, layer, unit, threshold)

    rank = widgets.IntSlider(value=0, min=0, max=min(9, len(dissection.iou_) - 1), description="rank")
    panel = image_panel(render, zoom=3, concept=concept_buttons(class_names, concept), rank=rank)
    panel.children = (*panel.children, caption)
    panel.caption = caption
    return panel


def ablation_panel(G: nn.Module, segmenter: nn.Module, ws: torch.Tensor, layer: int, dissection: UnitDissection,
                   class_names: Sequence[str], concept: str = "tree", max_units: int = 16) -> widgets.VBox:
    """Buttons: concept; slider: k -> the images before and after ablating the k units of `layer`
    with the highest IoU for the concept (k = 0: nothing ablated)."""
    def render(concept: str, k: int) -> np.ndarray:
        return ablation_view(G, segmenter, ws, layer, dissection.top_units(list(class_names).index(concept), k))

    k = widgets.IntSlider(value=4, min=0, max=max_units, description="units")
    return image_panel(render, zoom=2, concept=concept_buttons(class_names, concept), k=k)


def insertion_panel(G: nn.Module, segmenter: nn.Module, ws: torch.Tensor, layer: int, dissection: UnitDissection,
                    peak: torch.Tensor, class_names: Sequence[str], concept: str = "tree",
                    max_units: int = 16) -> widgets.VBox:
    """Buttons: concept; sliders: k units, the square's row / column / size (image pixels), and
    strength -> the top-k units for the concept set to strength * peak (their largest activation,
    (C,)) inside the square."""
    size = G.image_size

    def render(concept: str, k: int, row: int, col: int, side: int, strength: float) -> np.ndarray:
        units = dissection.top_units(list(class_names).index(concept), k)
        # the whole square stays inside the image (moved up / left if needed), so that every
        # size the slider shows is the size drawn, also at the border
        row, col = min(row, size - side), min(col, size - side)
        return insertion_view(G, segmenter, ws, layer, units, strength * peak[units],
                              square_region(row, col, side, size))

    controls = dict(concept=concept_buttons(class_names, concept),
                    k=widgets.IntSlider(value=8, min=1, max=max_units, description="units"),
                    row=widgets.IntSlider(value=4, min=0, max=size - 1, description="row"),
                    col=widgets.IntSlider(value=12, min=0, max=size - 1, description="column"),
                    side=widgets.IntSlider(value=8, min=2, max=size, description="size"),
                    strength=widgets.FloatSlider(value=1.0, min=0.0, max=3.0, step=0.25, description="strength"))
    return image_panel(render, zoom=2, **controls)

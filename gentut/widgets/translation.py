"""Slider callbacks and panels of notebook 08 (image-to-image translation).

label_map_panel: edit a scene's label map (move the house, raise the horizon, add trees or clouds)
    and watch each pix2pix translator redraw the scene: one renderer call for the label map and one
    generator forward per translator.
cyclegan_panel: pick a scene and a direction; each CycleGAN translates it, translates it back, and
    the relit truth is shown beside them.
"""

from __future__ import annotations

from typing import Mapping

import ipywidgets as widgets
import numpy as np
import torch
import torch.nn as nn

from gentut.data.batch import LabeledImages
from gentut.data.scenes import MAX_CLOUDS, MAX_TREES, colorize_masks, render_scenes
from gentut.translation import one_hot_labels, relit_pairs
from gentut.widgets.panel import image_panel
from gentut.widgets.render import image_grid

__all__ = ["edit_scene", "label_map_view", "label_map_panel", "cyclegan_view", "cyclegan_panel"]


def edit_scene(factors: Mapping[str, torch.Tensor], house_x: float, horizon: float, trees: int, clouds: int,
               size: int = 32) -> tuple[torch.Tensor, torch.Tensor]:
    """Re-render the first scene of `factors` (with its layout) after an edit of its label map.

    house_x, horizon in [0, 1]; trees in 0..4 and clouds in 0..5 are counts (the renderer draws
    round(4 * greenery) trees and round(5 * cloudiness) clouds). Returns the scene the renderer
    draws (1, 3, size, size) -- the truth for this label map -- and the label map int64 (1, size, size).
    """
    if not 0 <= trees <= MAX_TREES or not 0 <= clouds <= MAX_CLOUDS:
        raise ValueError(f"trees must lie in 0..{MAX_TREES} and clouds in 0..{MAX_CLOUDS}, got {trees}, {clouds}")
    edited = {name: value[:1].cpu() for name, value in factors.items()}
    edited.update(house_x=torch.tensor([house_x]), horizon=torch.tensor([horizon]),
                  greenery=torch.tensor([trees / MAX_TREES]), cloudiness=torch.tensor([clouds / MAX_CLOUDS]))
    return render_scenes(edited, size)


@torch.no_grad()
def label_map_view(translators: Mapping[str, nn.Module], masks: torch.Tensor,
                   truth: torch.Tensor | None = None) -> np.ndarray:
    """One row: the colorized label map (1, S, S), each translator's scene, then `truth` if given: uint8."""
    labels = one_hot_labels(masks)
    tiles = [colorize_masks(masks)]
    for G in translators.values():
        tiles.append(G(labels.to(next(G.parameters()).device)).cpu())
    if truth is not None:
        tiles.append(truth.cpu())
    return image_grid(torch.cat(tiles), nrow=len(tiles))


def label_map_panel(translators: Mapping[str, nn.Module], scenes: LabeledImages, index: int = 0) -> widgets.VBox:
    """Sliders that edit scene `index`'s label map: house x, horizon, trees, clouds.

    The picture: label map | one scene per translator (in the order of `translators`) | the scene
    the renderer draws for that label map (daylight and colours from the original scene).
    """
    factors = {name: value[index:index + 1] for name, value in scenes.factors.items()}

    def render(house_x: float, horizon: float, trees: int, clouds: int) -> np.ndarray:
        truth, masks = edit_scene(factors, house_x, horizon, trees, clouds, size=scenes.images.shape[-1])
        return label_map_view(translators, masks, truth)

    value = {name: float(factors[name][0]) for name in ("house_x", "horizon", "greenery", "cloudiness")}
    caption = " | ".join(["label map", *translators, "the renderer's scene (truth)"])
    return image_panel(
        render, zoom=4, caption=caption,
        house_x=widgets.FloatSlider(value=round(value["house_x"], 2), min=0, max=1, step=0.02, description="house x"),
        horizon=widgets.FloatSlider(value=round(value["horizon"], 2), min=0, max=1, step=0.02, description="horizon"),
        trees=widgets.IntSlider(value=round(value["greenery"] * MAX_TREES), min=0, max=MAX_TREES, description="trees"),
        clouds=widgets.IntSlider(value=round(value["cloudiness"] * MAX_CLOUDS), min=0, max=MAX_CLOUDS,
                                 description="clouds"))


@torch.no_grad()
def cyclegan_view(pairs: Mapping[str, nn.Module], source: LabeledImages, index: int, direction: str) -> np.ndarray:
    """One row per CycleGAN pair: input x, translation, translation back, the relit truth: uint8.

    direction "day2night" uses pair.G then pair.F (x from the day domain), "night2day" pair.F then
    pair.G; `source` holds scenes of the input domain (with factors, for the truth).
    """
    if direction not in ("day2night", "night2day"):
        raise ValueError(f"direction must be 'day2night' or 'night2day', got {direction!r}")
    scene = source[index:index + 1]
    truth = relit_pairs(scene.to("cpu")).images
    rows = []
    for pair in pairs.values():
        forward, back = (pair.G, pair.F) if direction == "day2night" else (pair.F, pair.G)
        x = scene.images.to(next(pair.parameters()).device)
        fake = forward(x)
        rows += [x.cpu(), fake.cpu(), back(fake).cpu(), truth]
    return image_grid(torch.cat(rows), nrow=4)


def cyclegan_panel(pairs: Mapping[str, nn.Module], day: LabeledImages, night: LabeledImages) -> widgets.VBox:
    """Slider: scene index; toggle: direction. Rows: the pairs (e.g. with and without cycle loss);
    columns: input, translation, back-translation, relit truth."""
    n = min(len(day), len(night))
    direction = widgets.ToggleButtons(options=[("day -> night", "day2night"), ("night -> day", "night2day")],
                                      value="day2night", description="direction")
    index = widgets.IntSlider(value=0, min=0, max=n - 1, description="scene")

    def render(index: int, direction: str) -> np.ndarray:
        return cyclegan_view(pairs, day if direction == "day2night" else night, index, direction)

    caption = ("rows: " + ", ".join(pairs) + " | columns: input, translation, translated back, "
               "the relit truth")
    return image_panel(render, zoom=4, index=index, direction=direction, caption=caption)

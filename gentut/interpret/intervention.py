"""Interventions on units (GAN Dissection, Bau et al. 2019): switch units off or on, and measure.

A forward hook on G.convs[layer] may return a changed output; the generator then carries on from it.
* ablation: the chosen channels are set to 0 everywhere (0 stays 0 after the leaky ReLU);
* insertion: the chosen channels are set to a high value (e.g. their 0.99 quantile) inside a region.

    with ablate_units(G, layer=4, units=[3, 17]):
        images = G.synthesis(ws)                   # the same scenes with units 3 and 17 switched off
    with insert_units(G, layer=4, units=[3, 17], values=q99[[3, 17]], region=square_region(8, 20, 8, 32)):
        images = G.synthesis(ws)

What the concept does is read by the segmenter: `concept_share` is the fraction of pixels it labels
as the concept (optionally inside a region). The paper's average causal effect (ACE) of a set of
units on a concept is the difference of that share with the units forced on and forced off;
here the two halves are reported separately, each against the untouched image, and ablating as
many *random* units is the control that says how much of an effect any units would have.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import torch
import torch.nn as nn
import torch.nn.functional as F

from gentut.interpret.edits import render_ws

__all__ = ["ablate_units", "insert_units", "square_region", "region_at", "concept_share", "random_units",
           "ablated_share", "insertion_effect"]


def _units_tensor(units: Sequence[int] | torch.Tensor, n_channels: int) -> torch.Tensor:
    units = torch.as_tensor(units, dtype=torch.long).flatten()
    if len(units) and (units.min() < 0 or units.max() >= n_channels):
        raise ValueError(f"units must be channel indices in [0, {n_channels}), got {units.tolist()}")
    return units


@contextmanager
def output_hook(module: nn.Module, hook) -> Iterator[None]:
    """Inside the `with` block, `module`'s output is replaced by hook(module, args, output)."""
    handle = module.register_forward_hook(hook)
    try:
        yield
    finally:
        handle.remove()


@contextmanager
def ablate_units(G: nn.Module, layer: int, units: Sequence[int] | torch.Tensor) -> Iterator[None]:
    """Inside the `with` block, channels `units` of G.convs[layer] output 0 everywhere (every image)."""
    conv = G.convs[layer]
    units = _units_tensor(units, conv.weight.shape[0])

    def hook(module: nn.Module, args: tuple, out: torch.Tensor) -> torch.Tensor:
        out = out.clone()
        out[:, units.to(out.device)] = 0
        return out

    with output_hook(conv, hook):
        yield


@contextmanager
def insert_units(G: nn.Module, layer: int, units: Sequence[int] | torch.Tensor, values: torch.Tensor | float,
                 region: torch.Tensor) -> Iterator[None]:
    """Inside the `with` block, channels `units` of G.convs[layer] are set to `values` in `region`.

    values: one number, or (k,) per unit; region: bool (S, S) at any resolution that divides or is
    divided by the layer's, resized to it with `region_at` (a cell is in when half of it is).
    """
    conv = G.convs[layer]
    units = _units_tensor(units, conv.weight.shape[0])
    values = torch.as_tensor(values, dtype=torch.float32).reshape(-1)
    if len(values) not in (1, len(units)):
        raise ValueError(f"values must be one number or one per unit ({len(units)}), got {len(values)}")

    def hook(module: nn.Module, args: tuple, out: torch.Tensor) -> torch.Tensor:
        inside = region_at(region, out.shape[-1]).to(out.device)                        # (h, w) bool
        out = out.clone()
        chosen = out[:, units.to(out.device)]                                            # (B, k, h, w)
        forced = values.to(out)[None, :, None, None].expand_as(chosen)
        out[:, units.to(out.device)] = torch.where(inside, forced, chosen)
        return out

    with output_hook(conv, hook):
        yield


def square_region(row: int, col: int, size: int, image_size: int) -> torch.Tensor:
    """A bool (image_size, image_size) mask, True on the square with top-left (row, col) and side size
    (clipped at the image border)."""
    if size < 1:
        raise ValueError(f"size must be at least 1, got {size}")
    mask = torch.zeros(image_size, image_size, dtype=torch.bool)
    mask[max(row, 0):max(row + size, 0), max(col, 0):max(col + size, 0)] = True
    return mask


def region_at(region: torch.Tensor, resolution: int) -> torch.Tensor:
    """A bool (S, S) region resized to (resolution, resolution): a cell is in when at least half of
    it was (area average); upsampling repeats cells."""
    if region.dim() != 2 or region.shape[0] != region.shape[1]:
        raise ValueError(f"region must be a square bool mask (S, S), got {tuple(region.shape)}")
    if region.shape[0] == resolution:
        return region.bool()
    resized = F.interpolate(region[None, None].float(), size=(resolution, resolution),
                            mode="area" if region.shape[0] > resolution else "nearest")
    return resized[0, 0] >= 0.5


@torch.no_grad()
def concept_share(segmenter: nn.Module, images: torch.Tensor, concept: int,
                  region: torch.Tensor | None = None) -> torch.Tensor:
    """Fraction of pixels the segmenter labels `concept`, per image: images (N, 3, S, S) -> (N,).

    region: optional bool (S, S); then the fraction is over the pixels inside it.
    """
    hits = (segmenter.segment(images) == concept).float()                                # (N, S, S)
    if region is None:
        return hits.mean((1, 2))
    region = region.to(hits.device)
    if not region.any():
        raise ValueError("region is empty: choose a square of at least one pixel inside the image")
    return hits[:, region].mean(1)


def random_units(n_channels: int, k: int, generator: torch.Generator,
                 exclude: Sequence[int] | torch.Tensor = ()) -> torch.Tensor:
    """k distinct channel indices in [0, n_channels), none of them in `exclude`: int64 (k,)."""
    allowed = torch.ones(n_channels, dtype=torch.bool)
    allowed[torch.as_tensor(exclude, dtype=torch.long)] = False
    pool = allowed.nonzero().flatten()
    if k > len(pool):
        raise ValueError(f"cannot draw {k} units from the {len(pool)} allowed ones")
    return pool[torch.randperm(len(pool), generator=generator)[:k]]


@torch.no_grad()
def ablated_share(G: nn.Module, segmenter: nn.Module, ws: torch.Tensor, layer: int,
                  units: Sequence[int] | torch.Tensor, concept: int) -> float:
    """Mean share of `concept` in the images of ws (N, num_ws, w_dim) with `units` of `layer` ablated."""
    with ablate_units(G, layer, units):
        return concept_share(segmenter, render_ws(G, ws), concept).mean().item()


@torch.no_grad()
def insertion_effect(G: nn.Module, segmenter: nn.Module, ws: torch.Tensor, layer: int,
                     units: Sequence[int] | torch.Tensor, values: torch.Tensor | float, region: torch.Tensor,
                     concept: int) -> dict[str, torch.Tensor]:
    """Share of `concept` inside and outside `region` (bool (S, S), image resolution), before and
    after inserting units: {"inside_before", "inside_after", "outside_before", "outside_after"},
    each (N,) per image."""
    before = render_ws(G, ws)
    with insert_units(G, layer, units, values, region):
        after = render_ws(G, ws)
    return {f"{where}_{when}": concept_share(segmenter, images, concept, mask)
            for where, mask in [("inside", region), ("outside", ~region)]
            for when, images in [("before", before), ("after", after)]}

"""The slider panels of notebook 10: DDIM steps, classifier-free guidance, h-space edits.

    steps_panel(model, noise, cond)                   # one row of samples per chosen step count
    guidance_panel(model, noise, cond)                # the same noise and conditions at a guidance scale
    hspace_panel(model, noise, steps, names)          # faces moved along an h-space direction

A diffusion sample costs one network pass per step, so the first two panels sample every
slider position once when they are built (a second or two) and a slider move only picks a
picture: the panels answer at once. The h-space panel samples the edited row when a control moves to
a new position (4 faces, 25 steps: 37 network passes). The `*_view` functions are what the panels
draw, so tests drive them without a browser.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import torch
import torch.nn as nn

from gentut.diffusion import ddim_sample
from gentut.interpret.hspace import hspace_sample
from gentut.widgets.panel import choice_buttons, image_panel
from gentut.widgets.render import image_grid

__all__ = ["STEP_OPTIONS", "GUIDANCE_OPTIONS", "sample_grid", "steps_panel", "guidance_panel", "hspace_view",
           "hspace_panel"]

STEP_OPTIONS = (1, 2, 5, 10, 25, 50)
GUIDANCE_OPTIONS = (0.0, 0.5, 1.0, 2.0, 4.0, 6.0)


@torch.no_grad()
def sample_grid(model: nn.Module, noise: torch.Tensor, cond: torch.Tensor | None, steps: int,
                guidance: float = 1.0) -> np.ndarray:
    """DDIM samples from noise (n, 3, S, S) with conditions cond (n, K) as one row, uint8 (H, W, 3)."""
    images = ddim_sample(model, model.schedule(), len(noise), steps=steps, cond=cond, guidance=guidance,
                         noise=noise, progress=False)
    return image_grid(images.cpu(), nrow=len(noise))


def _slider_of_options(options, value, description: str) -> widgets.SelectionSlider:
    return widgets.SelectionSlider(options=list(options), value=value, description=description,
                                   continuous_update=True)


def steps_panel(model: nn.Module, noise: torch.Tensor, cond: torch.Tensor | None,
                options=STEP_OPTIONS, value: int = 25) -> widgets.VBox:
    """A slider over DDIM step counts: the same noise and conditions sampled with that many steps."""
    pictures = {steps: sample_grid(model, noise, cond, steps) for steps in options}
    return image_panel(lambda steps: pictures[steps], zoom=3,
                       caption="the same starting noise and conditions, sampled with DDIM in this many network passes",
                       steps=_slider_of_options(options, value, "DDIM steps"))


def guidance_panel(model: nn.Module, noise: torch.Tensor, cond: torch.Tensor, steps: int = 20,
                   options=GUIDANCE_OPTIONS, value: float = 1.0) -> widgets.VBox:
    """A slider over the guidance scale s: eps_u + s (eps_c - eps_u); 0 unconditional, 1 the plain
    conditional model. Sampled with DDIM at `steps` for every option when built."""
    pictures = {s: sample_grid(model, noise, cond, steps, s) for s in options}
    return image_panel(lambda guidance: pictures[guidance], zoom=3,
                       caption="the same noise; the conditions are fixed, the guidance scale pushes towards them",
                       guidance=_slider_of_options(options, value, "guidance s"))


@torch.no_grad()
def hspace_view(model: nn.Module, noise: torch.Tensor, direction: torch.Tensor, strength: float,
                steps: int = 25, plain: torch.Tensor | None = None) -> np.ndarray:
    """Two rows: noise (n, 3, S, S) sampled unconditionally without and with strength * direction
    (C, H, W) added to h at the first half of the DDIM steps; uint8 (H, W, 3). plain: the unedited
    samples if already made (the panel makes them once)."""
    plain = hspace_sample(model, noise, None, steps=steps) if plain is None else plain
    edited = hspace_sample(model, noise, strength * direction, steps=steps)
    return image_grid(torch.cat([plain, edited]).cpu(), nrow=len(noise))


def hspace_panel(model: nn.Module, noise: torch.Tensor, directions: torch.Tensor, names: list[str],
                 strength: float = 3.0, steps: int = 25, max_strength: float = 30.0) -> widgets.VBox:
    """Buttons for the direction (directions (k, C, H, W), one per name, one std of h each) and a
    strength slider in stds: top row unedited, bottom row edited."""
    controls = dict(direction=choice_buttons([(name, i) for i, name in enumerate(names)], 0, "direction"),
                    strength=widgets.FloatSlider(value=strength, min=-max_strength, max=max_strength, step=1.0,
                                                 description="strength"))
    plain = hspace_sample(model, noise, None, steps=steps)
    pictures: dict[tuple[int, float], np.ndarray] = {}           # a position seen once is drawn at once

    def draw(direction: int, strength: float) -> np.ndarray:
        if (direction, strength) not in pictures:
            pictures[direction, strength] = hspace_view(model, noise, directions[direction], strength, steps, plain)
        return pictures[direction, strength]

    return image_panel(draw, zoom=3, caption="top: unconditional samples; bottom: the same noise with the h-space "
                                       "direction added (in standard deviations of h along it)", **controls)

"""A slider panel: controls on top, one picture below, redrawn whenever a control moves.

    panel = image_panel(render, temperature=FloatSlider(...))

`render(**values)` is a plain function of the controls' values that returns a uint8 array
(H, W, 3). The panel is only the wiring, so tests drive it without a browser::

    panel.controls["temperature"].value = 0.5      # what dragging the slider does
    panel.image.value                               # the PNG the learner now sees

Works with ipywidgets 7 (Colab) and 8.
"""

from __future__ import annotations

from typing import Callable

import ipywidgets as widgets
import numpy as np

from gentut.widgets.render import png_bytes, upscale

__all__ = ["image_panel"]


def image_panel(render: Callable[..., np.ndarray], *, zoom: int = 1,
                **controls: widgets.ValueWidget) -> widgets.VBox:
    """Return a VBox of `controls` and an Image showing `render(**{name: control.value})`.

    zoom: integer nearest-neighbour enlargement of the rendered array (for 8x8 images).
    The box has attributes `controls` (dict name -> widget), `image` (the Image widget) and
    `refresh()` (redraw now).
    """
    image = widgets.Image(format="png")

    def refresh(_change=None) -> None:
        values = {name: control.value for name, control in controls.items()}
        image.value = png_bytes(upscale(render(**values), zoom))

    for control in controls.values():
        control.observe(refresh, names="value")
    box = widgets.VBox([*controls.values(), image])
    box.controls, box.image, box.refresh = controls, image, refresh
    refresh()
    return box

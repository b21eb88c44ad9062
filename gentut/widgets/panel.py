"""A slider panel: controls on top, one picture below, redrawn whenever a control moves.

    panel = image_panel(render, temperature=FloatSlider(...))

`render(**values)` is a plain function of the controls' values that returns a uint8 array
(H, W, 3). The panel is only the wiring, so tests drive it without a browser::

    panel.controls["temperature"].value = 0.5      # what dragging the slider does
    panel.image.value                               # the PNG the learner now sees

A panel also shows where no live kernel runs. Its display output carries, beside the live
widget, the picture it showed when displayed as a plain PNG and a text line naming the controls'
values: Jupyter with a kernel draws the live panel, while GitHub, nbviewer and other viewers of
the committed notebook, which cannot run widgets, fall back to the static picture.

Works with ipywidgets 7 (Colab) and 8.
"""

from __future__ import annotations

import base64
from typing import Callable

import ipywidgets as widgets
import numpy as np

from gentut.widgets.render import png_bytes, upscale

__all__ = ["Panel", "image_panel"]

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


class Panel(widgets.VBox):
    """The VBox `image_panel` returns: controls, then the picture, with a static fallback view.

    Attributes: `controls` (dict name -> widget), `image` (the Image widget), `refresh()`.
    """

    def static_bundle(self) -> dict:
        """The fallback outputs: the current picture as "image/png" and a "text/plain" line."""
        values = ", ".join(f"{name}={control.value!r}" for name, control in self.controls.items())
        return {"text/plain": f"[slider panel, shown at {values}: run the notebook to move the controls]",
                "image/png": base64.b64encode(self.image.value).decode("ascii")}

    def _repr_mimebundle_(self, **kwargs) -> dict:
        """The live widget (what a kernel-backed Jupyter draws) plus the static fallback."""
        view = {"version_major": 2, "version_minor": 0, "model_id": self.model_id}
        return {**self.static_bundle(), WIDGET_VIEW: view}

    def _ipython_display_(self, **kwargs) -> None:
        """IPython's display hook (ipywidgets 7 displays widgets here; 8 through the mime bundle)."""
        from IPython.display import display
        display(self._repr_mimebundle_(), raw=True)
        if hasattr(self, "_handle_displayed"):          # ipywidgets 7: run the on_displayed callbacks
            self._handle_displayed(**kwargs)


def image_panel(render: Callable[..., np.ndarray], *, zoom: int = 1,
                **controls: widgets.ValueWidget) -> Panel:
    """Return a Panel of `controls` and an Image showing `render(**{name: control.value})`.

    zoom: integer nearest-neighbour enlargement of the rendered array (for 8x8 images).
    The panel has attributes `controls` (dict name -> widget), `image` (the Image widget) and
    `refresh()` (redraw now).
    """
    image = widgets.Image(format="png")

    def refresh(_change=None) -> None:
        values = {name: control.value for name, control in controls.items()}
        image.value = png_bytes(upscale(render(**values), zoom))

    for control in controls.values():
        control.observe(refresh, names="value")
    box = Panel([*controls.values(), image])
    box.controls, box.image, box.refresh = controls, image, refresh
    refresh()
    return box

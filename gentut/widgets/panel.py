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

__all__ = ["Panel", "choice_buttons", "image_panel"]

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


PICTURE_MAX_HEIGHT = 400        # px: with the controls, a panel fits a 1366 x 768 laptop screen
CONTROL_WIDTH, LABEL_WIDTH = "420px", "130px"   # every slider's track the same length, labels aligned
PIXELATED = ("<style>.gentut-panel img {image-rendering: pixelated; image-rendering: crisp-edges;}</style>")


def fit_zoom(height: int, zoom: int) -> int:
    """The largest integer zoom <= `zoom` at which a picture `height` pixels tall stays within
    PICTURE_MAX_HEIGHT (at least 1)."""
    return max(1, min(zoom, PICTURE_MAX_HEIGHT // max(height, 1)))


def snap_to_step(control: widgets.ValueWidget) -> None:
    """Put a slider's starting value on its step grid: the browser shows the snapped value, so an
    off-grid start would show one number while the picture was drawn for another."""
    if isinstance(control, (widgets.FloatSlider, widgets.IntSlider)) and control.step:
        steps = round((control.value - control.min) / control.step)
        control.value = type(control.value)(min(control.max, control.min + steps * control.step))


def choice_buttons(options, value=None, description: str = "") -> widgets.ToggleButtons:
    """A row of toggle buttons for a few named choices: options as for ipywidgets (labels, or
    (label, value) pairs), `value` the one chosen at first (None: the first).

    Panels use these instead of a drop-down: in JupyterLab the arrow keys on a closed drop-down
    are taken by the notebook's shortcuts (ArrowDown selects the next cell; ipywidgets issue
    3912), so a student could not change it from the keyboard. Space on a button works.
    """
    buttons = widgets.ToggleButtons(options=options, description=description)
    if value is not None:
        buttons.value = value
    buttons.style.button_width = "auto"          # each button as wide as its label
    return buttons


def style_control(control: widgets.ValueWidget) -> None:
    """Equal track lengths and aligned labels for sliders and drop-downs (unless the caller set a
    width); toggle buttons keep their natural width, and their label gets the sliders' label width."""
    if not control.layout.width and not isinstance(control, widgets.ToggleButtons):
        control.layout.width = CONTROL_WIDTH
    if hasattr(control.style, "description_width") and control.style.description_width in ("", "initial"):
        control.style.description_width = LABEL_WIDTH


def image_panel(render: Callable[..., np.ndarray], *, zoom: int = 1, caption: str = "",
                **controls: widgets.ValueWidget) -> Panel:
    """Return a Panel of `controls`, an optional caption and an Image showing `render(**values)`.

    zoom: integer nearest-neighbour enlargement of the rendered array, lowered if needed so the
    picture stays within PICTURE_MAX_HEIGHT pixels. The picture is shown at exactly its pixel
    size (never stretched to the box, so pixel art stays crisp). caption: a line of HTML above the
    picture saying what its rows and columns are. The panel has attributes `controls` (dict name
    -> widget), `image` (the Image widget) and `refresh()` (redraw now).
    """
    image = widgets.Image(format="png")

    def refresh(_change=None) -> None:
        values = {name: control.value for name, control in controls.items()}
        picture = render(**values)
        picture = upscale(picture, fit_zoom(picture.shape[0], zoom))
        image.value = png_bytes(picture)
        image.layout.width, image.layout.height = f"{picture.shape[1]}px", f"{picture.shape[0]}px"

    for control in controls.values():
        snap_to_step(control)
        style_control(control)
        control.observe(refresh, names="value")
    header = [widgets.HTML(PIXELATED)] + ([widgets.HTML(caption)] if caption else [])
    box = Panel([*controls.values(), *header, image], layout=widgets.Layout(align_items="flex-start"))
    box.add_class("gentut-panel")
    box.controls, box.image, box.refresh = controls, image, refresh
    refresh()
    return box

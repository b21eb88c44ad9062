"""Progress bars for every training loop: `tqdm.auto`, with a notebook bar that leaves a record.

    from gentut.progress import tqdm
    for step in tqdm(range(600), desc="training"):
        ...

In a terminal this is tqdm's text bar. In Jupyter it is tqdm's widget bar, with one change: when
the bar closes, its output is replaced by the final line of text ("training: 100%|...| 600/600
[00:12<00:00]"), so the saved notebook -- what GitHub, nbviewer and Colab show before anything
runs -- records that the loop finished, instead of the "0%" a widget bar leaves behind. A bar
made with `leave=False` leaves an empty output, as it would on screen.
"""

from __future__ import annotations

from tqdm.auto import tqdm as auto_tqdm

__all__ = ["tqdm"]


def notebook_bar_class(base: type) -> type:
    """A subclass of tqdm's notebook bar `base` that displays itself through a display handle and
    replaces its output by the final text line when it closes."""

    class NotebookBar(base):
        def __init__(self, *args, **kwargs):
            kwargs["display"] = False                  # we display it ourselves, with a handle
            super().__init__(*args, **kwargs)
            self.handle = None
            if not self.disable:
                from IPython.display import display
                self.handle = display(self.container, display_id=True)
                self.displayed = True

        def close(self):
            super().close()
            if getattr(self, "handle", None) is not None:
                self.handle.update({"text/plain": str(self) if self.leave else ""}, raw=True)
                self.handle = None

    NotebookBar.__name__ = NotebookBar.__qualname__ = "tqdm"
    return NotebookBar


def choose_bar() -> type:
    """tqdm.auto's class, wrapped by `notebook_bar_class` when it is the notebook (widget) bar."""
    try:
        from tqdm.notebook import tqdm as notebook_tqdm
    except ImportError:                                 # no ipywidgets: tqdm.auto is the text bar
        return auto_tqdm
    return notebook_bar_class(auto_tqdm) if issubclass(auto_tqdm, notebook_tqdm) else auto_tqdm


tqdm = choose_bar()

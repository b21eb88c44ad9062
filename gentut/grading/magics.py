"""Notebook magics in a student's cell (`%pip install ...`, `!ls`, `%%time`), read the way IPython reads them.

IPython's own input transformers turn each magic into a call (`get_ipython().run_line_magic(...)`),
and only where IPython sees one: a `%` that continues an expression on the next line (`x = (a` /
`% b)`) is Python's modulo, and a `%` inside a string is text. When grading, those calls do
nothing (gentut.grading.child gives the cells a stand-in `get_ipython`), except that a cell magic
such as `%%time` still runs its cell.
"""

from __future__ import annotations

__all__ = ["to_python"]


def to_python(source: str) -> tuple[str, bool]:
    """A cell's source as plain Python: (code, whether it held any magic)."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:          # pragma: no cover - IPython comes with ipywidgets, a gentut dependency
        return source, False
    try:
        code = TransformerManager().transform_cell(source)
    except Exception:            # noqa: BLE001 - a cell IPython cannot read: let Python report it
        return source, False
    changed = code.rstrip("\n") != source.rstrip("\n")
    return (code if changed else source), changed

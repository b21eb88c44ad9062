"""Read and write notebooks as plain lists of cells: .ipynb and jupytext .py (py:percent).

jupytext (and nbformat, which it uses) are imported here only, lazily, so that the process that
runs a submission (gentut.grading.child) never needs them.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["NOTEBOOK_SUFFIXES", "UnreadableNotebook", "read_cells", "write_notebook"]

NOTEBOOK_SUFFIXES = (".ipynb", ".py")
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}


class UnreadableNotebook(ValueError):
    """A file that is not a notebook this module can read (corrupt JSON, wrong format, ...)."""


def jupytext_module():
    try:
        import jupytext
    except ImportError:   # pragma: no cover - jupytext is a test dependency of gentut
        raise ImportError("building and grading assignments needs jupytext: pip install jupytext") from None
    return jupytext


def read_cells(path: str | Path) -> list[tuple[str, str]]:
    """A notebook file (.ipynb, or .py in py:percent) -> [(cell_type, source), ...].

    Raises UnreadableNotebook, with the reason, for anything that cannot be read as one.
    """
    path = Path(path)
    suffix = path.suffix.lower()                 # Name.IPYNB is a notebook too
    if suffix not in NOTEBOOK_SUFFIXES:
        raise UnreadableNotebook(f"{path.name}: expected a .ipynb or .py notebook, got {path.suffix or 'no suffix'}")
    try:
        with open(path, encoding="utf-8") as file:
            notebook = jupytext_module().reads(file.read(), fmt="ipynb" if suffix == ".ipynb" else "py:percent")
        cells = [(str(cell.cell_type), str(cell.source)) for cell in notebook.cells]
    except Exception as error:   # jupytext and nbformat raise many types for a broken file
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise UnreadableNotebook(f"{path.name} could not be read as a notebook: {reason[:300]}") from None
    return cells


def write_notebook(cells: list[tuple[str, str]], path: str | Path) -> Path:
    """Write [(cell_type, source), ...] as an .ipynb (no outputs) or a py:percent .py, by suffix."""
    import nbformat

    path = Path(path)
    makers = {"code": nbformat.v4.new_code_cell, "markdown": nbformat.v4.new_markdown_cell,
              "raw": nbformat.v4.new_raw_cell}
    notebook = nbformat.v4.new_notebook(cells=[makers[kind](source, id=f"cell-{number}")   # stable ids
                                               for number, (kind, source) in enumerate(cells)],
                                        metadata={"kernelspec": KERNELSPEC})
    jupytext_module().write(notebook, path, fmt="ipynb" if path.suffix == ".ipynb" else "py:percent")
    return path

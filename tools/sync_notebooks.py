"""Keep each notebooks/NAME.py (jupytext py:percent source) and NAME.ipynb in sync.

    python tools/sync_notebooks.py            # rebuild every .ipynb from its .py and run it
    python tools/sync_notebooks.py 01         # only notebooks whose name starts with 01
    python tools/sync_notebooks.py --check    # exit 1 if any pair is out of sync (no writing)

The .py file is the source of truth. Each .ipynb is rebuilt from it and executed top to bottom
(on this machine's CPU, offline), so that the committed notebook carries the outputs that Colab
shows before anything runs and that nbval compares for cells marked "# NBVAL_CHECK_OUTPUT".
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def cell_sources(notebook: nbformat.NotebookNode) -> list[tuple[str, str]]:
    """The (cell_type, source) of every cell: what must agree between the two files of a pair."""
    return [(cell.cell_type, cell.source.strip()) for cell in notebook.cells]


def out_of_sync(source: Path) -> bool:
    """True when NAME.ipynb is missing or its cells differ from those of NAME.py."""
    paired = source.with_suffix(".ipynb")
    if not paired.exists():
        return True
    return cell_sources(jupytext.read(source)) != cell_sources(nbformat.read(paired, as_version=4))


def build(source: Path, timeout: int = 600) -> float:
    """Rebuild NAME.ipynb from NAME.py, execute it in place, and return the seconds it took."""
    notebook = jupytext.read(source)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    start = time.perf_counter()
    NotebookClient(notebook, timeout=timeout, kernel_name="python3", store_widget_state=False,
                   resources={"metadata": {"path": str(source.parent)}}).execute()
    seconds = time.perf_counter() - start
    for cell in notebook.cells:                      # execution metadata holds wall-clock times
        cell.metadata.pop("execution", None)
    jupytext.write(notebook, source.with_suffix(".ipynb"))
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("prefix", nargs="?", default="", help="only notebooks whose name starts with this")
    parser.add_argument("--check", action="store_true", help="report pairs out of sync; change nothing")
    args = parser.parse_args()
    sources = sorted(p for p in NOTEBOOKS.glob(f"{args.prefix}*.py"))
    if args.check:
        stale = [p.name for p in sources if out_of_sync(p)]
        for name in stale:
            print(f"out of sync: {name} (run: python tools/sync_notebooks.py {name[:2]})")
        return 1 if stale else 0
    for source in sources:
        print(f"{source.name}: executed in {build(source):.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

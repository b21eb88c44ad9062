"""Print each notebook's execution time, top to bottom, in a fresh kernel on this machine.

    python benchmarks/notebooks.py [PREFIX]

Target: each notebook <= 60 s on a 2-core CPU (aim for 30 s), so that an instructor can run all
cells during a lecture. "kernel" is the start of a fresh kernel; "cells" the execution itself.
"""

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def time_notebook(path: Path) -> tuple[float, float]:
    """Execute the notebook at `path` in memory; return (kernel start seconds, execution seconds)."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    with client.setup_kernel():
        started = time.perf_counter()
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index)
    return started - start, time.perf_counter() - started


def main() -> None:
    prefix = sys.argv[1] if len(sys.argv) > 1 else ""
    print(f"{'notebook':28s} {'kernel s':>9s} {'cells s':>8s} {'total s':>8s}")
    for path in sorted(NOTEBOOKS.glob(f"{prefix}*.ipynb")):
        kernel, cells = time_notebook(path)
        print(f"{path.name:28s} {kernel:9.1f} {cells:8.1f} {kernel + cells:8.1f}", flush=True)


if __name__ == "__main__":
    main()

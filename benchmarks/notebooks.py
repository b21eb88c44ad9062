"""Print each notebook's execution time, top to bottom, in a fresh kernel on this machine.

    python benchmarks/notebooks.py [PREFIX] [--cells K]

--cells K also prints each notebook's K slowest cells (seconds, and the cell's first code line),
to see where a notebook's time goes.

Target: each notebook <= 60 s on a 2-core CPU (aim for 30 s), so that an instructor can run all
cells during a lecture. "kernel" is the start of a fresh kernel; "cells" the execution itself.
"""

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def time_notebook(path: Path) -> tuple[float, float, list[tuple[float, str]]]:
    """Execute the notebook at `path` in memory.

    Returns (kernel start seconds, execution seconds, [(seconds, first line) per code cell]).
    """
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    with client.setup_kernel():
        started = time.perf_counter()
        cells = []
        for index, cell in enumerate(notebook.cells):
            before = time.perf_counter()
            client.execute_cell(cell, index)
            if cell.cell_type == "code":
                first = next((line for line in cell.source.splitlines() if line and not line.startswith("#")), "")
                cells.append((time.perf_counter() - before, f"cell {index}: {first[:70]}"))
    return started - start, time.perf_counter() - started, cells


def main() -> None:
    args = sys.argv[1:]
    slowest = int(args[args.index("--cells") + 1]) if "--cells" in args else 0
    if "--cells" in args:
        del args[args.index("--cells"):args.index("--cells") + 2]
    prefix = args[0] if args else ""
    print(f"{'notebook':28s} {'kernel s':>9s} {'cells s':>8s} {'total s':>8s}")
    for path in sorted(NOTEBOOKS.glob(f"{prefix}*.ipynb")):
        kernel, total, cells = time_notebook(path)
        print(f"{path.name:28s} {kernel:9.1f} {total:8.1f} {kernel + total:8.1f}", flush=True)
        for seconds, where in sorted(cells, reverse=True)[:slowest]:
            print(f"    {seconds:6.1f} s  {where}", flush=True)


if __name__ == "__main__":
    main()

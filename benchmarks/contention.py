"""How a notebook slows down when another program keeps a core busy, with and without setup()'s
choice of threads.

    python benchmarks/contention.py [PREFIX]        # default: 03 (the GAN notebook trains live)

Runs the notebook three times in a fresh kernel (benchmarks/notebooks.py's timer):

* alone: nothing else running; setup() picks its threads (every core of an idle machine);
* busy, every core: one other process spins on a core, and torch is made to use every core
  anyway (what torch does by default, and what gentut did before setup() chose);
* busy, setup(): the same busy process, and setup() picks the idle cores (gentut.runtime.busy_cores).

The busy process is a plain Python loop, one core's worth of work, such as a browser tab or
another program on a student's laptop. It starts 2 s before each busy run; the run alone waits
until the cores are quiet (busy_cores below 0.3). Run on an otherwise quiet machine.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from notebooks import NOTEBOOKS, time_notebook  # noqa: E402

from gentut.runtime import busy_cores, choose_threads  # noqa: E402

WARM_UP_S = 2                   # the busy process is up and spinning
EVERY_CORE = "import gentut.runtime as runtime, os; runtime.choose_threads = lambda *a, **k: len(os.sched_getaffinity(0))"


def with_first_cell(path: Path, source: str, folder: Path) -> Path:
    """A copy of the notebook at `path` (in its own folder, so relative paths still work) with
    `source` run before its first cell."""
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.insert(0, nbformat.v4.new_code_cell(source))
    copy = folder / f".contention-{path.name}"
    nbformat.write(notebook, copy)
    return copy


def busy_process() -> subprocess.Popen:
    """One core kept busy by a pure-Python loop (no torch, no threads)."""
    return subprocess.Popen([sys.executable, "-c", "while True: pass"])


def wait_until_quiet(threshold: float = 0.3, limit_s: float = 300) -> None:
    """Wait (at most limit_s) until fewer than `threshold` cores are busy: otherwise work still
    running would count as busy cores and setup() would pick fewer threads."""
    deadline = time.monotonic() + limit_s
    while (busy_cores() or 0.0) > threshold and time.monotonic() < deadline:
        time.sleep(5)


def main() -> None:
    prefix = sys.argv[1] if len(sys.argv) > 1 else "03"
    path = next(NOTEBOOKS.glob(f"{prefix}*.ipynb"))
    forced = with_first_cell(path, EVERY_CORE, path.parent)
    runs = [("alone, setup()", path, False), ("busy, every core", forced, True), ("busy, setup()", path, True)]
    print(f"{path.name}: {len(os.sched_getaffinity(0))} cores")
    print(f"{'run':20s} {'load':>5s} {'torch threads':>13s} {'total s':>8s}")
    try:
        for name, notebook, busy in runs:
            if not busy:
                wait_until_quiet()
            spinner = busy_process() if busy else None
            try:
                if busy:
                    time.sleep(WARM_UP_S)
                load = busy_cores() or 0.0
                threads = len(os.sched_getaffinity(0)) if notebook == forced else choose_threads(load=load)
                kernel, cells, _ = time_notebook(notebook)
            finally:
                if spinner:
                    spinner.kill()
                    spinner.wait()
            print(f"{name:20s} {load:5.2f} {threads:13d} {kernel + cells:8.1f}", flush=True)
    finally:
        forced.unlink(missing_ok=True)


if __name__ == "__main__":
    main()

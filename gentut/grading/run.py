"""Run one submission's cells in a fresh Python subprocess, with limits, and read back what passed.

The grader never executes student code itself. Each run gets:
* a new temporary working folder, which is also its HOME and TMPDIR (deleted afterwards);
* a process group of its own, killed when the whole run passes `Limits.seconds`;
* per-cell alarms (`Limits.cell_seconds`), a memory cap, a cap on every file it writes (stdout
  and stderr go to capped files), and Landlock where the kernel has it (gentut.grading.sandbox);
* one thread for torch / NumPy, no GPU (so grades are the same on every machine), fixed seeds;
* the job on stdin, and a results file outside its working folder that it appends to, line by
  line, so that a run killed half-way keeps the results of the cells it finished.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import site
import subprocess
import sys
import sysconfig
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import gentut

__all__ = ["Limits", "CellResult", "RunResult", "read_roots", "run_cells"]

SYSTEM_ROOTS = ("/usr", "/lib", "/lib32", "/lib64", "/bin", "/sbin", "/etc", "/proc", "/sys", "/dev")


@dataclass(frozen=True)
class Limits:
    """seconds: the whole submission; cell_seconds: one cell; memory_mb: address space;
    output_mb: each file the submission writes (its printed output included); sandbox: Landlock."""

    seconds: float = 600.0
    cell_seconds: float = 120.0
    memory_mb: int = 4096
    output_mb: int = 16
    sandbox: bool = True


@dataclass(frozen=True)
class CellResult:
    """What happened to one cell: ran (a result came back), passed, message."""

    ran: bool
    passed: bool
    message: str


@dataclass
class RunResult:
    """A run's cells (in order), the guard the child reported, and how the process ended."""

    cells: list[CellResult]
    guard: str
    finished: bool
    timed_out: bool
    returncode: int | None
    output_capped: bool
    seconds: float
    notes: list[str] = field(default_factory=list)


def read_roots() -> list[str]:
    """Folders a submission may read: the system's, Python's, the installed packages' and gentut's."""
    paths = sysconfig.get_paths()
    roots = [*SYSTEM_ROOTS, sys.prefix, sys.base_prefix, sys.exec_prefix, *site.getsitepackages(),
             paths["stdlib"], paths["platstdlib"], paths["purelib"], paths["platlib"],
             str(Path(gentut.__file__).resolve().parent)]
    return sorted({str(Path(root).resolve()) for root in roots if root and Path(root).exists()})


def child_environment(workdir: Path) -> dict[str, str]:
    """A small, fixed environment: nothing of the grader's own environment leaks in."""
    mpl = workdir / ".matplotlib"
    mpl.mkdir()
    copy_font_cache(mpl)
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(workdir), "TMPDIR": str(workdir),
            "PYTHONPATH": str(Path(gentut.__file__).resolve().parent.parent), "PYTHONHASHSEED": "0",
            "PYTHONDONTWRITEBYTECODE": "1", "PYTHONIOENCODING": "utf-8", "LANG": "C.UTF-8",
            "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
            "CUDA_VISIBLE_DEVICES": "", "MPLBACKEND": "Agg", "MPLCONFIGDIR": str(mpl), "TQDM_DISABLE": "1"}


def copy_font_cache(target: Path) -> None:
    """Copy matplotlib's font list from the grader's cache, if any, so each run skips rebuilding it (~1 s)."""
    candidates = [os.environ.get("MPLCONFIGDIR"), Path.home() / ".cache" / "matplotlib", Path.home() / ".matplotlib"]
    for folder in filter(None, candidates):
        for cache in Path(folder).glob("fontlist-v*.json"):
            shutil.copy(cache, target / cache.name)


def read_results(path: Path, token: str, n_cells: int) -> tuple[str, list[CellResult | None], bool]:
    """Parse the results file: (guard, result per cell or None, finished). Lines without the
    token, malformed lines and repeated cells are ignored."""
    guard, results, finished = "", [None] * n_cells, False
    with open(path, encoding="utf-8", errors="replace") as lines:
        for line in lines:
            try:
                record = json.loads(line)
                if not isinstance(record, dict) or record.get("token") != token:
                    continue
                index, passed, message = int(record["cell"]), bool(record["ok"]), str(record["message"])
            except (ValueError, KeyError, TypeError):
                continue
            if index == -1 and not guard:
                guard = message
            elif 0 <= index < n_cells and results[index] is None:
                results[index] = CellResult(True, passed, message)
            elif index == n_cells:
                finished = True
    return guard, results, finished


def kill_group(process: subprocess.Popen) -> None:
    """Kill the run's whole process group (the child and anything it started)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()


def missing_message(timed_out: bool, returncode: int | None, limits: Limits) -> str:
    """Why a cell has no result."""
    if timed_out:
        return (f"not run: the submission was stopped after {limits.seconds:g} s, the time limit of a "
                "whole submission (a cell ignored its own time limit)")
    how = f"signal {-returncode}" if returncode is not None and returncode < 0 else f"exit code {returncode}"
    return f"not run: the submission's process ended early ({how}), before reaching this cell"


def run_cells(cells: list[dict], limits: Limits = Limits(), seed: int = 0) -> RunResult:
    """Run cells [{"kind", "source", "question"}, ...] in one fresh subprocess; one CellResult each."""
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="gentut-grading-", ignore_cleanup_errors=True) as tmp:
        tmp = Path(tmp)
        workdir, results = tmp / "work", tmp / "results.jsonl"
        workdir.mkdir()
        results.touch()
        token = secrets.token_hex(16)
        job = {"cells": [{**cell, "index": i} for i, cell in enumerate(cells)], "results": str(results),
               "token": token, "seed": seed, "cell_seconds": limits.cell_seconds, "memory_mb": limits.memory_mb,
               "output_mb": limits.output_mb, "sandbox": limits.sandbox, "read_roots": read_roots()}
        with open(tmp / "stdout.txt", "wb") as out, open(tmp / "stderr.txt", "wb") as err:
            process = subprocess.Popen([sys.executable, "-m", "gentut.grading.child"], stdin=subprocess.PIPE,
                                       stdout=out, stderr=err, cwd=workdir, env=child_environment(workdir),
                                       start_new_session=True)
            timed_out = False
            try:
                process.stdin.write(json.dumps(job).encode("utf-8"))
                process.stdin.close()
                process.wait(timeout=limits.seconds)
            except BrokenPipeError:
                pass
            except subprocess.TimeoutExpired:
                timed_out = True
            finally:
                returncode = process.poll()
                kill_group(process)
        cap = (limits.output_mb << 20) - (64 << 10)     # writes stop within a buffer's length of the cap
        capped = any((tmp / name).stat().st_size >= cap for name in ("stdout.txt", "stderr.txt"))
        guard, outcomes, finished = read_results(results, token, len(cells))
        startup_error = "" if guard else (tmp / "stderr.txt").read_text(errors="replace")[-2000:]
    missing = CellResult(False, False, missing_message(timed_out, returncode, limits))
    run = RunResult([outcome or missing for outcome in outcomes], guard, finished, timed_out, returncode,
                    capped, time.perf_counter() - start)
    if startup_error:
        run.notes.append(f"the runner did not start: {startup_error.strip()}")
    return run

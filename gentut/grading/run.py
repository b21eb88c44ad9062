"""Run one submission's cells in a fresh, protected subprocess and collect what each cell gave back.

The grader never executes student code itself. Each run gets:
* a new temporary folder: its working folder (also HOME and TMPDIR; where the system allows, a
  tmpfs the size of the disk budget), and its own copy of gentut in which this assignment's
  references raise (gentut.grading.references);
* a budget for the whole submission: wall time (`Limits.seconds`), each cell's time
  (`cell_seconds`), memory of all its processes together (`memory_mb`, also each process's
  address space), processes (`max_processes`), disk (`disk_mb`) and each file's size
  (`output_mb`, printed output included); kept by the kernel where it can (cgroup, namespaces,
  rlimits) and by the grader's monitor everywhere (gentut.grading.monitor);
* no network, no other process in sight, reads only from an allow-list, writes only in its
  folder: whatever of that this system offers (gentut.grading.child, .sandbox, .namespaces);
* one thread for torch / NumPy, no GPU (so grades are the same on every machine), fixed seeds.

The cells go one at a time over a pipe; each reply says which cell it answers, and holds plain
values only (a test's probe values, or an error message): never whether anything passed. When
the run ends, for whatever reason, every process it started is killed: its cgroup, its PID
namespace, its process group, every descendant the monitor saw, and every process that still
carries the run's random marker in its environment.
"""

from __future__ import annotations

import json
import os
import secrets
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from gentut.grading.cgroups import Cgroup
from gentut.grading.monitor import Monitor, descendants, folder_size

__all__ = ["Limits", "CellResult", "RunResult", "run_cells"]

MAX_REPLY = 64 << 20          # bytes of one reply line (a probe's arrays, base64)
START_SECONDS = 60.0          # for the process to start and protect itself
MARKER = "GENTUT_GRADING_RUN"


@dataclass(frozen=True)
class Limits:
    """The budget of one submission (see the module docstring); sandbox=False turns the OS
    protections off (namespaces, cgroup, Landlock, seccomp, dropped capabilities) and keeps the
    limits, the monitor and the judge in its own process."""

    seconds: float = 600.0
    cell_seconds: float = 120.0
    memory_mb: int = 4096
    output_mb: int = 16
    disk_mb: int = 512
    max_processes: int = 64
    sandbox: bool = True


@dataclass(frozen=True)
class CellResult:
    """What came back for one cell: ran (a reply came), ok (no error), error (its message),
    values (a test's probe values, plain data, or None)."""

    ran: bool
    ok: bool
    error: str
    values: dict | None = None


@dataclass
class RunResult:
    """A run's cells (in order), the protections in force, and how the process ended."""

    cells: list[CellResult]
    protections: list[str]
    finished: bool
    timed_out: bool
    stopped: str
    output_capped: bool
    seconds: float
    notes: list[str] = field(default_factory=list)


class Replies:
    """JSON lines from the submission's pipe, read with deadlines and a cap on their size."""

    def __init__(self, fd: int):
        self.fd, self.buffer, self.closed = fd, b"", False

    def next(self, deadline: float):
        """The next reply (a dict), or None at the deadline or the end of the pipe."""
        while b"\n" not in self.buffer:
            remaining = deadline - time.monotonic()
            if self.closed or remaining <= 0:
                return None
            ready, _, _ = select.select([self.fd], [], [], min(remaining, 1.0))
            if not ready:
                continue
            chunk = os.read(self.fd, 1 << 20)
            if not chunk:
                self.closed = True
                continue
            self.buffer += chunk
            if len(self.buffer) > MAX_REPLY and b"\n" not in self.buffer:
                self.closed = True
                return {"cell": None, "error": "a reply larger than the grader accepts"}
        line, self.buffer = self.buffer.split(b"\n", 1)
        try:
            reply = json.loads(line)
        except ValueError:
            return {"cell": None}
        return reply if isinstance(reply, dict) else {"cell": None}


def font_cache(target: Path) -> None:
    """Copy matplotlib's font list from the grader's cache, if any, so each run skips rebuilding it (~1 s)."""
    candidates = [os.environ.get("MPLCONFIGDIR"), Path.home() / ".cache" / "matplotlib", Path.home() / ".matplotlib"]
    for folder in filter(None, candidates):
        for cache in Path(folder).glob("fontlist-v*.json"):
            shutil.copy(cache, target / cache.name)


def child_environment(tmp: Path, library: Path, marker: str) -> dict[str, str]:
    """A small, fixed environment: nothing of the grader's own environment leaks in."""
    work = tmp / "work"
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(work), "TMPDIR": str(work),
            "PYTHONPATH": str(library), "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONIOENCODING": "utf-8", "LANG": "C.UTF-8", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1", "CUDA_VISIBLE_DEVICES": "", "MPLBACKEND": "Agg",
            "MPLCONFIGDIR": str(work / ".matplotlib"), "TQDM_DISABLE": "1", MARKER: marker}


def marked_processes(marker: str) -> list[int]:
    """Processes whose environment still holds `marker` (those this user may read)."""
    needle, found = f"{MARKER}={marker}".encode(), []
    for entry in filter(str.isdigit, os.listdir("/proc")) if os.path.isdir("/proc") else []:
        try:
            with open(f"/proc/{entry}/environ", "rb") as file:
                if needle in file.read():
                    found.append(int(entry))
        except OSError:
            continue
    return found


def end_everything(process: subprocess.Popen, cgroup: Cgroup | None, monitor: Monitor, marker: str) -> None:
    """Kill every process of the run, however it tried to get away (see the module docstring)."""
    if cgroup:
        cgroup.kill()
    for _ in range(3):
        found = descendants(process.pid) | monitor.seen | set(marked_processes(marker))
        for pid in found - {os.getpid()}:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except OSError:
            pass
    process.wait()
    if cgroup:
        cgroup.remove()


def wait_for_exit(process: subprocess.Popen, seconds: float) -> None:
    """Give the process a moment to end by itself (its launcher then ends what is left beneath it)."""
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        pass


class Run:
    """One submission's process and its conversation with the grader (see run_cells)."""

    def __init__(self, cells: list[dict], limits: Limits, library, reads: list[str], seed: int):
        self.cells, self.limits, self.library, self.reads, self.seed = cells, limits, library, reads, seed
        self.stopped, self.lock = "", threading.Lock()

    def stop(self, reason: str) -> None:
        """Called by the monitor past a budget: end the submission now."""
        with self.lock:
            if not self.stopped:
                self.stopped = reason
        end_everything(self.process, self.cgroup, self.monitor, self.marker)

    def start(self, tmp: Path) -> None:
        for folder in ("work", "stage", "lib", "stage/.matplotlib"):
            (tmp / folder).mkdir()
        font_cache(tmp / "stage" / ".matplotlib")
        library = self.library.copy_into(tmp / "lib")
        self.marker = secrets.token_hex(16)
        requests_in, self.requests = os.pipe()
        replies, replies_out = os.pipe()
        self.out, self.err = open(tmp / "stdout.txt", "wb"), open(tmp / "stderr.txt", "wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gentut.grading.child", str(requests_in), str(replies_out)],
            pass_fds=(requests_in, replies_out), stdin=subprocess.DEVNULL, stdout=self.out, stderr=self.err,
            cwd=tmp / "work", env=child_environment(tmp, library, self.marker), start_new_session=True)
        os.close(requests_in)
        os.close(replies_out)
        self.replies = Replies(replies)
        self.cgroup = Cgroup.create(self.limits.memory_mb, self.limits.max_processes) if self.limits.sandbox else None
        if self.cgroup:
            try:
                self.cgroup.add(self.process.pid)
            except OSError:
                self.cgroup.remove()
                self.cgroup = None
        self.monitor = Monitor(self.process.pid, self.cgroup, tmp / "work", self.limits.memory_mb,
                               self.limits.max_processes, self.limits.disk_mb, self.stop)

    def send(self, message: dict) -> bool:
        data = (json.dumps(message) + "\n").encode("utf-8")
        try:
            while data:
                data = data[os.write(self.requests, data):]
            return True
        except OSError:                         # the process is gone
            return False

    def talk(self, tmp: Path) -> tuple[list[CellResult | None], list[str], bool, bool]:
        """Send the job, then each cell; (results, protections, finished, timed_out)."""
        limits, start = self.limits, time.monotonic()
        end = start + limits.seconds
        job = {"workdir": str(tmp / "work"), "stage": str(tmp / "stage"), "reads": self.reads + [str(tmp / "lib")],
               "memory_mb": limits.memory_mb, "output_mb": limits.output_mb, "disk_mb": limits.disk_mb,
               "max_processes": limits.max_processes, "cell_seconds": limits.cell_seconds,
               "sandbox": limits.sandbox, "seed": self.seed}
        results: list[CellResult | None] = [None] * len(self.cells)
        hello = self.replies.next(time.monotonic() + START_SECONDS) if self.send(job) else None
        if not hello or hello.get("cell") != -1:
            return results, [], False, False
        protections = [str(line) for line in hello.get("protections", [])]
        if self.cgroup:
            protections.append("cgroup v2: every process of the submission is ended at once" +
                               "".join(f"; {limit}" for limit in self.cgroup.limits))
        self.monitor.start()
        for index, cell in enumerate(self.cells):
            if not self.send({**cell, "index": index}):
                return results, protections, False, False
            deadline = min(time.monotonic() + limits.cell_seconds + 10, end)
            while True:
                reply = self.replies.next(deadline)
                if reply is None:
                    return results, protections, False, time.monotonic() >= end
                if reply.get("cell") == index:
                    break                        # anything else on the pipe is not an answer to this cell
            values = reply.get("values")
            results[index] = CellResult(True, reply.get("ok") is True, str(reply.get("error", ""))[:5000],
                                        values if isinstance(values, dict) else None)
        self.send({"op": "end"})
        return results, protections, True, False


def missing_message(timed_out: bool, stopped: str, exit_code: int | None, limits: Limits) -> str:
    """Why a cell has no result."""
    if stopped:
        return f"not run: the submission was stopped because {stopped}"
    if timed_out:
        return (f"not run: the submission was stopped after {limits.seconds:g} s, the time limit of a "
                "whole submission")
    if exit_code is not None:
        how = f"signal {-exit_code}" if exit_code < 0 else f"exit code {exit_code}"
        return f"not run: the submission's process ended early ({how}), before reaching this cell"
    return (f"not run: the cell before did not answer within {limits.cell_seconds:g} s, the time limit of one "
            "cell, so the submission was stopped there")


def run_cells(cells: list[dict], limits: Limits, library, reads: list[str], seed: int = 0) -> RunResult:
    """Run cells [{"kind", "question", "source", "inputs"?, "send_back"?}, ...] in one fresh,
    protected subprocess whose gentut comes from `library` (a GradingCopy) and which may read
    `reads`; one CellResult each."""
    start = time.perf_counter()
    run = Run(cells, limits, library, reads, seed)
    exit_code = None
    with tempfile.TemporaryDirectory(prefix="gentut-grading-", ignore_cleanup_errors=True) as tmp:
        tmp = Path(tmp)
        run.start(tmp)
        try:
            outcomes, protections, finished, timed_out = run.talk(tmp)
            wait_for_exit(run.process, 2.0)
            exit_code = run.process.poll()
        finally:
            run.monitor.close()
            end_everything(run.process, run.cgroup, run.monitor, run.marker)
        if not run.stopped and folder_size(tmp / "work", limits.disk_mb << 20) > limits.disk_mb << 20:
            run.stopped = f"it wrote more than {limits.disk_mb} MB to disk, the budget of a whole submission"
            os.close(run.requests)
            os.close(run.replies.fd)
            run.out.close()
            run.err.close()
        cap = (limits.output_mb << 20) - (64 << 10)     # writes stop within a buffer's length of the cap
        capped = any((tmp / name).stat().st_size >= cap for name in ("stdout.txt", "stderr.txt"))
        startup_error = "" if protections else (tmp / "stderr.txt").read_text(errors="replace")[-2000:]
    missing = CellResult(False, False, missing_message(timed_out, run.stopped, exit_code, limits))
    result = RunResult([outcome or missing for outcome in outcomes], protections, finished and not run.stopped,
                       timed_out, run.stopped, capped, time.perf_counter() - start)
    if startup_error:
        result.notes.append(f"the runner did not start: {startup_error.strip()}")
    return result

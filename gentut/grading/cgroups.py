"""A cgroup (v2) per submission, where the grader may make one: every process the submission starts
is in it, whatever session or process group it makes, and `cgroup.kill` ends them all at once.

Where the memory and pids controllers are delegated to the grader's cgroup, the cgroup also holds
the budget of the whole submission: memory.max (all its processes together, no swap) and
pids.max. Where they are not (a desktop session's scope, a container that keeps them, a machine
with the v1 controllers), the grader's monitor (gentut.grading.monitor) keeps that budget.

Made beneath the grader's own cgroup; removed when the submission ends.
"""

from __future__ import annotations

import itertools
import os
import signal
import time
from pathlib import Path

__all__ = ["Cgroup"]

COUNTER = itertools.count()


def cgroup2_root() -> Path | None:
    """Where the cgroup v2 hierarchy is mounted (from /proc/self/mountinfo), or None."""
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        fields = line.split(" - ")
        if len(fields) == 2 and fields[1].split()[0] == "cgroup2":
            return Path(fields[0].split()[4])
    return None


def own_cgroup() -> Path | None:
    """The folder of the grader's own cgroup v2, or None."""
    root = cgroup2_root()
    try:
        line = next(line for line in Path("/proc/self/cgroup").read_text().splitlines() if line.startswith("0::"))
    except (OSError, StopIteration):
        return None
    return root / line[3:].lstrip("/") if root else None


class Cgroup:
    """One submission's cgroup: create(), add(pid), pids(), kill(), remove(); `limits` says what
    it enforces besides membership."""

    def __init__(self, path: Path, limits: list[str]):
        self.path = path
        self.limits = limits
        self.removed = False

    @classmethod
    def create(cls, memory_mb: int, max_processes: int) -> Cgroup | None:
        """A new cgroup beneath the grader's, with the limits it can hold, or None where none can be made."""
        parent = own_cgroup()
        if parent is None or not (parent / "cgroup.procs").exists():
            return None
        path = parent / f"gentut-grading-{os.getpid()}-{next(COUNTER)}"
        try:
            path.mkdir()
        except OSError:
            return None
        limits = []
        controllers = (parent / "cgroup.subtree_control").read_text().split()
        for name, settings, description in [
                ("memory", {"memory.max": str(memory_mb << 20), "memory.swap.max": "0"},
                 f"memory {memory_mb} MB for all its processes together"),
                ("pids", {"pids.max": str(max_processes)}, f"at most {max_processes} tasks")]:
            if name not in controllers:
                continue
            try:
                for file, value in settings.items():
                    if (path / file).exists():
                        (path / file).write_text(value)
                limits.append(description)
            except OSError:
                continue
        return cls(path, limits)

    def add(self, pid: int) -> None:
        """Move a process (before it starts the submission) into the cgroup."""
        (self.path / "cgroup.procs").write_text(str(pid))

    def pids(self) -> list[int]:
        """Every process in the cgroup now."""
        try:
            return [int(p) for p in (self.path / "cgroup.procs").read_text().split()]
        except OSError:
            return []

    def memory_peak_hit(self) -> bool:
        """Whether memory.max stopped an allocation (memory.events: max or oom_kill > 0)."""
        try:
            events = dict(line.split() for line in (self.path / "memory.events").read_text().splitlines())
        except (OSError, ValueError):
            return False
        return int(events.get("oom_kill", 0)) > 0

    def kill(self) -> None:
        """End every process in the cgroup (cgroup.kill, else SIGKILL to each until none is left)."""
        if self.removed:
            return
        if (self.path / "cgroup.kill").exists():
            try:
                (self.path / "cgroup.kill").write_text("1")
            except OSError:
                pass
        for _ in range(100):
            pids = self.pids()
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.02)

    def remove(self) -> None:
        """Kill what is left and delete the cgroup (once)."""
        if self.removed:
            return
        self.kill()
        for _ in range(100):
            try:
                self.path.rmdir()
                self.removed = True
                return
            except OSError:
                time.sleep(0.02)

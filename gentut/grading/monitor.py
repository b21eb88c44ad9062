"""The grader's watch over one running submission: the budget of all its processes together.

Every quarter of a second the monitor finds the submission's processes (its cgroup's, else every
descendant of the process the grader started, namespaced ones included), adds up their memory
(proportional set size, so pages shared after a fork count once) and counts them, and every
second measures what its working folder holds. Past a budget it ends the submission and says
why. Kernel limits (a cgroup's memory.max and pids.max, a tmpfs's size, the per-process rlimits)
stop a submission sooner where they exist; the monitor holds the budget everywhere else, within
one poll.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

__all__ = ["Monitor", "descendants", "process_memory", "folder_size"]

PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def parents() -> dict[int, int]:
    """{pid: parent pid} of every process on the machine (from /proc)."""
    table = {}
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{entry}/stat", "rb") as file:
                table[int(entry)] = int(file.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return table


def descendants(pid: int) -> set[int]:
    """`pid` and every process beneath it."""
    children: dict[int, list[int]] = {}
    for child, parent in parents().items():
        children.setdefault(parent, []).append(child)
    found, todo = set(), [pid]
    while todo:
        current = todo.pop()
        if current not in found:
            found.add(current)
            todo += children.get(current, [])
    return found


def process_memory(pid: int) -> int:
    """Bytes of memory a process holds: its Pss (smaps_rollup), else its resident set."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as file:
            for line in file:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) << 10
    except (OSError, ValueError, IndexError):
        pass
    try:
        with open(f"/proc/{pid}/statm", "rb") as file:
            return int(file.read().split()[1]) * PAGE
    except (OSError, ValueError, IndexError):
        return 0


def folder_size(folder: Path, limit: int, max_entries: int = 20000) -> int:
    """Bytes of the files beneath `folder`, counting up to just past `limit` (then it stops);
    past `max_entries` files and folders, it answers limit + 1 (too many to count in one poll)."""
    total, todo, seen = 0, [folder], 0
    while todo and total <= limit:
        try:
            with os.scandir(todo.pop()) as entries:
                for entry in entries:
                    seen += 1
                    if seen > max_entries:
                        return limit + 1
                    if entry.is_dir(follow_symlinks=False):
                        todo.append(Path(entry.path))
                    elif entry.is_file(follow_symlinks=False):
                        total += entry.stat(follow_symlinks=False).st_blocks * 512
        except OSError:
            continue
    return total


class Monitor(threading.Thread):
    """Watch a submission started as process `root` (or its cgroup); call `stop(reason)` past a budget.

    seen: every process it saw, so the grader can end them even if they left the tree."""

    def __init__(self, root: int, cgroup, workdir: Path, memory_mb: int, max_processes: int, disk_mb: int,
                 stop, period: float = 0.25):
        super().__init__(daemon=True)
        self.root, self.cgroup, self.workdir, self.stop_run = root, cgroup, workdir, stop
        self.memory, self.processes, self.disk = memory_mb << 20, max_processes, disk_mb << 20
        self.period, self.seen, self.peak_memory = period, set(), 0
        self.finished = threading.Event()

    def run(self) -> None:
        if not os.path.isdir("/proc"):          # macOS: no /proc; rlimits only
            return
        while not self.finished.wait(self.period):
            pids = set(self.cgroup.pids()) if self.cgroup else descendants(self.root)
            pids.discard(self.root)             # the launcher itself runs no student code
            self.seen |= pids
            memory = sum(process_memory(pid) for pid in pids)
            self.peak_memory = max(self.peak_memory, memory)
            reason = None
            if memory > self.memory:
                reason = (f"its processes held {memory >> 20} MB together, over the budget of "
                          f"{self.memory >> 20} MB for a whole submission")
            elif len(pids) > self.processes + 1:          # +1: a namespace's init
                reason = f"it ran {len(pids)} processes at once, over the budget of {self.processes}"
            elif folder_size(self.workdir, self.disk) > self.disk:
                reason = f"it wrote more than {self.disk >> 20} MB to disk, the budget of a whole submission"
            if reason:
                self.stop_run(reason)
                return

    def close(self) -> None:
        self.finished.set()
        if self.ident is not None:              # started
            self.join(timeout=2)

"""Where computations run and how they are made repeatable.

Every notebook starts with::

    from gentut.runtime import setup
    device, generator = setup(seed=0)

which picks CUDA when present (so the same notebook runs unchanged on Colab's GPU),
seeds every random number generator, sets how many CPU threads torch uses, and prints what it
chose.

Threads: torch runs each operation on several CPU threads that wait for each other at the end
of it, spinning rather than sleeping. When another program keeps a core busy, one of those
threads keeps losing its core and every small operation waits for it: a notebook then runs many
times slower than on one thread (two torch processes on two cores, measured: see the README's
benchmark section). `setup` therefore gives torch only the cores that are idle when it starts
(measured over a quarter of a second from /proc/stat on Linux, else by the load average), at
least one; `setup(threads=N)` chooses yourself. NumPy's and SciPy's
BLAS (what scikit-learn and the kit's statistics call) get one thread: beside torch's threads,
two BLAS threads made a scikit-learn logistic regression on 1,000 digits 13x slower (0.87 s
against 0.07 s, measured on 2 cores).
"""

from __future__ import annotations

import contextlib
import os
import platform
import random
import time

import numpy as np
import torch

from gentut.checks import check_device, check_seed

__all__ = ["pick_device", "seed_everything", "seeded_from", "busy_cores", "choose_threads", "single_thread_blas", "setup"]


def pick_device(prefer: torch.device | str | None = None) -> torch.device:
    """Return ``prefer`` if given, else CUDA when available, else the CPU.

    A device this machine does not have ("cuda" without a GPU) or a misspelt one ("gpu") raises
    an InputError that lists the devices there are (gentut.checks.check_device).
    """
    return check_device(prefer)


def seed_everything(seed: int) -> torch.Generator:
    """Seed Python, NumPy and torch; return a fresh CPU ``torch.Generator`` seeded with ``seed``.

    Library code never draws from the global RNG: functions that need randomness take a
    ``generator`` argument, and notebooks pass the one returned here. ``seed``: an int in
    [0, 2**32 - 1], the range NumPy accepts (anything else raises a clear error first).
    """
    seed = check_seed(seed)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


@contextlib.contextmanager
def seeded_from(generator: torch.Generator):
    """Run the block with torch's global RNG seeded from ``generator``; restore it afterwards.

    For what takes no generator argument, above all a network's initial weights::

        with seeded_from(generator):
            G, D = mlp(8, 2, 64), mlp(2, 1, 64)        # same seed, same initial networks

    The seed is one draw from ``generator``: ``randint(2**32) % 2**31``. Not ``randint(2**31)``,
    whose draw changed between torch releases (torch 2.3 takes a 32-bit number for a range of
    2**31, torch 2.13 a 64-bit one, so the seeds, the networks and every recorded run that starts
    from them differed); for a range of 2**32 both take the same 32-bit number (measured on
    torch 2.3.0 and 2.13.0, the floor and the newest the kit is tested with).
    """
    seed = int(torch.randint(2 ** 32, (1,), generator=generator)) % 2 ** 31
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        yield


def cpu_times(text: str, cpus: set[int]) -> tuple[int, int]:
    """(busy, total) jiffies of the CPUs `cpus` summed from /proc/stat's text ("cpuN user nice
    system idle iowait irq softirq steal ..."); idle and iowait count as not busy."""
    busy = total = 0
    for line in text.splitlines():
        name, *fields = line.split()
        if name.startswith("cpu") and name[3:].isdigit() and int(name[3:]) in cpus:
            values = [int(v) for v in fields[:8]]
            total += sum(values)
            busy += sum(values) - values[3] - values[4]
    return busy, total


def busy_cores(cpus: set[int] | None = None, interval: float = 0.25) -> float | None:
    """How many of the CPUs `cpus` (default: this process's) other programs keep busy right now:
    the busy share of their time over `interval` seconds, times their number, from /proc/stat.

    None where there is no /proc/stat (macOS, Windows). Unlike the 1-minute load average, this
    does not still count a program that ended half a minute ago.
    """
    cpus = set(os.sched_getaffinity(0)) if cpus is None and hasattr(os, "sched_getaffinity") else cpus
    try:
        with open("/proc/stat") as f:
            before = cpu_times(f.read(), cpus)
        time.sleep(interval)
        with open("/proc/stat") as f:
            after = cpu_times(f.read(), cpus)
    except (OSError, TypeError, ValueError):
        return None
    total = after[1] - before[1]
    return None if total <= 0 else len(cpus) * (after[0] - before[0]) / total


def choose_threads(cores: int | None = None, load: float | None = None) -> int:
    """How many CPU threads torch should use: the cores that are idle, at least 1.

    cores: the cores this process may run on (default: its CPU affinity); load: how many are busy
    (default: `busy_cores()`, or the 1-minute load average where there is no /proc/stat).
    Idle = cores - load, rounded.
    """
    if cores is None:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    if load is None:
        load = busy_cores()
    if load is None:
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    return max(1, min(cores, round(cores - load)))


def single_thread_blas() -> None:
    """Give NumPy's and SciPy's BLAS libraries (OpenBLAS, MKL, BLIS) one thread from now on.

    The kit's BLAS work is small (64-d covariances, scikit-learn on 64 features), where a second
    thread gains nothing and, spinning beside torch's threads on the same cores, costs 10x.
    """
    from threadpoolctl import threadpool_limits
    threadpool_limits(limits=1, user_api="blas")


def setup(seed: int = 0, device: str | None = None, verbose: bool = True,
          threads: int | None = None) -> tuple[torch.device, torch.Generator]:
    """Pick the device, seed everything, set torch's CPU threads, and print what was chosen
    (the first code cell of every notebook).

    threads: torch's intra-op threads (default: `choose_threads()`, the idle cores).
    Returns ``(device, generator)``. The arguments are checked before anything is changed.
    """
    check_seed(seed)
    if threads is not None and (not isinstance(threads, int) or threads < 1):
        raise ValueError(f"threads must be a whole number >= 1, got {threads!r}")
    chosen = pick_device(device)
    generator = seed_everything(seed)
    torch.set_num_threads(threads or choose_threads())
    single_thread_blas()
    if verbose:
        gpu = f" ({torch.cuda.get_device_name(chosen)})" if chosen.type == "cuda" else ""
        print(f"torch {torch.__version__} | python {platform.python_version()} | "
              f"device: {chosen}{gpu} | CPU threads: {torch.get_num_threads()} | seed: {seed}")
    return chosen, generator

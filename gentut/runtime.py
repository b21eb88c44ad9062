"""Where computations run and how they are made repeatable.

Every notebook starts with::

    from gentut.runtime import setup
    device, generator = setup(seed=0)

which picks CUDA when present (so the same notebook runs unchanged on Colab's GPU),
seeds every random number generator, and prints what it chose.
"""

from __future__ import annotations

import platform
import random

import numpy as np
import torch

from gentut.checks import check_device, check_seed

__all__ = ["pick_device", "seed_everything", "setup"]


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


def setup(seed: int = 0, device: str | None = None, verbose: bool = True) -> tuple[torch.device, torch.Generator]:
    """Pick the device, seed everything, and print both (the first code cell of every notebook).

    Returns ``(device, generator)``. Both arguments are checked before anything is changed.
    """
    check_seed(seed)
    chosen = pick_device(device)
    generator = seed_everything(seed)
    if verbose:
        gpu = f" ({torch.cuda.get_device_name(chosen)})" if chosen.type == "cuda" else ""
        print(f"torch {torch.__version__} | python {platform.python_version()} | "
              f"device: {chosen}{gpu} | seed: {seed}")
    return chosen, generator

"""Set up gentut and its test tools in the current Python environment:  python tools/install.py

1. torch. If `import torch` already works (Colab, a conda env, a CUDA machine you set up
   yourself), it is left exactly as it is. Otherwise the CPU build of torch 2.13.0 is installed:
   an unpinned `pip install torch` would pull several GB of CUDA packages onto a machine that
   cannot use them. Where your pip would still pick a CUDA build, name the CPU wheel index:
       GENTUT_TORCH_INDEX=https://download.pytorch.org/whl/cpu python tools/install.py
2. gentut itself, editable, with the test extras (pytest, nbval, jupytext, ...). gentut only
   asks for `torch>=2.2`, which the torch from step 1 satisfies, so pip installs no other torch.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CPU_TORCH = "torch==2.13.0"


def pip(*args: str) -> None:
    """Run `python -m pip install ARGS` with this interpreter, stopping on failure."""
    command = [sys.executable, "-m", "pip", "install", *args]
    print("+", " ".join(command), flush=True)
    subprocess.run(command, check=True)


def main() -> int:
    if importlib.util.find_spec("torch") is not None:
        import torch
        print(f"keeping the installed torch {torch.__version__}")
    else:
        index = os.environ.get("GENTUT_TORCH_INDEX")
        pip(CPU_TORCH, *(["--index-url", index] if index else []))
    pip("-e", f"{ROOT}[test]")
    return 0


if __name__ == "__main__":
    sys.exit(main())

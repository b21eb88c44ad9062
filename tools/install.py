"""Set up gentut and its test tools in the current Python environment:  python tools/install.py

1. torch. If `import torch` already works (Colab, a conda env, a CUDA machine you set up
   yourself), it is left exactly as it is. Otherwise the CPU build of torch 2.13.0 is installed:
   an unpinned `pip install torch` would pull several GB of CUDA packages onto a machine that
   cannot use them. Where your pip would still pick a CUDA build, name the CPU wheel index:
       GENTUT_TORCH_INDEX=https://download.pytorch.org/whl/cpu python tools/install.py
2. gentut itself, editable, with the test extras (pytest, nbval, jupytext, ...) and the browser
   test's (Playwright's Python package and a pinned JupyterLab). gentut only asks for a torch
   that the torch from step 1 satisfies, so pip installs no other torch.
3. A chromium for the browser test (tests/test_browser.py): Playwright's own browser download is
   not used. Where none is found and this runs as root on Debian or Ubuntu, `apt-get install
   chromium`; otherwise a message names the package to install (the browser test is then skipped,
   except in CI, where it fails).

Extra pip arguments (a constraints file, say) can be given in GENTUT_PIP_ARGS; .ci/run uses this
for its floor and Colab environments.
"""

from __future__ import annotations

import importlib.util
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CPU_TORCH = "torch==2.13.0"
CHROMIUM_PACKAGE = "chromium"           # Debian's and Ubuntu's package name
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def run(command: list[str]) -> None:
    """Run a command, echoing it, stopping on failure."""
    print("+", " ".join(command), flush=True)
    subprocess.run(command, check=True)


def pip(*args: str) -> None:
    """`python -m pip install ARGS` with this interpreter (plus $GENTUT_PIP_ARGS)."""
    run([sys.executable, "-m", "pip", "install", *shlex.split(os.environ.get("GENTUT_PIP_ARGS", "")), *args])


def has_chromium() -> bool:
    if os.environ.get("GENTUT_CHROMIUM"):
        return Path(os.environ["GENTUT_CHROMIUM"]).exists()
    return any(shutil.which(name) for name in CHROMIUM_NAMES)


def can_apt_install() -> bool:
    """True on Debian or Ubuntu when running as root with apt-get on PATH."""
    debian = Path("/etc/debian_version").exists()
    return sys.platform.startswith("linux") and debian and os.geteuid() == 0 and shutil.which("apt-get") is not None


def ensure_chromium() -> None:
    if has_chromium():
        print("chromium found: the browser test will use it")
        return
    if can_apt_install():
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for command in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", CHROMIUM_PACKAGE]):
            print("+", " ".join(command), flush=True)
            subprocess.run(command, check=True, env=env)
        return
    print(f"\nThe browser test (tests/test_browser.py) needs a chromium browser and none was found.\n"
          f"Install your system's package `{CHROMIUM_PACKAGE}` (Debian/Ubuntu: sudo apt-get install "
          f"{CHROMIUM_PACKAGE}), or set GENTUT_CHROMIUM to a chromium or Chrome binary.\n"
          f"Until then the browser test is skipped (in CI it fails).\n", flush=True)


def main() -> int:
    if importlib.util.find_spec("torch") is not None:
        import torch
        print(f"keeping the installed torch {torch.__version__}")
    else:
        index = os.environ.get("GENTUT_TORCH_INDEX")
        pip(CPU_TORCH, *(["--index-url", index] if index else []))
    pip("-e", f"{ROOT}[test,browser]")
    ensure_chromium()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Print how long a student waits in the browser: input event -> new picture, per notebook.

    python benchmarks/browser.py            # every notebook
    python benchmarks/browser.py 02 08      # notebooks whose names start with 02 or 08

Runs tools/browser_check.py: each notebook is opened in JupyterLab in headless chromium, all its
cells run, then every control of every slider panel is moved by the keyboard and by the mouse.
The time is measured in the page, from the input event (keydown, the drag's first pointer move,
the drop-down's change, the click) to the moment the panel's picture changes: kernel round trip,
callback, PNG encode and decode included. Printed per notebook: median and p95 (ms), and the
seconds Run All Cells took. Run it on a quiet machine: busy cores make every figure larger.
"""

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    spec = importlib.util.spec_from_file_location("browser_check", ROOT / "tools" / "browser_check.py")
    browser_check = importlib.util.module_from_spec(spec)
    sys.modules["browser_check"] = browser_check        # dataclasses look their module up there
    spec.loader.exec_module(browser_check)
    sys.argv[0] = "benchmarks/browser.py"
    return browser_check.main()


if __name__ == "__main__":
    sys.exit(main())

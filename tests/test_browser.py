"""Every notebook in a real browser: run all cells in JupyterLab, then move every control of every
slider panel (keyboard and mouse) and see its picture change, with no error on the page.

Driven by tools/browser_check.py (Playwright's Python package with Debian's chromium). Outside CI
the test is skipped, with the reason, where the browser or its packages are missing; in CI
(the CI environment variable set) it fails instead: `python tools/install.py` installs them.
The event -> picture latencies are printed at the end of the run (tests/conftest.py).
"""

import importlib.util
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Which notebooks: GENTUT_BROWSER_NOTEBOOKS, comma-separated name prefixes, or "all". By default
# 00 (three panels, 32 control moves, about a minute), so that the suite stays short; .ci/run
# drives every notebook (about 10 minutes more on 2 cores).
SELECTED = os.environ.get("GENTUT_BROWSER_NOTEBOOKS", "00")
NOTEBOOKS = [p for p in sorted((ROOT / "notebooks").glob("*.ipynb"))
             if SELECTED == "all" or any(p.name.startswith(prefix.strip()) for prefix in SELECTED.split(","))]


def load_browser_check():
    """tools/browser_check.py as a module (one instance per process: its reports are shared)."""
    if "browser_check" not in sys.modules:
        spec = importlib.util.spec_from_file_location("browser_check", ROOT / "tools" / "browser_check.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["browser_check"] = module
        spec.loader.exec_module(module)
    return sys.modules["browser_check"]


@pytest.fixture(scope="module")
def browser_session(request):
    check = load_browser_check()
    missing = check.missing_requirements()
    if missing:
        message = "the browser test needs " + "; ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(message + " (CI must run it: python tools/install.py installs them)")
        pytest.skip(message)
    with check.BrowserCheck(NOTEBOOKS) as session:
        yield session


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_panel_control_redraws_its_picture(browser_session, browser_reports, notebook):
    report = browser_session.check(notebook.name)
    browser_reports.append(report)
    assert not report.failures, "\n".join(report.failures)
    assert report.panels > 0, "no slider panel (.gentut-panel) was shown"
    assert report.moves, "no control was moved"

"""Suite-wide hooks: the browser test's latencies are printed at the end of the run."""

import sys

import pytest

BROWSER_REPORTS = pytest.StashKey[list]()


def pytest_configure(config):
    config.stash[BROWSER_REPORTS] = []


@pytest.fixture
def browser_reports(request) -> list:
    """The NotebookReports of tests/test_browser.py, printed by pytest_terminal_summary."""
    return request.config.stash[BROWSER_REPORTS]


def pytest_terminal_summary(terminalreporter, config):
    reports = config.stash[BROWSER_REPORTS]
    if reports and "browser_check" in sys.modules:
        terminalreporter.section("browser: input event -> new picture in the page")
        terminalreporter.write_line(sys.modules["browser_check"].summarize(reports))

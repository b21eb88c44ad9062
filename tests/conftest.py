"""Suite-wide hooks: threads chosen as a notebook's setup() chooses them, and the browser test's
latencies printed at the end of the run."""

import sys

import pytest
import torch

from gentut.runtime import choose_threads, single_thread_blas

BROWSER_REPORTS = pytest.StashKey[list]()


def pytest_configure(config):
    config.stash[BROWSER_REPORTS] = []
    # As in the notebooks (gentut.runtime.setup): torch gets only the idle cores, BLAS one thread,
    # so that the suite slows down gracefully, not many-fold, beside another busy program.
    torch.set_num_threads(choose_threads())
    single_thread_blas()


@pytest.fixture
def browser_reports(request) -> list:
    """The NotebookReports of tests/test_browser.py, printed by pytest_terminal_summary."""
    return request.config.stash[BROWSER_REPORTS]


def pytest_terminal_summary(terminalreporter, config):
    reports = config.stash[BROWSER_REPORTS]
    if reports and "browser_check" in sys.modules:
        terminalreporter.section("browser: input event -> new picture in the page")
        terminalreporter.write_line(sys.modules["browser_check"].summarize(reports))

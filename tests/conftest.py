"""Suite-wide hooks: threads chosen as a notebook's setup() chooses them, torch's global RNG seeded
before every test, and the browser test's latencies printed at the end of the run; one shared
fixture (a tiny style generator and CLIP)."""

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


@pytest.fixture(autouse=True)
def seeded_global_rng():
    """Every test starts from torch's global RNG seeded at 0: a test that draws without its own
    generator draws the same numbers whatever ran before it, alone or in the whole suite."""
    torch.manual_seed(0)


@pytest.fixture
def browser_reports(request) -> list:
    """The NotebookReports of tests/test_browser.py, printed by pytest_terminal_summary."""
    return request.config.stash[BROWSER_REPORTS]


def pytest_terminal_summary(terminalreporter, config):
    reports = config.stash[BROWSER_REPORTS]
    if reports and "browser_check" in sys.modules:
        terminalreporter.section("browser: input event -> new picture in the page")
        terminalreporter.write_line(sys.modules["browser_check"].summarize(reports))


@pytest.fixture(scope="module")
def tiny_style_clip():
    """A tiny random style generator (16x16) and a tiny random CLIP that tells its images apart:
    the StyleCLIP tests and the text-edit panel's tests share them."""
    from gentut.models.clip import TinyCLIP
    from gentut.models.stylegan import StyleGenerator
    torch.manual_seed(0)
    G = StyleGenerator(z_dim=8, w_dim=8, image_size=16, width=4, max_channels=8).eval().requires_grad_(False)
    clip = TinyCLIP(embed_dim=8, width=4)
    for module in clip.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.momentum = None          # straight from initialisation the batch norms squash every
    with torch.no_grad():                   # image to nearly one vector: let them average G's images
        clip.encode_image(G(torch.randn(64, G.z_dim, generator=torch.Generator().manual_seed(5))))
    return G, clip.eval().requires_grad_(False)

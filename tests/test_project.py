"""The project's own promises: README commands == CI, conda env == pyproject, notebook pairs in sync."""

import importlib.metadata
import importlib.util
import re
import tomllib
from pathlib import Path

import jupytext
import nbformat
import pytest
import torch
import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.py"))
CONDA_NAMES = {"torch": "pytorch"}          # PyPI name -> conda-forge name, where they differ


def readme_commands() -> list[str]:
    """The commands of the README's first ```bash block."""
    block = re.search(r"```bash\n(.*?)```", (ROOT / "README.md").read_text(), re.S).group(1)
    return [line.split("#")[0].strip() for line in block.splitlines() if line.split("#")[0].strip()]


def test_readme_opens_with_two_commands_that_ci_runs_verbatim():
    """.ci/run sets up its main environment and tests it with exactly these two lines, in order
    (its floor and Colab environments come after)."""
    commands = readme_commands()
    assert len(commands) == 2, commands
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    pairs = list(zip(ci_lines, ci_lines[1:]))
    assert tuple(commands) in pairs, f".ci/run must run {commands} verbatim, one after the other"


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]]
    python = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    version = next(e for e in python if isinstance(e, str) and e.startswith("python=")).split("=")[1]
    applies = {"python_version": version, "python_full_version": f"{version}.0", "extra": ""}
    wanted = {CONDA_NAMES.get(r.name, r.name): str(r.specifier) for r in wanted
              if r.marker is None or r.marker.evaluate(applies)}
    listed = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    conda = {}
    for entry in listed:
        if isinstance(entry, str) and not entry.startswith(("python=", "pip")):
            name = re.match(r"[A-Za-z0-9_.-]+", entry).group(0)
            conda[name] = str(Requirement(entry.replace(name, "x", 1)).specifier)
    assert conda == wanted


def test_a_cpu_torch_brings_no_cuda_packages():
    if torch.version.cuda is not None:
        pytest.skip("this environment has a CUDA build of torch on purpose")
    cuda = [d.metadata["Name"] for d in importlib.metadata.distributions()
            if d.metadata["Name"].lower().startswith(("nvidia-", "triton"))]
    assert cuda == []


def load_tool(name):
    """tools/NAME.py as a module."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_sync_tool():
    return load_tool("sync_notebooks")


def test_every_notebook_is_a_pair():
    sources = {p.stem for p in NOTEBOOKS}
    notebooks = {p.stem for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert sources and sources == notebooks


@pytest.mark.parametrize("source", NOTEBOOKS, ids=lambda p: p.name)
def test_pair_in_sync(source):
    assert not load_sync_tool().out_of_sync(source), \
        f"{source.name} and its .ipynb differ: run python tools/sync_notebooks.py {source.name[:2]}"


@pytest.mark.parametrize("source", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_conventions(source):
    notebook = jupytext.read(source)
    text = "\n".join(cell.source for cell in notebook.cells)
    first_markdown = notebook.cells[0].source
    colab = load_tool("colab_source")
    badge = colab.badge_url(*colab.read_source(), f"notebooks/{source.stem}.ipynb")
    assert badge in first_markdown, "the first cell needs the Open in Colab badge for this notebook"
    first_code = next(cell.source for cell in notebook.cells if cell.cell_type == "code")
    assert '"google.colab" in sys.modules' in first_code and "pip" in first_code
    assert "setup(seed=" in text, "fixed seeds and device choice via gentut.runtime.setup"
    assert re.search(r"_panel\(|browser\(", text), "at least one slider panel from gentut.widgets"
    assert "import tqdm" not in text or "tqdm.auto" in text


def test_every_colab_badge_and_install_cell_points_where_pyproject_says():
    colab = load_tool("colab_source")
    repository, ref = colab.read_source()
    assert colab.disagreements(repository, ref) == [], \
        f"run python tools/colab_source.py {repository}@{ref} and commit the result"


def test_colab_source_repoints_a_fork_and_finds_what_disagrees():
    colab = load_tool("colab_source")
    notebook = jupytext.read(NOTEBOOKS[0])
    colab.repoint_notebook(notebook, "someone/fork", "v1.0")
    text = "\n".join(cell.source for cell in notebook.cells)
    assert colab.badge_url("someone/fork", "v1.0", f"notebooks/{NOTEBOOKS[0].stem}.ipynb") in text
    assert "git+https://github.com/someone/fork@v1.0" in text and "gentut/gentut" not in text
    assert colab.repoint_text("[x](https://colab.research.google.com/github/a/b/blob/main/notebooks/n.ipynb)",
                              "c/d", "dev") == "[x](https://colab.research.google.com/github/c/d/blob/dev/notebooks/n.ipynb)"


def test_committed_notebooks_carry_outputs_to_compare():
    for path in (ROOT / "notebooks").glob("*.ipynb"):
        checked = [c for c in nbformat.read(path, as_version=4).cells
                   if c.cell_type == "code" and "NBVAL_CHECK_OUTPUT" in c.source]
        assert checked and all(c.outputs for c in checked), f"{path.name}: re-run tools/sync_notebooks.py"

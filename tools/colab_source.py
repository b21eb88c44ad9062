"""Point every Colab badge and Colab install cell at one GitHub repository and ref.

    python tools/colab_source.py                  # show where they point now; exit 1 if they disagree
    python tools/colab_source.py ORG/REPO[@REF]   # re-point them all (REF: a branch or tag, default main)

The repository and ref are named in one place, `[tool.gentut.colab]` in pyproject.toml. From
there this script writes:
* the "Open in Colab" badge of every notebook (notebooks/*.py and .ipynb) and of the README;
* the first code cell of every notebook and assignment, which on Colab (only there) installs
  `gentut @ git+https://github.com/ORG/REPO@REF` and, if pip fails, says what to do.
An instructor who forks the kit runs it once with the fork's name and commits the result; a
course that publishes a release pins its tag (`@v1.0`), so a notebook installs the code it was
made with. `tests/test_project.py` checks that every badge and install cell agrees with
pyproject.toml. The .ipynb files are edited in place (their outputs are kept), so nothing is
re-executed.
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
BADGE = re.compile(r"https://colab\.research\.google\.com/github/[^/\s)]+/[^/\s)]+/blob/[^/\s)]+/(notebooks/[\w.-]+\.ipynb)")
INSTALL_MARK = '"google.colab" in sys.modules'
SOURCE_LINE = re.compile(r'(repository|ref) = "[^"]*"')


def install_cell(repository: str, ref: str) -> str:
    """The source of the first code cell of every notebook: install gentut on Colab only."""
    return f'''# Colab only: install gentut at the version this notebook belongs to, keeping Colab's own torch.
# Elsewhere, follow the README's set-up.
import subprocess
import sys

if "google.colab" in sys.modules:
    GENTUT = "gentut @ git+https://github.com/{repository}@{ref}"
    if subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", GENTUT]).returncode:
        raise RuntimeError(
            f"pip could not install {{GENTUT}}. Is the repository public, and does the branch or tag exist? "
            "If you forked the kit: run `python tools/colab_source.py YOUR_ORG/YOUR_REPO@BRANCH` and commit. "
            "Without GitHub: upload the kit's gentut/ folder next to this notebook (Files panel) and rerun.")'''


def badge_url(repository: str, ref: str, path: str) -> str:
    """The Colab URL that opens `path` (e.g. notebooks/00_tour.ipynb) from GitHub."""
    return f"https://colab.research.google.com/github/{repository}/blob/{ref}/{path}"


def read_source() -> tuple[str, str]:
    """(repository, ref) from [tool.gentut.colab] in pyproject.toml."""
    colab = tomllib.loads(PYPROJECT.read_text())["tool"]["gentut"]["colab"]
    return colab["repository"], colab["ref"]


def write_source(repository: str, ref: str) -> None:
    """Store (repository, ref) in pyproject.toml, keeping the rest of the file as it is."""
    text = PYPROJECT.read_text()
    section = text.index("[tool.gentut.colab]")
    end = text.find("\n[", section + 1)
    end = len(text) if end == -1 else end
    body = SOURCE_LINE.sub(lambda m: f'{m.group(1)} = "{repository if m.group(1) == "repository" else ref}"',
                           text[section:end])
    PYPROJECT.write_text(text[:section] + body + text[end:])


def is_install_cell(source: str) -> bool:
    return INSTALL_MARK in source and "pip" in source


def repoint_text(text: str, repository: str, ref: str) -> str:
    """Every badge URL in a markdown or text file re-pointed."""
    return BADGE.sub(lambda m: badge_url(repository, ref, m.group(1)), text)


def repoint_notebook(notebook: nbformat.NotebookNode, repository: str, ref: str) -> None:
    """Re-point the badges of a notebook's markdown cells and rewrite its Colab install cell."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = repoint_text(cell.source, repository, ref)
        elif cell.cell_type == "code" and is_install_cell(cell.source):
            cell.source = install_cell(repository, ref)


def targets() -> list[Path]:
    """Every file that carries a badge or an install cell."""
    return [*sorted((ROOT / "notebooks").glob("*.py")), *sorted((ROOT / "notebooks").glob("*.ipynb")),
            *sorted((ROOT / "assignments").glob("*.py")), ROOT / "README.md"]


def repoint(repository: str, ref: str) -> None:
    """Write (repository, ref) to pyproject.toml and every target file."""
    write_source(repository, ref)
    for path in targets():
        if path.suffix == ".md":
            path.write_text(repoint_text(path.read_text(), repository, ref))
            continue
        fmt = "py:percent" if path.suffix == ".py" else None
        notebook = jupytext.read(path, fmt=fmt) if fmt else nbformat.read(path, as_version=4)
        repoint_notebook(notebook, repository, ref)
        if fmt:
            jupytext.write(notebook, path, fmt=fmt)
        else:
            nbformat.write(notebook, path)


def disagreements(repository: str, ref: str) -> list[str]:
    """Each badge or install cell that points elsewhere than (repository, ref), as 'file: what'."""
    found = []
    expected_cell = install_cell(repository, ref)
    for path in targets():
        text = path.read_text()
        for match in BADGE.finditer(text):
            if match.group(0) != badge_url(repository, ref, match.group(1)):
                found.append(f"{path.relative_to(ROOT)}: badge {match.group(0)}")
        if path.suffix == ".md":
            continue
        notebook = jupytext.read(path, fmt="py:percent") if path.suffix == ".py" else nbformat.read(path, as_version=4)
        cells = [c.source for c in notebook.cells if c.cell_type == "code" and is_install_cell(c.source)]
        if cells != [expected_cell]:
            found.append(f"{path.relative_to(ROOT)}: {len(cells)} install cell(s), not the one for {repository}@{ref}")
        if path.parent.name == "notebooks" and not BADGE.search(text):
            found.append(f"{path.relative_to(ROOT)}: no Colab badge")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", nargs="?", help="ORG/REPO or ORG/REPO@REF (a branch or a tag; default main)")
    args = parser.parse_args()
    if args.source:
        repository, _, ref = args.source.partition("@")
        if not re.fullmatch(r"[\w.-]+/[\w.-]+", repository) or not re.fullmatch(r"[\w./-]*", ref):
            parser.error(f"expected ORG/REPO or ORG/REPO@REF, got {args.source!r}")
        repoint(repository, ref or "main")
    repository, ref = read_source()
    problems = disagreements(repository, ref)
    print(f"Colab badges and install cells point at github.com/{repository} @ {ref}")
    for problem in problems:
        print("  disagrees:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

"""Build the student version of an assignment: solutions and hidden tests stripped.

    python -m gentut.grading build assignments/a1_autoregressive_vae.py --out release/

writes release/a1_autoregressive_vae.ipynb (what students open, e.g. in Colab) and the same
notebook as release/a1_autoregressive_vae.py (py:percent). A short "how this is graded" cell
listing the questions and their points goes after the first markdown cell.
"""

from __future__ import annotations

from pathlib import Path

from gentut.grading.markers import Cell, parse_assignment, questions, student_cells
from gentut.grading.notebooks import read_cells, write_notebook

__all__ = ["load_assignment", "grading_note", "student_version", "build_student_version"]

FORBIDDEN_IN_RELEASE = ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TEST")


def load_assignment(source: str | Path) -> list[Cell]:
    """Read and check an assignment source (see gentut.grading.markers): [Cell, ...]."""
    source = Path(source)
    if not source.is_file():
        raise FileNotFoundError(f"no assignment source at {source}")
    try:
        return parse_assignment(read_cells(source))
    except ValueError as error:
        raise ValueError(f"{source.name}: {error}") from None


def grading_note(cells: list[Cell]) -> str:
    """The markdown cell that tells students how the notebook is graded."""
    public = {q: 0.0 for q in questions(cells)}
    for cell in cells:
        if cell.kind == "test":
            public[cell.question] += cell.points
    rows = "\n".join(f"| {q} | {points:g} | {public[q]:g} |" for q, points in questions(cells).items())
    total = sum(questions(cells).values())
    return ("## How this notebook is graded\n\n"
            "* Write your code only in the cells whose first line is `# ANSWER <question>`, and keep "
            "that first line: the grader takes these cells from your notebook and nothing else "
            "(put any helper functions inside them too).\n"
            "* Run the `# TEST` cells to check your work. The grader runs them again, with hidden "
            "tests on other inputs, in a fresh Python process with a time limit.\n"
            "* Do not rename the functions you are asked to write.\n\n"
            f"| question | points | of which public tests |\n|---|---|---|\n{rows}\n| total | {total:g} | |")


def student_version(cells: list[Cell]) -> list[tuple[str, str]]:
    """The student notebook's cells [(cell_type, source), ...]: hidden tests and solutions removed,
    the grading note after the first markdown cell."""
    released = [("markdown" if cell.kind == "markdown" else "code", cell.source) for cell in student_cells(cells)]
    first_markdown = next((i for i, (kind, _) in enumerate(released) if kind == "markdown"), -1)
    released.insert(first_markdown + 1, ("markdown", grading_note(cells)))
    leaked = [word for word in FORBIDDEN_IN_RELEASE if any(word in source for _, source in released)]
    if leaked:
        raise ValueError(f"the student version would still contain {leaked}: check the markers")
    return released


def build_student_version(source: str | Path, out_dir: str | Path) -> list[Path]:
    """Write the student version of `source` as OUT_DIR/NAME.ipynb and OUT_DIR/NAME.py; return both paths."""
    source, out_dir = Path(source), Path(out_dir)
    released = student_version(load_assignment(source))
    out_dir.mkdir(parents=True, exist_ok=True)
    return [write_notebook(released, out_dir / f"{source.stem}{suffix}") for suffix in (".ipynb", ".py")]

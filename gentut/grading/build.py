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
from gentut.grading.run import Limits

__all__ = ["load_assignment", "grading_note", "student_version", "build_student_version"]

FORBIDDEN_IN_RELEASE = ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TEST", "# REFERENCES")


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
    """The markdown cell that tells students how the notebook is graded: what runs, where, what is
    kept, what may be imported, how to hand in, and the points."""
    points = questions(cells)
    public = {q: 0.0 for q in points}
    written = {c.question for c in cells if c.kind == "analysis"}
    for cell in cells:
        if cell.kind == "test":
            public[cell.question] += cell.points
    rows = "\n".join(f"| {q} | {p:g} | " + ("written answer, scored by hand" if q in written else f"{public[q]:g}")
                     + " |" for q, p in points.items())
    defaults = Limits()
    return ("## How this notebook is graded\n\n"
            "* **What is graded.** Only the code cells whose first line is `# ANSWER <question>` (keep that "
            "line), and the markdown cells whose first line is `# ANALYSIS <question>` (write your answer in that "
            "cell, below the question, and keep that line). Cells you add "
            "yourself are not run by the grader: an `import` or a helper in a cell of your own is missing when "
            "grading, so put what your answer needs *inside* its answer cell.\n"
            "* **What runs, and where.** The notebook's own code cells (the imports and set-up above included) "
            "run in order with your answer cells in their places, then the `# TEST` cells you see here and "
            "hidden tests on other inputs, in a fresh Python process on a CPU (no GPU), with one thread and "
            "the random seeds fixed before every cell. What a cell defines stays defined for the cells after "
            "it, as in the notebook. Your functions get float32 CPU tensors, as the tests here make them; "
            "values are compared, not dtypes (float64 answers count), with the tolerance each question states.\n"
            f"* **Limits.** {defaults.cell_seconds:g} s per cell, {defaults.seconds / 60:g} min for the "
            f"notebook, {defaults.memory_mb // 1024} GB of memory, no network, no files outside its own folder.\n"
            "* **Imports.** Anything the course installs (torch, NumPy, scikit-learn, gentut's data and models). "
            "gentut's own versions of the functions you are asked to write cannot be used while grading: an "
            "answer that uses one scores 0 on its question.\n"
            "* **Check, then hand in.** Run the `# TEST` cells; then File > Download > .ipynb, and hand in that "
            "file as your course asks. Do not rename the functions you are asked to write.\n\n"
            f"| question | points | of which public tests |\n|---|---|---|\n{rows}\n| total | {sum(points.values()):g} | |")


def student_version(cells: list[Cell]) -> list[tuple[str, str]]:
    """The student notebook's cells [(cell_type, source), ...]: hidden tests and solutions removed,
    the grading note after the first markdown cell."""
    # a written answer (ANALYSIS) stays a markdown cell: students write prose there, and read_answers reads it there
    released = [("markdown" if cell.kind in ("markdown", "analysis") else "code", cell.source)
                for cell in student_cells(cells)]
    first_markdown = next((i for i, (kind, _) in enumerate(released) if kind == "markdown"), -1)
    released.insert(first_markdown + 1, ("markdown", grading_note(cells)))
    leaked = [word for word in FORBIDDEN_IN_RELEASE if any(word in source for _, source in released)]
    if leaked:
        raise ValueError(f"the student version would still contain {leaked}: check the markers")
    return released


def holds_solutions(path: Path) -> bool:
    """Whether a file looks like an assignment source (solutions or hidden tests inside)."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return False
    return any(word in text for word in FORBIDDEN_IN_RELEASE)


def refuse_to_overwrite(source: Path, targets: list[Path]) -> None:
    """Raise ValueError if writing `targets` could destroy `source` or another assignment source."""
    if any(t.resolve() == source.resolve() for t in targets) or targets[0].parent.resolve() == source.parent.resolve():
        raise ValueError(f"--out {targets[0].parent} is the folder of {source.name}: writing the student "
                         f"version there would overwrite the source (its solutions and hidden tests); "
                         "choose another folder, e.g. --out release/")
    for target in targets:
        if target.exists() and holds_solutions(target):
            raise ValueError(f"{target} holds solutions or hidden tests (an assignment source?): not overwritten")


def build_student_version(source: str | Path, out_dir: str | Path) -> list[Path]:
    """Write the student version of `source` as OUT_DIR/NAME.ipynb and OUT_DIR/NAME.py; return both
    paths. Refuses to write into the source's own folder, or over any file holding solutions."""
    source, out_dir = Path(source), Path(out_dir)
    released = student_version(load_assignment(source))
    targets = [out_dir / f"{source.stem}{suffix}" for suffix in (".ipynb", ".py")]
    refuse_to_overwrite(source, targets)
    out_dir.mkdir(parents=True, exist_ok=True)
    return [write_notebook(released, target) for target in targets]

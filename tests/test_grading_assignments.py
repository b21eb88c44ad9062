"""The four course assignments: each solution scores full marks, each built student version zero.

Each assignment is graded exactly as a course would grade it (subprocess, limits, sandbox):
the source itself stands in for a perfect submission, the student version built from it for an
untouched one. A few seconds per run on one CPU thread.
"""

from pathlib import Path

import pytest

from gentut.grading.build import build_student_version, load_assignment
from gentut.grading.grade import grade_submissions
from gentut.grading.markers import questions
from gentut.grading.notebooks import read_cells, write_notebook
from gentut.grading.run import Limits

ASSIGNMENTS = sorted((Path(__file__).resolve().parent.parent / "assignments").glob("a[0-9]_*.py"))
LIMITS = Limits(seconds=300, cell_seconds=120)


def test_there_are_four_assignments_each_with_public_and_hidden_tests():
    assert [p.stem[:2] for p in ASSIGNMENTS] == ["a1", "a2", "a3", "a4"]
    for source in ASSIGNMENTS:
        cells = load_assignment(source)
        kinds = {(c.question, c.kind) for c in cells if c.is_test}
        assert all((q, "test") in kinds and (q, "hidden") in kinds for q in questions(cells)), source.name


@pytest.mark.parametrize("source", ASSIGNMENTS, ids=lambda p: p.stem)
def test_solution_full_marks_student_version_zero(source, tmp_path):
    student_ipynb, student_py = build_student_version(source, tmp_path / "release")
    first_code = next(text for kind, text in read_cells(student_ipynb) if kind == "code")
    assert '"google.colab" in sys.modules' in first_code, "the first code cell must be the Colab install cell"
    assert "HIDDEN" not in student_py.read_text() and "BEGIN SOLUTION" not in student_py.read_text()
    submissions = {"solution": source, "student": student_ipynb}
    if source.stem.startswith("a2"):          # one partial submission: the solution with q2 left unanswered
        cells = read_cells(source)
        q2 = next(i for i, (_, text) in enumerate(cells) if text.startswith("# ANSWER q2"))
        cells[q2] = read_cells(student_py)[[t.startswith("# ANSWER q2") for _, t in read_cells(student_py)].index(True)]
        submissions["partial"] = write_notebook(cells, tmp_path / "partial.ipynb")
    report = grade_submissions(source, submissions, LIMITS)
    results = {r.student: r for r in report.students}
    full = sum(report.max_points.values())
    assert results["solution"].total == full, results["solution"].tests
    assert results["student"].total == 0 and results["student"].notes == []
    if "partial" in results:
        assert results["partial"].scores == {**report.max_points, "q2": 0.0}

"""The six course assignments, graded as a course would grade them (subprocess, limits, sandbox).

For each: the source itself stands in for a perfect submission (full marks on everything the
grader scores; written answers wait for the instructor), the student version built from it for
an untouched one (zero), and the attempts of tests/assignment_attempts.py (a wrong one, a partial
one, a correct one written differently, one in float64, a variant the specification allows) score
what their answers are worth: each loses exactly the points of the properties it gets wrong.
"""

import sys
from pathlib import Path

import pytest

from gentut.grading.build import build_student_version, load_assignment
from gentut.grading.grade import grade_submissions
from gentut.grading.markers import questions
from gentut.grading.notebooks import read_cells, write_notebook
from gentut.grading.run import Limits
from gentut.grading.submissions import read_answers

sys.path.insert(0, str(Path(__file__).resolve().parent))
from assignment_attempts import ATTEMPTS, attempt_cells  # noqa: E402

ASSIGNMENTS = sorted((Path(__file__).resolve().parent.parent / "assignments").glob("a[0-9]_*.py"))
LIMITS = Limits(seconds=600, cell_seconds=180)


def test_there_are_six_assignments_each_with_hidden_tests_a_loop_and_a_written_answer():
    assert [p.stem[:2] for p in ASSIGNMENTS] == ["a1", "a2", "a3", "a4", "a5", "a6"]
    for source in ASSIGNMENTS:
        cells = load_assignment(source)
        hidden = {c.question for c in cells if c.kind == "hidden"}
        written = {c.question for c in cells if c.kind == "analysis"}
        assert set(questions(cells)) == hidden | written, source.name       # every question is graded
        assert written, f"{source.name}: at least one written (ANALYSIS) question"
        assert any("steps" in c.source and c.kind == "answer" for c in cells), f"{source.name}: a training loop"
        assert {c.question for c in cells if c.kind == "references"}, f"{source.name}: references declared"


@pytest.mark.parametrize("source", ASSIGNMENTS, ids=lambda p: p.stem)
def test_solution_full_marks_student_version_zero_attempts_as_worth(source, tmp_path):
    student_ipynb, student_py = build_student_version(source, tmp_path / "release")
    first_code = next(text for kind, text in read_cells(student_ipynb) if kind == "code")
    assert '"google.colab" in sys.modules' in first_code, "the first code cell must be the Colab install cell"
    released = student_py.read_text()
    assert "HIDDEN" not in released and "BEGIN SOLUTION" not in released and "REFERENCES" not in released
    written = {c.question for c in load_assignment(source) if c.kind == "analysis"}
    assert set(read_answers(student_ipynb)[1]) == written, "a written answer in the released notebook is read back"
    submissions = {"solution": source, "student": student_ipynb}
    attempts = ATTEMPTS[source.stem[:2]]
    for name, (answers, _, _) in attempts.items():
        submissions[name] = write_notebook(attempt_cells(read_cells(source), answers), tmp_path / f"{name}.ipynb")
    report = grade_submissions(source, submissions, LIMITS)
    results = {r.student: r for r in report.students}
    autograded = {q: m for q, m in report.max_points.items() if q not in report.analysis}
    assert {q: results["solution"].scores[q] for q in autograded} == autograded, results["solution"].tests
    assert results["student"].total == 0 and results["student"].notes == []
    wrong = []
    for name, (_, lost, why) in attempts.items():
        expected = {q: autograded[q] - lost.get(q, 0.0) for q in autograded}
        got = {q: results[name].scores[q] for q in autograded}
        if got != expected:
            wrong.append((name, why, got, [(t.question, t.kind, t.message) for t in results[name].tests if not t.passed]))
    assert not wrong, wrong

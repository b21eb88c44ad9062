"""The autograder on a tiny pure-Python assignment: markers, student build, and misbehaving submissions.

One grading run over a folder of well- and ill-behaved submissions (module fixture) checks that
each gets the score of what passes, with a clear message, and that none disturbs another.
"""

import json
import os
import re
from pathlib import Path

import pytest

from gentut.grading.__main__ import main as cli
from gentut.grading.build import build_student_version, load_assignment, student_version
from gentut.grading.grade import grade_folder
from gentut.grading.markers import classify, parse_assignment, questions, strip_solutions, split_test
from gentut.grading.report import merge_reviews
from gentut.grading.submissions import find_submissions, read_answers
from gentut.grading.run import Limits
from gentut.grading.landlock import landlock_abi

ASSIGNMENT = '''# %% [markdown]
# # A tiny assignment

# %%
import math

# %%
# ANSWER q1
def add(a, b):
    ### BEGIN SOLUTION
    return a + b
    ### END SOLUTION

# %%
# TEST q1 (1 point)
three = add(1, 2)
# --- check (runs in the grader) ---
assert three == 3, "add(1, 2) should be 3"

# %%
# HIDDEN TEST q1 (2 points)
sums = add(-1, 1), add(0.5, 0.25)
# --- check (runs in the grader) ---
assert sums == (0, 0.75), "add is wrong on other inputs"

# %%
# ANSWER q2
def square(x):
    ### BEGIN SOLUTION
    return x * x
    ### END SOLUTION

# %%
# TEST q2 (1 point)
nine = square(3)
# --- check (runs in the grader) ---
assert nine == 9

# %%
# HIDDEN TEST q2 (1 point)
four = square(-2)
# --- check (runs in the grader) ---
assert four == 4

# %%
# ANSWER q3
def mean(values):
    ### BEGIN SOLUTION
    return math.fsum(values) / len(values)
    ### END SOLUTION

# %%
# TEST q3 (1 point)
two = mean([1, 2, 3])
# --- check (runs in the grader) ---
assert two == 2

# %%
# HIDDEN TEST q3 (1.5 points)
tenth = mean([0.1] * 10)
# --- check (runs in the grader) ---
assert tenth == 0.1
'''
FULL = {"q1": 3.0, "q2": 2.0, "q3": 2.5}
LIMITS = Limits(seconds=6, cell_seconds=1, memory_mb=1024, output_mb=1)
SANDBOXED = landlock_abi() >= 1
CORRECT = {"q1": "def add(a, b):\n    return a + b",
           "q2": "def square(x):\n    return x * x",
           "q3": "import math\ndef mean(values):\n    return math.fsum(values) / len(values)"}


def submission(answers: dict[str, str], extra_cells: tuple[str, ...] = ()) -> str:
    """A .py notebook with these answer cells (others: the correct answers) and some cells of the student's own."""
    cells = [f"# ANSWER {q}\n{answers.get(q, CORRECT[q])}" for q in CORRECT] + list(extra_cells)
    return "\n\n".join(f"# %%\n{cell}" for cell in cells) + "\n"


def misbehaving(tmp: Path) -> dict[str, str]:
    """Submissions (file name -> text). Paths outside their sandbox point into this test's tmp folder."""
    cases = {
        "correct.py": submission({}, ("# %%\n# TEST q1 (1 point)\nassert False  # a broken copy of a test",)),
        "wrong.py": submission({"q1": "def add(a, b):\n    return a - b"}),
        "edits_tests.py": submission({"q1": "def add(a, b):\n    return 0"},
                                     ("# %%\n# TEST q1 (1 point)\npass", "# %%\n# HIDDEN TEST q1 (100 points)\npass")),
        "raises_at_import.py": submission({"q1": "raise RuntimeError('boom')\ndef add(a, b):\n    return a + b"}),
        "loops_in_q2.py": submission({"q2": "def square(x):\n    while True:\n        pass"}),
        "ignores_alarm_in_q3.py": submission({"q3": "import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\n"
                                                    "while True:\n    pass"}),
        "prints_endlessly.py": submission({"q2": "while True:\n    print('spam ' * 100)\ndef square(x):\n    return x * x"}),
        "huge_memory.py": submission({"q1": "hoard = bytearray(64 * 1024 ** 3)\ndef add(a, b):\n    return a + b"}),
        "huge_memory_slowly.py": submission({"q2": "def square(x):\n    hoard = []\n    while True:\n"
                                                   "        hoard.append(bytes(10 ** 8))"}),
        "exits_early.py": submission({"q1": "import sys\nsys.exit(0)\ndef add(a, b):\n    return a + b"}),
        "os_exit_in_q2.py": submission({"q2": "import os\nos._exit(0)"}),
        "fake_results.py": submission({
            "q1": ("import json, os\nfake = json.dumps({'token': 'guess', 'cell': 2, 'ok': True, 'message': ''}) + '\\n'\n"
                   "for name in ('results.jsonl', 'results.json', '../results.jsonl'):\n"
                   "    try:\n        open(name, 'a').write(fake * 50)\n    except OSError:\n        pass\n"
                   "for fd in os.listdir('/proc/self/fd'):\n"
                   "    try:\n        os.write(int(fd), fake.encode() * 50)\n    except OSError:\n        pass\n"
                   "def add(a, b):\n    return None"),
            "q2": "def square(x):\n    return None", "q3": "def mean(values):\n    return None"}),
        "deletes_files.py": submission({"q1": (
            "import os, shutil\n"
            f"for victim in [{str(tmp / 'submitted')!r}, {str(tmp / 'grades')!r}, {str(tmp / 'canary.txt')!r}]:\n"
            "    try:\n        shutil.rmtree(victim) if os.path.isdir(victim) else os.remove(victim)\n"
            "    except OSError:\n        pass\n"
            f"try:\n    open({str(tmp / 'canary.txt')!r}, 'w').write('changed')\nexcept OSError:\n    pass\n"
            "shutil.rmtree(os.path.expanduser('~'), ignore_errors=True)   # its own folder: allowed, harmless\n"
            "def add(a, b):\n    return a + b")}),
        "reads_hidden_tests.py": submission({"q2": (
            "def square(x):\n    return x * x\n"
            f"try:\n    open({str(tmp / 'tiny.py')!r}).read()\n    stolen = True\nexcept OSError:\n    stolen = False\n"
            "if stolen:\n    raise RuntimeError('read the assignment source, hidden tests included')")}),
        "corrupt.ipynb": '{"cells": [ this is not json',
        "no_answer_cells.py": "# %%\nprint('I deleted the answer markers')\n",
    }
    return cases


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("grading")
    (tmp / "tiny.py").write_text(ASSIGNMENT)
    (tmp / "canary.txt").write_text("original")
    folder = tmp / "submitted"
    folder.mkdir()
    for name, text in misbehaving(tmp).items():
        (folder / name).write_text(text)
    (folder / "carol").mkdir()                  # the folder layout: one notebook inside
    (folder / "carol" / "a.py").write_text(submission({}))
    report = grade_folder(tmp / "tiny.py", folder, tmp / "grades", LIMITS)
    return tmp, {r.student: r for r in report.students}


def expect(results, student, **scores):
    want = {**FULL, **scores}
    assert results[student].scores == want, (student, results[student].scores, results[student].notes)


def messages(result, question):
    return " | ".join([result.answer_errors.get(question, "")] +
                      [t.message for t in result.tests if t.question == question])


def test_markers_parse_and_strip():
    test = "# TEST q1 (2 points)\ngot = add(1, 2)\n# --- check (runs in the grader) ---\nassert got == 3"
    cells = parse_assignment([("code", ASSIGNMENT.split("# %%")[3]), ("code", test)])
    assert [c.kind for c in cells] == ["answer", "test"] and questions(cells) == {"q1": 2.0}
    assert strip_solutions("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION") == \
        'def f():\n    raise NotImplementedError("write your code here")'
    assert classify("code", "\n# HIDDEN TEST q9 (0.5 points)\n").kind == "hidden"
    assert classify("code", "# REFERENCES q1\nfrom gentut.losses import d_logistic_loss").kind == "references"
    assert classify("markdown", "# ANALYSIS q5 (2 points)\nWhy?").kind == "analysis"
    for bad, why in [("# TEST q1 (two points)", "malformed"), ("# ANSWER q1\n### BEGIN SOLUTION\nx = 1", "never closed"),
                     ("x = 1\n### BEGIN SOLUTION\n### END SOLUTION", "belong in"), ("# ANSWER q1\nx = 1", "no ### BEGIN"),
                     ("# TEST q2 (1 point)\nassert add(1, 2) == 3", "needs one line '# --- check"),
                     ("# TEST q2 (1 point)\nx = 1\n# --- check ---\nassert add(1, 2) == 3", "uses ['add']"),
                     ("# REFERENCES q1\nimport gentut.losses", "only lines 'from gentut"),
                     ("# REFERENCE q1\nx = 1", "malformed marker")]:
        with pytest.raises(ValueError, match=re.escape(why)):
            parse_assignment([("code", ASSIGNMENT.split("# %%")[3]), ("code", bad), ("code", test)])


def test_a_test_cell_splits_into_inputs_probe_and_check_with_its_line_numbers():
    parts = split_test("# TEST q1 (1 point)\nx = 2\n# --- probe (calls your code) ---\ny = f(x)\n"
                       "# --- check (runs in the grader) ---\nassert y == 4")
    assert parts.inputs.splitlines()[1] == "x = 2" and "f(x)" not in parts.inputs
    assert parts.probe.splitlines()[3] == "y = f(x)" and "x = 2" not in parts.probe
    assert parts.check.splitlines()[5] == "assert y == 4" and "f(x)" not in parts.check
    assert split_test("# TEST q1 (1 point)\ny = f(2)\n# --- check ---\nassert y").inputs == ""


def test_student_version_strips_solutions_and_hidden_tests(tmp_path):
    (tmp_path / "tiny.py").write_text(ASSIGNMENT)
    ipynb, py = build_student_version(tmp_path / "tiny.py", tmp_path / "release")
    for path in (ipynb, py):
        text = path.read_text()
        assert "HIDDEN" not in text and "SOLUTION" not in text and "return a + b" not in text
        assert text.count("write your code here") == 3 and "| q3 | 2.5 | 1 |" in text
    assert read_answers(ipynb)[0] == read_answers(py)[0]
    assert "# --- check (runs in the grader) ---" in py.read_text()     # students run probe and check together
    cells = student_version(load_assignment(tmp_path / "tiny.py"))
    assert [kind for kind, _ in cells].count("code") == 1 + 3 + 3      # set-up, answers, public tests


def test_solution_full_marks_student_version_zero(tmp_path):
    (tmp_path / "tiny.py").write_text(ASSIGNMENT)
    build_student_version(tmp_path / "tiny.py", tmp_path / "submitted")
    (tmp_path / "submitted" / "tiny.py").rename(tmp_path / "submitted" / "student_py.py")
    (tmp_path / "submitted" / "solution.py").write_text(ASSIGNMENT)
    report = grade_folder(tmp_path / "tiny.py", tmp_path / "submitted", tmp_path / "grades", LIMITS)
    scores = {r.student: r.total for r in report.students}
    assert scores == {"solution": 7.5, "student_py": 0, "tiny": 0}     # tiny = the student .ipynb
    assert "NotImplementedError: write your code here" in messages(report.students[1], "q1")


def test_correct_and_folder_layout_score_full_despite_edited_tests(graded):
    _, results = graded
    expect(results, "correct")
    expect(results, "carol")


def test_wrong_answer_scores_partially_with_the_test_message(graded):
    _, results = graded
    expect(results, "wrong", q1=0.0)
    assert "add(1, 2) should be 3" in messages(results["wrong"], "q1")
    assert "add is wrong on other inputs" in messages(results["wrong"], "q1")


def test_edited_tests_in_a_submission_change_nothing(graded):
    _, results = graded
    expect(results, "edits_tests", q1=0.0)


def test_raising_answer_loses_only_its_question(graded):
    _, results = graded
    expect(results, "raises_at_import", q1=0.0)
    assert "RuntimeError: boom" in results["raises_at_import"].answer_errors["q1"]


def test_a_hang_loses_only_that_question(graded):
    _, results = graded
    expect(results, "loops_in_q2", q2=0.0)
    assert "time limit of one cell" in messages(results["loops_in_q2"], "q2")


def test_a_hang_that_ignores_the_alarm_is_stopped_by_the_total_limit(graded):
    _, results = graded
    expect(results, "ignores_alarm_in_q3", q3=0.0)
    assert "stopped after 6 s" in messages(results["ignores_alarm_in_q3"], "q3")
    assert any("time limit of a whole submission" in note for note in results["ignores_alarm_in_q3"].notes)


def test_endless_printing_is_capped(graded):
    _, results = graded
    expect(results, "prints_endlessly", q2=0.0)
    assert "File too large" in results["prints_endlessly"].answer_errors["q2"]
    assert any("printed more than 1 MB" in note for note in results["prints_endlessly"].notes)


def test_memory_hogs_hit_the_memory_limit(graded):
    _, results = graded
    expect(results, "huge_memory", q1=0.0)
    expect(results, "huge_memory_slowly", q2=0.0)
    assert "out of memory (the limit is 1024 MB)" in results["huge_memory"].answer_errors["q1"]
    # stopped by its address space (MemoryError) or, where a CUDA build of torch widens that by
    # its libraries' size (gentut.grading.sandbox.cuda_library_mb), by the grader's memory budget
    slowly = results["huge_memory_slowly"]
    assert "out of memory" in messages(slowly, "q2") or any("over the budget of" in n for n in slowly.notes)


def test_sys_exit_is_caught_and_os_exit_keeps_earlier_scores(graded):
    _, results = graded
    expect(results, "exits_early", q1=0.0)
    assert "sys.exit(0)" in results["exits_early"].answer_errors["q1"]
    expect(results, "os_exit_in_q2", q2=0.0, q3=0.0)
    assert "ended early (exit code 0)" in messages(results["os_exit_in_q2"], "q3")


def test_fake_results_are_ignored(graded):
    _, results = graded
    assert results["fake_results"].total == 0


def test_unreadable_or_markerless_notebooks_score_zero_with_a_reason(graded):
    _, results = graded
    assert results["corrupt"].total == 0 and "could not be read as a notebook" in results["corrupt"].notes[0]
    assert results["no_answer_cells"].total == 0
    assert "no cell starting with '# ANSWER q1'" in results["no_answer_cells"].notes[0]


def test_deleting_or_reading_outside_the_sandbox_fails_and_harms_no_one(graded):
    tmp, results = graded
    expect(results, "deletes_files")          # its own answers are right; the attempts changed nothing
    if not SANDBOXED:
        pytest.skip("no Landlock in this kernel: files outside a submission's folder are not protected")
    assert (tmp / "canary.txt").read_text() == "original"
    assert len(list((tmp / "submitted").iterdir())) == len(results)
    assert (tmp / "grades" / "scores.csv").exists()
    expect(results, "reads_hidden_tests")


def test_outputs_and_determinism(graded):
    tmp, results = graded
    lines = (tmp / "grades" / "scores.csv").read_text().splitlines()
    assert lines[0] == "student,q1,q2,q3,total" and len(lines) == len(results) + 1
    assert "wrong,0,2,2.5,4.5" in lines
    details = json.loads((tmp / "grades" / "scores.json").read_text())
    assert details["max_points"] == FULL and details["students"]["wrong"]["total"] == 4.5
    feedback = (tmp / "grades" / "feedback" / "loops_in_q2.md").read_text()
    assert "**Score: 5.5 / 7.5**" in feedback and "## q2: 0 / 2" in feedback
    students = ["wrong", "raises_at_import", "fake_results", "exits_early", "corrupt"]
    folder = tmp / "again"
    folder.mkdir()
    for student in students:
        source = next((tmp / "submitted").glob(f"{student}.*"))
        (folder / source.name).write_bytes(source.read_bytes())
    grade_folder(tmp / "tiny.py", folder, tmp / "again_grades", LIMITS)
    first = [line for line in lines if line.split(",")[0] in students or line.startswith("student")]
    assert (tmp / "again_grades" / "scores.csv").read_text().splitlines() == first
    for student in students:
        assert (tmp / "again_grades" / "feedback" / f"{student}.md").read_text() == \
            (tmp / "grades" / "feedback" / f"{student}.md").read_text()


def test_cli_build_grade_and_errors(tmp_path, capsys):
    (tmp_path / "tiny.py").write_text(ASSIGNMENT)
    assert cli(["build", str(tmp_path / "tiny.py"), "--out", str(tmp_path / "release")]) == 0
    (tmp_path / "submitted").mkdir()
    (tmp_path / "release" / "tiny.py").rename(tmp_path / "submitted" / "ann.py")
    assert cli(["grade", "--assignment", str(tmp_path / "tiny.py"), str(tmp_path / "submitted"),
                "--out", str(tmp_path / "grades"), "--timeout", "30", "--cell-timeout", "5"]) == 0
    assert (tmp_path / "grades" / "scores.csv").read_text().splitlines()[1] == "ann,0,0,0,0"
    assert "ann" in capsys.readouterr().out
    assert cli(["check", str(tmp_path / "tiny.py"), "--timeout", "30"]) == 0
    assert "solution" in capsys.readouterr().out
    assert cli(["grade", "--assignment", str(tmp_path / "missing.py"), str(tmp_path), "--out", str(tmp_path)]) == 2
    assert find_submissions(tmp_path / "submitted") == ({"ann": tmp_path / "submitted" / "ann.py"}, {})
    assert os.environ.get("HOME") != str(tmp_path)      # the grader's own environment is untouched


def test_build_refuses_to_write_over_its_source(tmp_path):
    source = tmp_path / "tiny.py"
    source.write_text(ASSIGNMENT)
    assert cli(["build", str(source), "--out", str(tmp_path)]) == 2
    assert source.read_text() == ASSIGNMENT
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "tiny.py").write_text(ASSIGNMENT)          # another copy of a source
    with pytest.raises(ValueError, match="holds solutions or hidden tests"):
        build_student_version(source, tmp_path / "other")
    assert (tmp_path / "other" / "tiny.py").read_text() == ASSIGNMENT
    build_student_version(source, tmp_path / "release")
    build_student_version(source, tmp_path / "release")                # a release can be rebuilt in place


def test_a_rerun_grades_only_what_is_new_and_regrade_grades_all(tmp_path):
    (tmp_path / "tiny.py").write_text(ASSIGNMENT)
    folder = tmp_path / "submitted"
    folder.mkdir()
    for name in ("ann", "bob", "cid"):
        (folder / f"{name}.py").write_text(submission({}))
    first = grade_folder(tmp_path / "tiny.py", folder, tmp_path / "grades", LIMITS)
    assert all(r.seconds > 0 for r in first.students)                 # graded now
    (folder / "bob.py").write_text(submission({"q2": "def square(x):\n    return 0"}))
    (tmp_path / "grades" / "results" / "cid.json").unlink()             # a grader died twice while grading cid
    (tmp_path / "grades" / "results" / "cid.inflight").write_text("2")
    second = {r.student: r for r in grade_folder(tmp_path / "tiny.py", folder, tmp_path / "grades", LIMITS).students}
    assert second["ann"].seconds == 0 and second["ann"].total == 7.5   # kept from the first run
    assert second["bob"].seconds > 0 and second["bob"].scores["q2"] == 0
    assert second["cid"].total == 0 and "stopped twice" in second["cid"].notes[0]
    assert not list((tmp_path / "grades" / "results").glob("*.inflight"))
    third = grade_folder(tmp_path / "tiny.py", folder, tmp_path / "grades", LIMITS, regrade=True)
    assert all(r.seconds > 0 for r in third.students) and [r.total for r in third.students] == [7.5, 5.5, 7.5]
    lines = (tmp_path / "grades" / "scores.csv").read_text().splitlines()
    assert lines == ["student,q1,q2,q3,total", "ann,3,2,2.5,7.5", "bob,3,0,2.5,5.5", "cid,3,2,2.5,7.5"]


def test_names_are_unique_stable_and_every_entry_is_accounted_for(tmp_path):
    for name in ("x y.py", "x!y.py", "x_y.py", "_a.py", "B.IPYNB", "al.py", "al.ipynb", "Cy.py", "cy.PY",
                 "notes.txt", ".DS_Store"):
        (tmp_path / name).write_text("")
    (tmp_path / "dee").mkdir()
    found, skipped = find_submissions(tmp_path)
    assert sorted(found) == sorted(["x%20y", "x%21y", "x_y", "_a", "B", "al.py", "al.ipynb", "Cy.py~" + found_hash(
        "Cy.py"), "cy.PY~" + found_hash("cy.PY"), "dee"])
    assert skipped == {".DS_Store": "a hidden file or folder",
                       "notes.txt": "not a notebook (.ipynb or .py) or a folder holding one"}
    assert find_submissions(tmp_path) == (found, skipped)                # the same folder, the same names


def found_hash(name: str) -> str:
    import hashlib

    return hashlib.sha256(name.encode()).hexdigest()[:8]


ANALYSIS_CELLS = '''
# %% [markdown]
# # ANALYSIS q9 (2 points)
# Why does add commute?
#
# ### BEGIN SOLUTION
# Because addition of numbers does.
# ### END SOLUTION
'''


def test_written_answers_are_gathered_for_review_and_merged(tmp_path):
    (tmp_path / "tiny.py").write_text(ASSIGNMENT + ANALYSIS_CELLS)
    folder = tmp_path / "submitted"
    folder.mkdir()
    (folder / "ann.py").write_text(submission({}) + "\n# %% [markdown]\n# # ANALYSIS q9 (2 points)\n# It just does.\n")
    (folder / "bob.py").write_text(submission({}))
    report = grade_folder(tmp_path / "tiny.py", folder, tmp_path / "grades", LIMITS)
    assert report.max_points["q9"] == 2 and [r.total for r in report.students] == [7.5, 7.5]
    review = (tmp_path / "grades" / "review" / "q9.md").read_text()
    assert "## ann" in review and "It just does." in review and "_(no answer)_" in review
    table = tmp_path / "grades" / "review" / "q9.csv"
    assert table.read_text().splitlines() == ["student,score,comment", "ann,,", "bob,,"]
    assert (tmp_path / "grades" / "scores.csv").read_text().splitlines()[1] == "ann,3,2,2.5,,7.5"
    table.write_text("student,score,comment\nann,1.5,partly right\nbob,7,\n")
    assert merge_reviews(tmp_path / "grades") == (1, ["review/q9.csv, bob: score '7' is not a number from 0 to 2"])
    assert (tmp_path / "grades" / "scores.csv").read_text().splitlines()[1:] == ["ann,3,2,2.5,1.5,9", "bob,3,2,2.5,,7.5"]
    assert "Comment: partly right" in (tmp_path / "grades" / "feedback" / "ann.md").read_text()
    grade_folder(tmp_path / "tiny.py", folder, tmp_path / "grades", LIMITS, regrade=True)
    assert table.read_text() == "student,score,comment\nann,1.5,partly right\nbob,7,\n"   # the review is kept
    assert (tmp_path / "grades" / "scores.csv").read_text().splitlines()[1] == "ann,3,2,2.5,1.5,9"

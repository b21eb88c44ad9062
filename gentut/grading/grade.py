"""Grade a folder of submissions against an assignment source.

    python -m gentut.grading grade --assignment assignments/a1_autoregressive_vae.py submitted/ --out grades/a1

Submissions: submitted/alice.ipynb, submitted/bob.py (jupytext), or submitted/carol/<one notebook>.
Only each student's '# ANSWER <id>' cells are taken; they are run in the instructor's notebook,
in place of the instructor's answers, followed by the instructor's own public and hidden tests,
in a fresh subprocess per student (gentut.grading.run). So editing or deleting tests in a
submission changes nothing, and one submission cannot disturb another: every notebook is read
before any runs, and the results are written after all have run.

Writes OUT/scores.csv (student, one column per question, total), OUT/scores.json (every test's
outcome and message) and OUT/feedback/<student>.md (what to send each student). The same
submissions always get the same files.
"""

from __future__ import annotations

import csv
import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from gentut.grading.build import load_assignment
from gentut.grading.markers import Cell, answer_id, questions
from gentut.grading.notebooks import NOTEBOOK_SUFFIXES, UnreadableNotebook, read_cells
from gentut.grading.run import Limits, RunResult, run_cells

__all__ = ["TestOutcome", "StudentResult", "GradeReport", "find_submissions", "read_answers", "job_cells",
           "grade_submissions", "write_report", "grade_folder"]

MAGIC = re.compile(r"^\s*[%!]")


@dataclass(frozen=True)
class TestOutcome:
    """One test cell's result for one student: kind is "public" or "hidden"."""

    question: str
    kind: str
    points: float
    passed: bool
    message: str


@dataclass
class StudentResult:
    """One student's grade: points per question, every test's outcome, and notes."""

    student: str
    file: str
    scores: dict[str, float]
    tests: list[TestOutcome] = field(default_factory=list)
    answer_errors: dict[str, str] = field(default_factory=dict)
    other_errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def total(self) -> float:
        return sum(self.scores.values())


@dataclass
class GradeReport:
    """The grades of one assignment: max points per question and one StudentResult per student."""

    assignment: str
    max_points: dict[str, float]
    students: list[StudentResult]
    guard: str = ""


def safe_name(name: str) -> str:
    """A student name usable as a file name."""
    return re.sub(r"[^A-Za-z0-9_.@-]+", "_", name).strip(".") or "student"


def find_submissions(folder: str | Path) -> dict[str, Path]:
    """{student: path} for submissions/NAME.ipynb, NAME.py, or NAME/ (a folder; its notebook is
    resolved when it is read). Hidden files and folders are skipped."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"no submissions folder at {folder}")
    found: dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith((".", "_")) or not (path.is_dir() or path.suffix in NOTEBOOK_SUFFIXES):
            continue
        name = safe_name(path.name if path.is_dir() else path.stem)
        if name in found:                           # alice.py and alice.ipynb: keep both, by full name
            name = safe_name(path.name)
        found[name] = path
    return found


def notebook_in(path: Path) -> Path:
    """The notebook a submission path stands for: itself, or the single notebook inside a folder."""
    if not path.is_dir():
        return path
    notebooks = sorted(p for p in path.rglob("*") if p.suffix in NOTEBOOK_SUFFIXES and p.is_file()
                       and ".ipynb_checkpoints" not in p.parts)
    preferred = [p for p in notebooks if p.suffix == ".ipynb"] or notebooks
    if len(preferred) != 1:
        raise UnreadableNotebook(f"{path.name}/ should hold exactly one notebook, found {len(preferred)}")
    return preferred[0]


def read_answers(path: str | Path) -> tuple[dict[str, str], list[str]]:
    """The answer cells of a submission: ({question id: source}, notes). A notebook magic line
    (% or !) is commented out; if an id appears twice, the last cell wins (as when running it)."""
    answers, notes = {}, []
    for cell_type, source in read_cells(notebook_in(Path(path))):
        question = answer_id(source) if cell_type == "code" else None
        if question is None:
            continue
        if question in answers:
            notes.append(f"two cells start with '# ANSWER {question}': the last one was graded")
        lines = source.splitlines()
        magics = [i for i, line in enumerate(lines) if MAGIC.match(line)]
        for i in magics:
            lines[i] = "# " + lines[i]
        if magics:
            notes.append(f"answer {question}: notebook magic lines (% or !) were ignored")
        answers[question] = "\n".join(lines)
    return answers, notes


def job_cells(cells: list[Cell], answers: dict[str, str]) -> list[dict]:
    """The code cells a run executes: the instructor's, with the student's answers in place."""
    job = []
    for cell in cells:
        if cell.kind == "markdown":
            continue
        source = answers.get(cell.question, "") if cell.kind == "answer" else cell.source
        job.append({"kind": cell.kind, "question": cell.question, "source": source})
    return job


def score_run(student: str, file: str, cells: list[Cell], run: RunResult, limits: Limits) -> StudentResult:
    """Turn a run's cell results into points per question, test outcomes and notes."""
    code_cells = [cell for cell in cells if cell.kind != "markdown"]
    result = StudentResult(student, file, {q: 0.0 for q in questions(cells)}, seconds=run.seconds)
    for number, (cell, outcome) in enumerate(zip(code_cells, run.cells), start=1):
        if cell.is_test:
            kind = "public" if cell.kind == "test" else "hidden"
            result.tests.append(TestOutcome(cell.question, kind, cell.points, outcome.passed, outcome.message))
            result.scores[cell.question] += cell.points if outcome.passed else 0.0
        elif not outcome.passed and cell.kind == "answer":
            result.answer_errors[cell.question] = outcome.message
        elif not outcome.passed and outcome.ran:
            result.other_errors.append(f"code cell {number}: {outcome.message.splitlines()[-1] if outcome.message else ''}")
    if run.timed_out:
        result.notes.append(f"the submission was stopped after {limits.seconds:g} s (time limit of a whole "
                            "submission); tests after that point scored 0")
    elif not run.finished:
        result.notes.append("the submission's process ended before all cells ran (os._exit, a crash or a "
                            "kill); tests after that point scored 0")
    if run.output_capped:
        result.notes.append(f"the notebook printed more than {limits.output_mb} MB; the printing was stopped there")
    result.notes.extend(run.notes)
    return result


def grade_one(cells: list[Cell], student: str, path: Path, answers: dict[str, str] | None, notes: list[str],
              limits: Limits) -> tuple[StudentResult, str]:
    """Grade one student whose answers were read already (None: unreadable). Returns (result, guard)."""
    if answers is None:
        result = StudentResult(student, path.name, {q: 0.0 for q in questions(cells)}, notes=notes)
        return result, ""
    for question in sorted({c.question for c in cells if c.kind == "answer"} - set(answers)):
        notes.append(f"no cell starting with '# ANSWER {question}' was found; its tests ran without your code")
    run = run_cells(job_cells(cells, answers), limits)
    result = score_run(student, path.name, cells, run, limits)
    result.notes[:0] = notes
    return result, run.guard


def grade_submissions(source: str | Path, submissions: dict[str, Path], limits: Limits = Limits(),
                      jobs: int = 1) -> GradeReport:
    """Grade {student: notebook path} against the assignment source: a GradeReport (nothing written)."""
    cells = load_assignment(source)
    read = {}
    for student, path in submissions.items():            # read every notebook before running any
        try:
            read[student] = read_answers(path)
        except UnreadableNotebook as error:
            read[student] = (None, [f"score 0: {error}"])
    with ThreadPoolExecutor(max_workers=max(jobs, 1)) as pool:
        graded = list(pool.map(lambda item: grade_one(cells, item[0], Path(submissions[item[0]]), *item[1], limits),
                               sorted(read.items())))
    guard = next((g for _, g in graded if g), "")
    return GradeReport(Path(source).stem, questions(cells), [result for result, _ in graded], guard)


def points_text(points: float) -> str:
    """1 -> "1 point", 2.5 -> "2.5 points"."""
    return f"{points:g} point" + ("" if points == 1 else "s")


def feedback_markdown(report: GradeReport, result: StudentResult) -> str:
    """The feedback file of one student."""
    total = sum(report.max_points.values())
    lines = [f"# {report.assignment}: {result.student}", "", f"**Score: {result.total:g} / {total:g}**", ""]
    for note in result.notes:
        lines += [f"> {note}", ""]
    lines += ["| question | score | out of |", "|---|---|---|"]
    lines += [f"| {q} | {result.scores[q]:g} | {m:g} |" for q, m in report.max_points.items()]
    for question in report.max_points:
        lines += ["", f"## {question}: {result.scores[question]:g} / {report.max_points[question]:g}"]
        if question in result.answer_errors:
            lines += ["", "Your answer cell did not run to its end:", "```", result.answer_errors[question], "```"]
        for test in (t for t in result.tests if t.question == question):
            verdict = "passed" if test.passed else "failed"
            lines.append(f"- {test.kind} test ({points_text(test.points)}): {verdict}")
            if not test.passed and test.message:
                lines += ["  ```", *("  " + line for line in test.message.splitlines()), "  ```"]
    if result.other_errors:
        lines += ["", "## Other cells that raised", "", *(f"- {error}" for error in result.other_errors)]
    return "\n".join(lines) + "\n"


def write_report(report: GradeReport, out: str | Path) -> list[Path]:
    """Write OUT/scores.csv, OUT/scores.json and OUT/feedback/<student>.md; return their paths."""
    out = Path(out)
    (out / "feedback").mkdir(parents=True, exist_ok=True)
    with open(out / "scores.csv", "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["student", *report.max_points, "total"])
        for result in report.students:
            writer.writerow([result.student, *(f"{result.scores[q]:g}" for q in report.max_points), f"{result.total:g}"])
    details = {"assignment": report.assignment, "max_points": report.max_points,
               "students": {r.student: {**{k: v for k, v in asdict(r).items() if k not in ("student", "seconds")},
                                        "total": r.total} for r in report.students}}
    (out / "scores.json").write_text(json.dumps(details, indent=1) + "\n")
    paths = [out / "scores.csv", out / "scores.json"]
    for result in report.students:
        path = out / "feedback" / f"{result.student}.md"
        path.write_text(feedback_markdown(report, result))
        paths.append(path)
    return paths


def grade_folder(source: str | Path, folder: str | Path, out: str | Path, limits: Limits = Limits(),
                 jobs: int = 1) -> GradeReport:
    """Grade every submission in `folder` and write the results to `out` (see the module docstring)."""
    report = grade_submissions(source, find_submissions(folder), limits, jobs)
    write_report(report, out)
    return report

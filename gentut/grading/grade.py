"""Grade submissions against an assignment source.

    python -m gentut.grading grade --assignment assignments/a1_autoregressive_vae.py submitted/ --out grades/a1

For each student (see gentut.grading.submissions for names): only the '# ANSWER <id>' cells are
taken; they run in the instructor's notebook, in place of the instructor's answers, with the
probe part of every public and hidden test, in a fresh protected subprocess (gentut.grading.run).
The values each probe assigned come back as plain data, and the judge (gentut.grading.judge),
a process no student code runs in, checks them. So editing or deleting tests in a submission
changes nothing, and no submission can reach a check, an expected value or a reference.

An answer that names one of the assignment's references (gentut.grading.references) scores 0
on its question and on the reference's question, with a note saying why.

Each student's result is written as soon as it is known (gentut.grading.report); a rerun skips
the students already graded (same submission, same assignment, same limits) unless asked to
regrade.
"""

from __future__ import annotations

import ast
import hashlib
import json
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from gentut.grading.build import load_assignment
from gentut.grading.landlock import allowed_reads
from gentut.grading.markers import (Cell, answer_names, assigned_names, free_names, questions, references_of,
                                    split_test)
from gentut.grading.notebooks import UnreadableNotebook
from gentut.grading.references import BLOCKED, GradingCopy, reference_uses
from gentut.grading.run import Limits, RunResult, run_cells
from gentut.grading.submissions import find_submissions, notebook_in, read_answers

__all__ = ["TestOutcome", "StudentResult", "GradeReport", "Assignment", "Grader", "grade_submissions",
           "grade_folder"]

GRADER_VERSION = "2"          # part of every result's fingerprint: a new grader regrades


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
    """One student's grade: points per question, every test's outcome, notes, and the written
    (analysis) answers, whose points the instructor merges in later."""

    student: str
    file: str
    scores: dict[str, float]
    tests: list[TestOutcome] = field(default_factory=list)
    answer_errors: dict[str, str] = field(default_factory=dict)
    other_errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    analysis: dict[str, str] = field(default_factory=dict)
    protections: list[str] = field(default_factory=list)
    fingerprint: str = ""
    seconds: float = 0.0

    @property
    def total(self) -> float:
        return sum(self.scores.values())

    @classmethod
    def from_dict(cls, data: dict) -> StudentResult:
        data = dict(data)
        data["tests"] = [TestOutcome(**test) for test in data.get("tests", [])]
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


@dataclass
class GradeReport:
    """The grades of one assignment: max points per question, one StudentResult per student, the
    entries not graded (with why), and the protections of the runs."""

    assignment: str
    max_points: dict[str, float]
    students: list[StudentResult]
    skipped: dict[str, str] = field(default_factory=dict)
    protections: list[str] = field(default_factory=list)
    analysis: dict[str, float] = field(default_factory=dict)


class Assignment:
    """An assignment source as the grader uses it: the cells for the students' processes, the
    set-up for the judge, the references, and the lines that must never reach a student."""

    def __init__(self, source: str | Path):
        self.source = Path(source)
        self.cells: list[Cell] = load_assignment(self.source)
        self.name = self.source.stem
        self.max_points = questions(self.cells)
        self.analysis = {c.question: c.points for c in self.cells if c.kind == "analysis"}
        self.references: dict[str, list[tuple[str, str]]] = {}
        for cell in self.cells:
            if cell.kind == "references":
                self.references.setdefault(cell.question, []).extend(references_of(cell.source))
        self.answer_names = answer_names(self.cells)
        self.digest = hashlib.sha256(self.source.read_bytes()).hexdigest()
        self.secret_lines = {line.strip() for cell in self.cells if cell.kind in ("hidden", "references")
                             for line in cell.source.splitlines() if len(line.strip()) >= 12}
        self.code_cells = [c for c in self.cells if c.kind in ("code", "answer", "test", "hidden")]
        self.tests = [c for c in self.code_cells if c.is_test]

    def job(self, answers: dict[str, str]) -> list[dict]:
        """The cells the student's process runs: instructor code, the student's answers, and each
        test's inputs and probe (with the names whose values go back: those the probe assigns,
        except names that start with an underscore)."""
        job = []
        for cell in self.code_cells:
            if cell.kind == "answer":
                job.append({"kind": "answer", "question": cell.question, "source": answers.get(cell.question, "")})
            elif cell.is_test:
                parts = split_test(cell.source)
                job.append({"kind": cell.kind, "question": cell.question, "inputs": parts.inputs,
                            "source": parts.probe,
                            "send_back": sorted(name for name in assigned_names(ast.parse(parts.probe), definitions=False)
                                                if not name.startswith("_"))})
            else:
                job.append({"kind": "code", "question": None, "source": cell.source})
        return job

    def setup(self) -> list[str]:
        """The judge's set-up: the instructor's cells that do not use the students' functions, and
        the references cells, in order."""
        setup = []
        for cell in self.cells:
            if cell.kind == "references":
                setup.append(cell.source)
            elif cell.kind == "code":
                if not free_names(cell.source) & self.answer_names:
                    setup.append(cell.source)
        return setup

    def scrub(self, message: str) -> str:
        """`message` with any line of a hidden test or a reference cell cut out."""
        for line in self.secret_lines:
            if line in message:
                message = message.replace(line, "[a line of a hidden test]")
        return message


def submission_digest(path: Path) -> str:
    """SHA-256 of a submission's notebook (or of the folder's listing if it has no single notebook)."""
    try:
        return hashlib.sha256(notebook_in(path).read_bytes()).hexdigest()
    except (OSError, UnreadableNotebook):
        listing = sorted(str(p.relative_to(path)) for p in path.rglob("*")) if path.is_dir() else []
        return hashlib.sha256(json.dumps(listing).encode()).hexdigest()


class Grader:
    """Grades students one at a time (or a few at once) against one assignment: it holds the
    judge, the grading copy of gentut and the allow-list of readable folders for the whole run.
    Use as a context manager."""

    def __init__(self, source: str | Path, limits: Limits = Limits()):
        self.assignment = Assignment(source)
        self.limits = limits
        self.folder = tempfile.TemporaryDirectory(prefix="gentut-grader-", ignore_cleanup_errors=True)
        self.library = GradingCopy(self.assignment.references, self.folder.name)
        self.reads = allowed_reads(self.library.hidden(), [self.library.checkpoints])
        from gentut.grading.judge import Judge

        self.judge = Judge(self.assignment.setup(), cell_seconds=limits.cell_seconds)

    def __enter__(self) -> Grader:
        return self

    def __exit__(self, *exc) -> None:
        self.judge.close()
        self.folder.cleanup()

    def fingerprint(self, path: Path) -> str:
        """What a result depends on: the submission, the assignment, the limits, the grader."""
        return hashlib.sha256("|".join([submission_digest(path), self.assignment.digest, repr(self.limits),
                                        GRADER_VERSION]).encode()).hexdigest()

    def blank(self, student: str, path: Path, notes: list[str]) -> StudentResult:
        return StudentResult(student, path.name, {q: 0.0 for q in self.assignment.max_points}, notes=notes,
                             fingerprint=self.fingerprint(path))

    def grade(self, student: str, path: Path) -> StudentResult:
        """Grade one submission (its notebook is read here)."""
        try:
            answers, analysis, notes = read_answers(path)
        except UnreadableNotebook as error:
            return self.blank(student, path, [f"score 0: {error}"])
        assignment = self.assignment
        for question in sorted({c.question for c in assignment.cells if c.kind == "answer"} - set(answers)):
            notes.append(f"no cell starting with '# ANSWER {question}' was found; its tests ran without your code")
        zeroed = {}
        for question, source in answers.items():
            for owner, name in reference_uses(source, assignment.references):
                why = (f"score 0 on {question}" + (f" and {owner}" if owner != question else "") +
                       f": answer {question} uses {name}, the kit's own answer to {owner}")
                zeroed.setdefault(question, why)
                zeroed.setdefault(owner, why)
        run = run_cells(assignment.job(answers), self.limits, self.library, self.reads)
        result = self.score(student, path, run)
        for question, why in zeroed.items():
            if question in result.scores:
                result.scores[question] = 0.0
        result.notes[:0] = notes + sorted(set(zeroed.values()))
        result.analysis = {q: analysis.get(q, "") for q in assignment.analysis}
        return result

    def score(self, student: str, path: Path, run: RunResult) -> StudentResult:
        """Judge a run's probe values and turn everything into points, outcomes and notes."""
        assignment, limits = self.assignment, self.limits
        result = self.blank(student, path, [])
        result.seconds, result.protections = run.seconds, run.protections
        requests = [{"index": i, "inputs": split_test(cell.source).inputs, "check": split_test(cell.source).check,
                     "values": outcome.values, "hidden": cell.kind == "hidden"}
                    for i, (cell, outcome) in enumerate(zip(assignment.code_cells, run.cells))
                    if cell.is_test and outcome.ok and outcome.values is not None]
        verdicts = dict(zip([r["index"] for r in requests], self.judge.check(requests) if requests else []))
        blocked = False
        for number, (cell, outcome) in enumerate(zip(assignment.code_cells, run.cells)):
            blocked |= BLOCKED in outcome.error
            error = assignment.scrub(outcome.error)
            if cell.is_test:
                passed, message = verdicts.get(number, (False, error))
                kind = "public" if cell.kind == "test" else "hidden"
                result.tests.append(TestOutcome(cell.question, kind, cell.points, passed,
                                                assignment.scrub(message) if kind == "hidden" else message))
                result.scores[cell.question] += cell.points if passed else 0.0
            elif not outcome.ok and cell.kind == "answer":
                result.answer_errors[cell.question] = error
            elif not outcome.ok and outcome.ran:
                result.other_errors.append(f"code cell {number + 1}: {error.splitlines()[-1] if error else ''}")
        if run.stopped:
            result.notes.append(f"the submission was stopped because {run.stopped}; tests after that point scored 0")
        elif run.timed_out:
            result.notes.append(f"the submission was stopped after {limits.seconds:g} s (time limit of a whole "
                                "submission); tests after that point scored 0")
        elif not run.finished:
            result.notes.append("the submission's process ended before all cells ran (os._exit, a crash, a kill "
                                "or a cell past its time limit); tests after that point scored 0")
        if run.output_capped:
            result.notes.append(f"the notebook printed more than {limits.output_mb} MB; the printing was stopped there")
        if blocked:
            result.notes.append("your code called one of the kit's own answers, which cannot be used while grading")
        result.notes.extend(run.notes)
        return result


def grade_submissions(source: str | Path, submissions: dict[str, Path], limits: Limits = Limits(),
                      jobs: int = 1) -> GradeReport:
    """Grade {student: notebook path} against the assignment source: a GradeReport (nothing written)."""
    with Grader(source, limits) as grader:
        with ThreadPoolExecutor(max_workers=max(jobs, 1)) as pool:
            results = list(pool.map(lambda item: grader.grade(item[0], Path(item[1])), sorted(submissions.items())))
        return report_of(grader.assignment, results, {})


def report_of(assignment: Assignment, results: list[StudentResult], skipped: dict[str, str]) -> GradeReport:
    """A GradeReport of these results (in student order)."""
    results = sorted(results, key=lambda r: r.student)
    protections = next((r.protections for r in results if r.protections), [])
    return GradeReport(assignment.name, assignment.max_points, results, skipped, protections, assignment.analysis)


def grade_folder(source: str | Path, folder: str | Path, out: str | Path, limits: Limits = Limits(),
                 jobs: int = 1, regrade: bool = False) -> GradeReport:
    """Grade every submission in `folder`, writing each result to `out` as soon as it is known
    (gentut.grading.report); students already graded there are kept unless `regrade`."""
    from gentut.grading.report import ResultStore

    submissions, skipped = find_submissions(folder)
    store = ResultStore(out)
    done, pending, lock = {}, [], threading.Lock()
    with Grader(source, limits) as grader:
        assignment = grader.assignment
        for student, path in sorted(submissions.items()):
            old = None if regrade else store.load(student)
            if old is not None and old.fingerprint == grader.fingerprint(path):
                done[student] = old
            else:
                pending.append((student, path))

        def grade_one(item: tuple[str, Path]) -> None:
            student, path = item
            attempts = store.start(student)
            if attempts > 2:
                result = grader.blank(student, path, ["score 0: the grader stopped twice while grading this "
                                                      "submission (it may kill its grader); it was not run again"])
            else:
                result = grader.grade(student, path)
            with lock:
                done[student] = result
                partial = report_of(assignment, list(done.values()), skipped)
                store.save(result, partial)
                store.write_summary(partial)

        with ThreadPoolExecutor(max_workers=max(jobs, 1)) as pool:
            list(pool.map(grade_one, pending))
    report = report_of(assignment, [done[s] for s in submissions], skipped)
    store.write_summary(report, feedback=True)
    return report

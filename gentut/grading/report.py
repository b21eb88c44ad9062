"""What grading writes, each file atomically (a temporary file renamed into place), so that a grader
killed at any moment leaves every file whole and loses at most the student it was grading.

    OUT/results/<student>.json   one per student, written as soon as that student is graded; a
                                 rerun keeps those whose fingerprint still matches
    OUT/feedback/<student>.md    what to send each student
    OUT/scores.csv               student, one column per question, total (rewritten after each student)
    OUT/scores.json              every test's outcome and message, the files not graded and why,
                                 and the protections the runs had
    OUT/review/<question>.md     for a written (ANALYSIS) question: every student's answer, to read
    OUT/review/<question>.csv    student, score, comment: fill in the scores, then
                                 python -m gentut.grading merge OUT
                                 puts them into scores.csv, scores.json and the feedback
"""

from __future__ import annotations

import csv
import io
import json
import os
import threading
from dataclasses import asdict
from pathlib import Path

__all__ = ["ResultStore", "feedback_markdown", "merge_reviews", "atomic_write"]


def atomic_write(path: Path, text: str) -> None:
    """Write `text` to `path` so that readers see the old file or the new one, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    with open(temporary, "w", encoding="utf-8", newline="") as file:
        file.write(text)
    os.replace(temporary, path)


def points_text(points: float) -> str:
    """1 -> "1 point", 2.5 -> "2.5 points"."""
    return f"{points:g} point" + ("" if points == 1 else "s")


def review_rows(path: Path) -> dict[str, tuple[str, str]]:
    """{student: (score as written, comment)} of a review CSV ({} if there is none)."""
    if not path.exists():
        return {}
    with open(path, newline="", encoding="utf-8") as file:
        return {row.get("student", ""): ((row.get("score") or "").strip(), (row.get("comment") or "").strip())
                for row in csv.DictReader(file)}


def read_reviews(out: Path, analysis: dict[str, float]) -> tuple[dict[str, dict[str, tuple[float, str]]], list[str]]:
    """The instructor's scores from OUT/review/<question>.csv: ({question: {student: (score, comment)}},
    problems). A blank score is not reviewed yet; a score that is not a number in [0, max] is a problem."""
    reviews, problems = {}, []
    for question, maximum in analysis.items():
        for student, (text, comment) in review_rows(out / "review" / f"{question}.csv").items():
            if not text:
                continue
            try:
                score = float(text)
            except ValueError:
                score = -1.0
            if not 0 <= score <= maximum:
                problems.append(f"review/{question}.csv, {student}: score {text!r} is not a number from 0 to "
                                f"{maximum:g}")
                continue
            reviews.setdefault(question, {})[student] = (score, comment)
    return reviews, problems


def with_reviews(result, reviews: dict) -> tuple[dict[str, float], dict[str, str]]:
    """A result's scores with the reviewed analysis scores in, and the reviewers' comments."""
    scores, comments = dict(result.scores), {}
    for question, by_student in reviews.items():
        if result.student in by_student:
            scores[question], comments[question] = by_student[result.student]
    return scores, comments


def feedback_markdown(assignment: str, max_points: dict, analysis: dict, result, reviews: dict) -> str:
    """The feedback file of one student."""
    scores, comments = with_reviews(result, reviews)
    pending = [q for q in analysis if q not in comments]
    total = sum(max_points.values())
    lines = [f"# {assignment}: {result.student}", "", f"**Score: {sum(scores.values()):g} / {total:g}**"
             + (f" (your written answers to {', '.join(pending)} are not scored yet)" if pending else ""), ""]
    for note in result.notes:
        lines += [f"> {note}", ""]
    lines += ["| question | score | out of |", "|---|---|---|"]
    lines += [f"| {q} | {'-' if q in pending else f'{scores[q]:g}'} | {m:g} |" for q, m in max_points.items()]
    for question in max_points:
        shown = "not scored yet" if question in pending else f"{scores[question]:g}"
        lines += ["", f"## {question}: {shown} / {max_points[question]:g}"]
        if question in analysis:
            lines += ["", "Your written answer is scored by your instructor."
                      + (f" Comment: {comments[question]}" if comments.get(question) else "")]
        if question in result.answer_errors:
            lines += ["", "Your answer cell did not run to its end:", "```", result.answer_errors[question], "```"]
        for test in (t for t in result.tests if t.question == question):
            verdict = "passed" if test.passed else "failed"
            lines.append(f"- {test.kind} test ({points_text(test.points)}): {verdict}")
            if not test.passed and test.message:
                lines += ["  ```", *("  " + line for line in test.message.splitlines()), "  ```"]
    if result.other_errors:
        lines += ["", "## Other cells that raised", "", *(f"- {error}" for error in result.other_errors)]
    if result.protections:
        lines += ["", "## How your notebook was run", "", *(f"- {line}" for line in result.protections)]
    return "\n".join(lines) + "\n"


class ResultStore:
    """The files of one grading folder (see the module docstring)."""

    def __init__(self, out: str | Path):
        self.out = Path(out)
        for folder in ("results", "feedback"):
            (self.out / folder).mkdir(parents=True, exist_ok=True)

    def load(self, student: str):
        """The stored result of a student, or None."""
        from gentut.grading.grade import StudentResult

        path = self.out / "results" / f"{student}.json"
        try:
            return StudentResult.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return None

    def start(self, student: str) -> int:
        """Mark a student as being graded; returns how many times that was started without finishing."""
        path = self.out / "results" / f"{student}.inflight"
        try:
            attempts = int(path.read_text()) + 1
        except (OSError, ValueError):
            attempts = 1
        atomic_write(path, str(attempts))
        return attempts

    def save(self, result, report) -> None:
        """Write a student's result and feedback (and unmark the student as being graded)."""
        data = {k: v for k, v in asdict(result).items() if k != "seconds"}
        atomic_write(self.out / "results" / f"{result.student}.json", json.dumps(data, indent=1) + "\n")
        reviews, _ = read_reviews(self.out, report.analysis)
        atomic_write(self.out / "feedback" / f"{result.student}.md",
                     feedback_markdown(report.assignment, report.max_points, report.analysis, result, reviews))
        try:
            (self.out / "results" / f"{result.student}.inflight").unlink()
        except FileNotFoundError:
            pass

    def write_summary(self, report, feedback: bool = False) -> list[str]:
        """Write scores.csv, scores.json and the review files of `report` (and, with `feedback`,
        every feedback file again); returns the problems found in the instructor's review files."""
        reviews, problems = read_reviews(self.out, report.analysis)
        table = io.StringIO()
        writer = csv.writer(table, lineterminator="\n")
        writer.writerow(["student", *report.max_points, "total"])
        students = {}
        for result in report.students:
            scores, comments = with_reviews(result, reviews)
            cells = ["" if q in report.analysis and q not in comments else f"{scores[q]:g}" for q in report.max_points]
            writer.writerow([result.student, *cells, f"{sum(scores.values()):g}"])
            details = {k: v for k, v in asdict(result).items() if k not in ("student", "seconds", "fingerprint")}
            students[result.student] = {**details, "scores": scores, "review_comments": comments,
                                        "total": sum(scores.values())}
            if feedback:
                atomic_write(self.out / "feedback" / f"{result.student}.md",
                             feedback_markdown(report.assignment, report.max_points, report.analysis, result, reviews))
        atomic_write(self.out / "scores.csv", table.getvalue())
        details = {"assignment": report.assignment, "max_points": report.max_points, "analysis": report.analysis,
                   "protections": report.protections, "not_graded": report.skipped, "students": students}
        atomic_write(self.out / "scores.json", json.dumps(details, indent=1) + "\n")
        self.write_reviews(report, reviews)
        return problems

    def write_reviews(self, report, reviews: dict) -> None:
        """review/<question>.md (every answer) and review/<question>.csv (one row per student; what
        the instructor already wrote there is kept as written)."""
        for question, maximum in report.analysis.items():
            path = self.out / "review" / f"{question}.csv"
            written = review_rows(path)
            lines = [f"# {report.assignment}, {question} ({points_text(maximum)}): the written answers", "",
                     f"Score each in review/{question}.csv (a number from 0 to {maximum:g}; leave blank to decide "
                     f"later), then run: python -m gentut.grading merge {self.out}", ""]
            rows = io.StringIO()
            writer = csv.writer(rows, lineterminator="\n")
            writer.writerow(["student", "score", "comment"])
            for result in report.students:
                lines += [f"## {result.student}", "", result.analysis.get(question, "").strip() or "_(no answer)_", ""]
                writer.writerow([result.student, *written.pop(result.student, ("", ""))])
            for student, row in written.items():           # rows of students not (yet) in this report: kept
                writer.writerow([student, *row])
            atomic_write(self.out / "review" / f"{question}.md", "\n".join(lines))
            atomic_write(path, rows.getvalue())


def merge_reviews(out: str | Path) -> tuple[int, list[str]]:
    """Put the instructor's analysis scores (OUT/review/*.csv) into scores.csv, scores.json and the
    feedback. Returns (how many scores were merged, problems)."""
    from gentut.grading.grade import GradeReport, StudentResult

    out = Path(out)
    summary = json.loads((out / "scores.json").read_text(encoding="utf-8"))
    results = []
    for student in summary["students"]:
        path = out / "results" / f"{student}.json"
        results.append(StudentResult.from_dict(json.loads(path.read_text(encoding="utf-8"))))
    report = GradeReport(summary["assignment"], summary["max_points"], results, summary.get("not_graded", {}),
                         summary.get("protections", []), summary.get("analysis", {}))
    store = ResultStore(out)
    problems = store.write_summary(report, feedback=True)
    reviews, _ = read_reviews(out, report.analysis)
    return sum(len(by_student) for by_student in reviews.values()), problems

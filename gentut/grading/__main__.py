"""Command line: build student versions, grade submissions, merge hand scores, check an assignment.

    python -m gentut.grading build assignments/a1_autoregressive_vae.py [...] --out release/
    python -m gentut.grading grade --assignment assignments/a1_autoregressive_vae.py submitted/ --out grades/a1
    python -m gentut.grading merge grades/a1
    python -m gentut.grading check assignments/a1_autoregressive_vae.py [...]

`grade` writes each student's result as soon as it is known and, run again, grades only what is
new or changed (`--regrade` grades everyone again). `merge` puts the scores you filled into
grades/a1/review/<question>.csv (written answers) into scores.csv, scores.json and the feedback.
`check` builds the student version in a temporary folder and grades it and the source itself:
the source (the solution) must score full marks on everything the grader scores, the unfilled
student version zero.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from gentut.grading.build import build_student_version
from gentut.grading.grade import GradeReport, grade_folder, grade_submissions
from gentut.grading.report import merge_reviews
from gentut.grading.run import Limits


def limits_from(args: argparse.Namespace) -> Limits:
    return Limits(seconds=args.timeout, cell_seconds=args.cell_timeout, memory_mb=args.memory_mb,
                  output_mb=args.output_mb, disk_mb=args.disk_mb, max_processes=args.max_processes,
                  sandbox=not args.no_sandbox)


def print_report(report: GradeReport) -> None:
    width = max([len(r.student) for r in report.students] + [7])
    print(f"{report.assignment}: {len(report.students)} submission(s) graded")
    for line in report.protections:
        print(f"  protection: {line}")
    print(f"{'student':<{width}}  " + "  ".join(f"{q:>6}" for q in report.max_points) + "   total")
    print(f"{'(max)':<{width}}  " + "  ".join(f"{m:>6g}" for m in report.max_points.values())
          + f"  {sum(report.max_points.values()):>6g}")
    for r in report.students:
        print(f"{r.student:<{width}}  " + "  ".join(f"{r.scores[q]:>6g}" for q in report.max_points)
              + f"  {r.total:>6g}")
    if report.analysis:
        print(f"written answers ({', '.join(report.analysis)}) count 0 until you score them in review/ and merge")
    for name, reason in report.skipped.items():
        print(f"not graded: {name}: {reason}")


def build(args: argparse.Namespace) -> int:
    for source in args.sources:
        for path in build_student_version(source, args.out):
            print(f"wrote {path}")
    return 0


def grade(args: argparse.Namespace) -> int:
    report = grade_folder(args.assignment, args.submissions, args.out, limits_from(args), args.jobs, args.regrade)
    print_report(report)
    print(f"wrote {Path(args.out) / 'scores.csv'}, scores.json, feedback/ and results/")
    return 0


def merge(args: argparse.Namespace) -> int:
    merged, problems = merge_reviews(args.grades)
    for problem in problems:
        print(f"not merged: {problem}")
    print(f"merged {merged} hand score(s) into {Path(args.grades) / 'scores.csv'}, scores.json and feedback/")
    return 1 if problems else 0


def check(args: argparse.Namespace) -> int:
    failed = 0
    for source in map(Path, args.sources):
        with tempfile.TemporaryDirectory() as tmp:
            student = build_student_version(source, tmp)[0]
            report = grade_submissions(source, {"solution": source, "student": student}, limits_from(args), args.jobs)
        print_report(report)
        scores = {r.student: r.total for r in report.students}
        autograded = sum(m for q, m in report.max_points.items() if q not in report.analysis)
        if scores["solution"] != autograded or scores["student"] != 0:
            print(f"FAILED: the solution must score {autograded:g} and the student version 0 ({source.name})")
            for result in report.students:
                for test in result.tests:
                    if result.student == "solution" and not test.passed:
                        print(f"  solution, {test.question} {test.kind}: {test.message}")
            failed += 1
    return 1 if failed else 0


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python -m gentut.grading", description=__doc__.splitlines()[0])
    commands = main.add_subparsers(dest="command", required=True)
    build_cmd = commands.add_parser("build", help="write the student versions (.ipynb and .py)")
    build_cmd.add_argument("sources", nargs="+", help="assignment sources (jupytext .py with solution markers)")
    build_cmd.add_argument("--out", required=True, help="folder for the student versions (not the sources' folder)")
    build_cmd.set_defaults(run=build)
    grade_cmd = commands.add_parser("grade", help="grade a folder of submitted notebooks")
    grade_cmd.add_argument("--assignment", required=True, help="the assignment source the submissions answer")
    grade_cmd.add_argument("submissions", help="folder of NAME.ipynb, NAME.py or NAME/ (one notebook inside)")
    grade_cmd.add_argument("--out", required=True, help="folder for scores.csv, scores.json, feedback/, results/")
    grade_cmd.add_argument("--regrade", action="store_true", help="grade every submission again, not only new ones")
    grade_cmd.set_defaults(run=grade)
    merge_cmd = commands.add_parser("merge", help="merge the scores filled into OUT/review/*.csv")
    merge_cmd.add_argument("grades", help="the --out folder of a grade run")
    merge_cmd.set_defaults(run=merge)
    check_cmd = commands.add_parser("check", help="solution = full marks, student version = 0")
    check_cmd.add_argument("sources", nargs="+")
    check_cmd.set_defaults(run=check)
    defaults = Limits()
    for command in (grade_cmd, check_cmd):
        command.add_argument("--timeout", type=float, default=defaults.seconds, help="seconds per submission")
        command.add_argument("--cell-timeout", type=float, default=defaults.cell_seconds, help="seconds per cell")
        command.add_argument("--memory-mb", type=int, default=defaults.memory_mb,
                             help="memory of all a submission's processes together (and of each)")
        command.add_argument("--output-mb", type=int, default=defaults.output_mb, help="cap on each file and on printed output")
        command.add_argument("--disk-mb", type=int, default=defaults.disk_mb, help="disk a submission may fill")
        command.add_argument("--max-processes", type=int, default=defaults.max_processes,
                             help="processes a submission may run at once")
        command.add_argument("--jobs", type=int, default=1, help="submissions graded at once")
        command.add_argument("--no-sandbox", action="store_true",
                             help="turn the OS protections off (namespaces, cgroup, Landlock, seccomp)")
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except (FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

"""Print how long the autograder takes per submission, for each course assignment.

    python benchmarks/grading.py [--repeats 2] [--jobs 1]

For each assignment in assignments/: build the student version, then grade `repeats` copies of
the solution (full marks) and of the untouched student version (zero) as one folder, as a course
would. Prints seconds per submission (the submission's own process: Python and torch start-up,
the instructor's set-up cells, the answers, the probes) and the wall time of the folder per
submission, which adds the checks in the judge and, once per folder, the judge's start-up and
the grading copy of gentut.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from gentut.grading.build import build_student_version
from gentut.grading.grade import grade_folder
from gentut.grading.run import Limits

ASSIGNMENTS = sorted((Path(__file__).resolve().parent.parent / "assignments").glob("a[0-9]_*.py"))


def benchmark(source: Path, repeats: int, jobs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        student = build_student_version(source, tmp / "release")[0]
        folder = tmp / "submitted"
        folder.mkdir()
        for i in range(repeats):
            shutil.copy(source, folder / f"solution{i}.py")
            shutil.copy(student, folder / f"student{i}.ipynb")
        start = time.perf_counter()
        report = grade_folder(source, folder, tmp / "grades", Limits(), jobs)
        wall = time.perf_counter() - start
    full = sum(report.max_points.values())
    for kind in ("solution", "student"):
        runs = [r for r in report.students if r.student.startswith(kind)]
        seconds = [r.seconds for r in runs]
        scores = sorted({r.total for r in runs})
        print(f"{source.stem:24s} {kind:9s} {statistics.median(seconds):6.1f} s/submission (median of {len(runs)})"
              f"   score {'/'.join(f'{s:g}' for s in scores)} of {full:g}")
    print(f"{source.stem:24s} folder of {len(report.students)}: {wall:.1f} s wall with {jobs} job(s), "
          f"{wall / len(report.students):.1f} s per submission")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2, help="copies of each version per folder")
    parser.add_argument("--jobs", type=int, default=1, help="submissions graded at once")
    args = parser.parse_args()
    for source in ASSIGNMENTS:
        benchmark(source, args.repeats, args.jobs)


if __name__ == "__main__":
    main()

"""Graded assignments: build student versions, grade submissions in sandboxed subprocesses.

markers    the assignment format: '# ANSWER q1', '### BEGIN/END SOLUTION', '# TEST q1 (2 points)',
           '# HIDDEN TEST q1 (3 points)'
notebooks  read and write .ipynb / jupytext .py notebooks as lists of cells
build      the student version: solutions and hidden tests stripped
sandbox    limits a submission's process sets on itself (memory, file size, Landlock)
child      the process that runs one submission's cells (python -m gentut.grading.child)
run        start that process with time limits and read back each cell's result
grade      a folder of submissions -> scores.csv, scores.json, feedback/<student>.md
__main__   the command line: python -m gentut.grading build | grade | check

See assignments/README.md for the instructors' guide. This package imports nothing heavy, so the
child process starts fast.
"""

from gentut.grading.build import build_student_version, load_assignment
from gentut.grading.grade import GradeReport, StudentResult, grade_folder, grade_submissions
from gentut.grading.run import Limits, run_cells

__all__ = ["build_student_version", "load_assignment", "grade_folder", "grade_submissions", "GradeReport",
           "StudentResult", "Limits", "run_cells"]

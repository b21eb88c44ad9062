"""Graded assignments: build student versions, grade submissions where no student code can reach a check.

markers      the assignment format: '# ANSWER q1', '### BEGIN/END SOLUTION', '# TEST q1 (2 points)',
             '# HIDDEN TEST q1 (3 points)', a test's '# --- probe' and '# --- check' parts,
             '# REFERENCES q1', '# ANALYSIS q5 (2 points)'
notebooks    read and write .ipynb / jupytext .py notebooks as lists of cells
build        the student version: solutions, hidden tests and references stripped
submissions  a folder of submissions: names, files not graded, answers (magics read by IPython)
references   the kit's own answers: a copy of gentut where they raise, and answers that name them
plain        the plain data a probe's values travel as
child        the process that runs one submission's cells and probes (python -m gentut.grading.child)
namespaces   its PID, mount, network and IPC namespaces (where allowed), and its init
sandbox      the limits and OS protections it sets on itself: rlimits, capabilities,
landlock     ... Landlock (files, TCP, signals),
seccomp      ... a seccomp filter (no sockets of any family)
cgroups      a cgroup per submission (one kill for all its processes; memory and process budget)
monitor      the grader's watch on a submission's memory, processes and disk
run          start that process, talk to it one cell at a time, end everything it started
judge        the process where checks run on the probes' values (python -m gentut.grading.judge)
grade        a folder of submissions -> results, one student at a time
report       results/, feedback/, scores.csv, scores.json, review/ (written answers), merge
testing      helpers for test cells: raised, replaced, close, max_error
__main__     the command line: python -m gentut.grading build | grade | merge | check

See assignments/README.md for the instructors' guide. The modules a submission's process imports
use the standard library only, so it starts fast.
"""

from gentut.grading.build import build_student_version, load_assignment
from gentut.grading.grade import GradeReport, StudentResult, grade_folder, grade_submissions
from gentut.grading.run import Limits, run_cells

__all__ = ["build_student_version", "load_assignment", "grade_folder", "grade_submissions", "GradeReport",
           "StudentResult", "Limits", "run_cells"]

"""The markers of an assignment source, and the cells they make (nbgrader's vocabulary, as text).

An assignment is a notebook (jupytext py:percent) whose code cells are told apart by their first
line:

    # ANSWER q1                    the student's cell. Inside it, the lines between
                                   ### BEGIN SOLUTION  and  ### END SOLUTION  are the instructor's
                                   answer; the student version replaces them with
                                   raise NotImplementedError("write your code here")
    # TEST q1 (2 points)           a public test: students see it and run it themselves
    # HIDDEN TEST q1 (3 points)    a hidden test: left out of the student version
    # REFERENCES q1                imports of the kit's own answer to q1 (hidden; see below)
    # ANALYSIS q5 (2 points)       (markdown cell) a written answer, scored by hand
    anything else                  instructor code (imports, set-up, demos), run as written

A test cell has two parts, split by a line of its own (and, optionally, a third before them):

    # TEST q1 (1 point)
    real, fake = torch.tensor([2.0, -1.0]), torch.tensor([0.5, 3.0])    <- inputs: both processes
    # --- probe (calls your code) ---
    loss = d_logistic_loss(real, fake)                                  <- probe: the student's process
    # --- check (runs in the grader) ---
    assert torch.allclose(loss, torch.tensor(1.2)), "..."               <- check: the grader's process

In a notebook the cell runs top to bottom as usual. When grading, the probe runs in the student's
process, and the plain values it assigned (`loss`; not names starting with `_`) travel to a
separate process that runs the check: the student's code never runs where the expected values,
the check or the reference are.
Lines above `# --- probe` are the test's inputs: they run in both processes, so the check uses
inputs made by the grader, not copies the student's process sends back. Without that line, the
whole part above the check is the probe.

A `# REFERENCES q1` cell holds `from gentut.... import name` lines: the kit's implementations
that answer q1. The hidden tests' checks may use them; while grading, the student's process sees
a copy of gentut in which they raise an error, and an answer that names one scores 0 on q1.

A question's score is the sum of the points of its test cells that pass (public and hidden).
Markers are plain comments, so they survive jupytext, Colab and every notebook editor; nbgrader
keeps the same information in cell metadata, which editors drop more easily.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

__all__ = ["Cell", "TestParts", "classify", "parse_assignment", "questions", "answer_id", "student_cells",
           "strip_solutions", "split_test", "references_of", "answer_names", "assigned_names", "free_names",
           "PLACEHOLDER"]

PLACEHOLDER = 'raise NotImplementedError("write your code here")'
MARKDOWN_PLACEHOLDER = "_Write your answer here._"
ANSWER = re.compile(r"#\s*ANSWER\s+([A-Za-z0-9_.-]+)\s*$")
TEST = re.compile(r"#\s*(HIDDEN\s+)?TEST\s+([A-Za-z0-9_.-]+)\s*\(\s*(\d+(?:\.\d+)?)\s*points?\s*\)\s*$")
LOOKS_LIKE_TEST = re.compile(r"#\s*(HIDDEN\s+)?TEST\b")
REFERENCES = re.compile(r"#\s*REFERENCES\s+([A-Za-z0-9_.-]+)\s*$")
ANALYSIS = re.compile(r"#+\s*ANALYSIS\s+([A-Za-z0-9_.-]+)\s*\(\s*(\d+(?:\.\d+)?)\s*points?\s*\)\s*$")
LOOKS_LIKE_MARKER = re.compile(r"#+\s*(REFERENCES?|ANALYSIS)\b")
PROBE_LINE = re.compile(r"^\s*#\s*-{2,}\s*probe\b.*$")
CHECK_LINE = re.compile(r"^\s*#\s*-{2,}\s*check\b.*$")
BEGIN = re.compile(r"^(\s*)#+\s*BEGIN SOLUTION\s*$")
END = re.compile(r"^\s*#+\s*END SOLUTION\s*$")


@dataclass(frozen=True)
class Cell:
    """One cell of an assignment.

    kind: "markdown", "code" (instructor code), "answer", "test" (public), "hidden", "references"
    or "analysis" (a markdown cell the student answers in words); question: the question id of
    answer, test, references and analysis cells; points: a test or analysis cell's worth.
    """

    kind: str
    source: str
    question: str | None = None
    points: float = 0.0

    @property
    def is_test(self) -> bool:
        return self.kind in ("test", "hidden")


@dataclass(frozen=True)
class TestParts:
    """A test cell cut in three, each the whole cell with the other parts' lines blanked (so line
    numbers in messages match the cell): inputs run in both processes, the probe in the student's,
    the check in the grader's."""

    inputs: str
    probe: str
    check: str


def first_line(source: str) -> str:
    """The first non-blank line of a cell, stripped ("" for an empty cell)."""
    return next((line.strip() for line in source.splitlines() if line.strip()), "")


def answer_id(source: str) -> str | None:
    """The question id of a cell whose first line is '# ANSWER <id>', else None."""
    match = ANSWER.match(first_line(source))
    return match.group(1) if match else None


def classify(cell_type: str, source: str) -> Cell:
    """A notebook cell (cell_type "code", "markdown" or "raw", its source) -> Cell.

    Raises ValueError for a first line that looks like a marker but does not parse, so a typo in
    the instructor's source cannot silently turn a hidden test into visible code.
    """
    line = first_line(source)
    if cell_type != "code":
        match = ANALYSIS.match(line)
        if match:
            return Cell("analysis", source, match.group(1), float(match.group(2)))
        if LOOKS_LIKE_MARKER.match(line) and "ANALYSIS" in line:
            raise ValueError(f"malformed analysis marker {line!r}: write '# ANALYSIS q5 (2 points)'")
        return Cell("markdown", source)
    question = answer_id(source)
    if question:
        return Cell("answer", source, question)
    match = TEST.match(line)
    if match:
        return Cell("hidden" if match.group(1) else "test", source, match.group(2), float(match.group(3)))
    if LOOKS_LIKE_TEST.match(line):
        raise ValueError(f"malformed test marker {line!r}: write '# TEST q1 (2 points)' or "
                         "'# HIDDEN TEST q1 (3 points)'")
    match = REFERENCES.match(line)
    if match:
        return Cell("references", source, match.group(1))
    if LOOKS_LIKE_MARKER.match(line):
        raise ValueError(f"malformed marker {line!r}: write '# REFERENCES q1' (a code cell) or "
                         "'# ANALYSIS q5 (2 points)' (a markdown cell)")
    return Cell("code", source)


def split_test(source: str) -> TestParts:
    """Cut a test cell at its '# --- probe' and '# --- check' lines (see the module docstring).

    Raises ValueError when the check line is missing or repeated, or the probe line comes after it."""
    lines = source.splitlines()
    probes = [i for i, line in enumerate(lines) if PROBE_LINE.match(line)]
    checks = [i for i, line in enumerate(lines) if CHECK_LINE.match(line)]
    if len(checks) != 1:
        raise ValueError("a test cell needs one line '# --- check (runs in the grader) ---' between the code "
                         "that calls the student's functions and the assertions on what they returned"
                         if not checks else "a test cell has more than one '# --- check' line")
    if len(probes) > 1 or (probes and probes[0] > checks[0]):
        raise ValueError("a test cell has at most one '# --- probe' line, before its '# --- check' line")
    probe_start, check_start = (probes[0] if probes else 0), checks[0]

    def keep(start: int, stop: int) -> str:
        return "\n".join(line if start <= i < stop else "" for i, line in enumerate(lines))

    inputs = keep(0, probe_start) if probes else ""
    return TestParts(inputs, keep(probe_start, check_start), keep(check_start, len(lines)))


def references_of(source: str) -> list[tuple[str, str]]:
    """The (module, name) pairs a '# REFERENCES' cell imports from gentut.

    Raises ValueError for anything but `from gentut.... import name [as alias]` lines (and comments)."""
    pairs = []
    for node in ast.parse(source).body:
        if not (isinstance(node, ast.ImportFrom) and node.level == 0 and node.module
                and node.module.split(".")[0] == "gentut" and all(a.name != "*" for a in node.names)):
            raise ValueError("a '# REFERENCES' cell holds only lines 'from gentut.<module> import <name>'")
        pairs += [(node.module, alias.name) for alias in node.names]
    return pairs


def assigned_names(tree: ast.AST, definitions: bool = True) -> set[str]:
    """Names a module-level piece of code binds: assignments and loop variables, and (with
    `definitions`) functions, classes and imports; never looking inside function or class bodies."""
    names: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                if definitions:
                    names.add(child.name)
                continue
            if isinstance(child, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
                continue
            if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store):
                names.add(child.id)
            elif isinstance(child, (ast.Import, ast.ImportFrom)) and definitions:
                names.update((alias.asname or alias.name).split(".")[0] for alias in child.names)
            visit(child)

    visit(tree)
    return names


def free_names(source: str) -> set[str]:
    """Names a piece of code reads but does not assign itself (so they must come from elsewhere)."""
    tree = ast.parse(source)
    loaded = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
    return loaded - assigned_names(tree)


def answer_names(cells: list[Cell]) -> set[str]:
    """Every name the instructor's answer cells define (the functions students write, and helpers)."""
    names: set[str] = set()
    for cell in cells:
        if cell.kind == "answer":
            names |= assigned_names(ast.parse(cell.source))
    return names


def solution_spans(source: str) -> list[tuple[int, int, str]]:
    """(begin line, end line, indentation) of every BEGIN/END SOLUTION region, 0-based, in order.

    Raises ValueError for an unclosed, unopened or nested region."""
    spans, begin, indent = [], None, ""
    for number, line in enumerate(source.splitlines()):
        opening = BEGIN.match(line)
        if opening:
            if begin is not None:
                raise ValueError(f"line {number + 1}: BEGIN SOLUTION inside another solution region")
            begin, indent = number, opening.group(1)
        elif END.match(line):
            if begin is None:
                raise ValueError(f"line {number + 1}: END SOLUTION without a BEGIN SOLUTION")
            spans.append((begin, number, indent))
            begin = None
    if begin is not None:
        raise ValueError(f"line {begin + 1}: BEGIN SOLUTION is never closed by END SOLUTION")
    return spans


def strip_solutions(source: str, placeholder: str = PLACEHOLDER) -> str:
    """The source with every solution region replaced by `placeholder` at the region's indentation."""
    lines = source.splitlines()
    for begin, end, indent in reversed(solution_spans(source)):
        lines[begin:end + 1] = [indent + placeholder]
    return "\n".join(lines)


def check_cell(cell: Cell, spans: list, answers: set[str]) -> None:
    """Raise ValueError for a cell that breaks a rule (see parse_assignment)."""
    if spans and cell.kind not in ("answer", "markdown", "analysis"):
        raise ValueError("solution regions belong in '# ANSWER <id>' cells, whose code the grader takes "
                         "from the student, or in '# ANALYSIS' cells")
    if cell.kind == "answer":
        if not spans:
            raise ValueError(f"ANSWER {cell.question} has no ### BEGIN SOLUTION region")
        if cell.question in answers:
            raise ValueError(f"a second '# ANSWER {cell.question}' cell; ids must be unique")
    if cell.kind in ("test", "hidden", "analysis") and cell.points <= 0:
        raise ValueError("a test must be worth more than 0 points")
    if cell.is_test:
        split_test(cell.source)
    if cell.kind == "references":
        references_of(cell.source)


def check_checks(cells: list[Cell]) -> None:
    """Checks run where the students' functions do not exist: they must not call them, and the
    inputs part (run in both processes) must not either."""
    names = answer_names(cells)
    for number, cell in enumerate(cells, start=1):
        if not cell.is_test:
            continue
        parts = split_test(cell.source)
        probe = assigned_names(ast.parse(parts.probe), definitions=False)
        for label, text in (("check", parts.check), ("inputs", parts.inputs)):
            used = (free_names(text) - (probe if label == "check" else set())) & names
            if used:
                raise ValueError(f"cell {number} ({cell.kind} test {cell.question}): its {label} part uses "
                                 f"{sorted(used)}, defined by the answers; call them in the probe part")
        shared = assigned_names(ast.parse(parts.inputs)) & assigned_names(ast.parse(parts.probe))
        if shared:
            raise ValueError(f"cell {number}: {sorted(shared)} assigned in both the inputs and the probe part")


def parse_assignment(cells: list[tuple[str, str]]) -> list[Cell]:
    """Classify and check an assignment's cells [(cell_type, source), ...] -> [Cell, ...].

    Checks: solution regions are well formed and sit only in answer cells (or markdown); answer
    ids are unique; there is at least one test, every test is worth more than 0 points and has a
    check part that does not call the students' functions; reference cells import from gentut.
    """
    parsed, answers = [], set()
    for number, (cell_type, source) in enumerate(cells, start=1):
        try:
            cell = classify(cell_type, source)
            spans = solution_spans(source)
            check_cell(cell, spans, answers)
        except (ValueError, SyntaxError) as error:
            raise ValueError(f"cell {number}: {error}") from None
        if cell.kind == "answer":
            answers.add(cell.question)
        parsed.append(cell)
    if not any(cell.is_test for cell in parsed):
        raise ValueError("the assignment has no '# TEST' or '# HIDDEN TEST' cells: nothing to grade")
    check_checks(parsed)
    return parsed


def questions(cells: list[Cell]) -> dict[str, float]:
    """Each question's maximum points (its tests' and analysis answers' points summed), in order
    of first appearance."""
    points: dict[str, float] = {}
    for cell in cells:
        if cell.is_test or cell.kind == "analysis":
            points[cell.question] = points.get(cell.question, 0.0) + cell.points
    return points


def student_cells(cells: list[Cell]) -> list[Cell]:
    """The student version: hidden tests and reference cells removed, every solution region
    replaced by a placeholder."""
    kept = []
    for cell in cells:
        if cell.kind in ("hidden", "references"):
            continue
        placeholder = PLACEHOLDER if cell.kind == "answer" else MARKDOWN_PLACEHOLDER
        kept.append(Cell(cell.kind, strip_solutions(cell.source, placeholder), cell.question, cell.points))
    return kept

"""The markers of an assignment source, and the cells they make (nbgrader's vocabulary, as text).

An assignment is a notebook (jupytext py:percent) whose code cells are told apart by their first
line:

    # ANSWER q1                    the student's cell. Inside it, the lines between
                                   ### BEGIN SOLUTION  and  ### END SOLUTION  are the instructor's
                                   answer; the student version replaces them with
                                   raise NotImplementedError("write your code here")
    # TEST q1 (2 points)           a public test: students see it and run it themselves
    # HIDDEN TEST q1 (3 points)    a hidden test: left out of the student version
    anything else                  instructor code (imports, set-up, demos), run as written

A question's score is the sum of the points of its test cells that pass (public and hidden).
Markers are plain comments, so they survive jupytext, Colab and every notebook editor; nbgrader
keeps the same information in cell metadata, which editors drop more easily.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Cell", "classify", "parse_assignment", "questions", "answer_id", "student_cells",
           "strip_solutions", "PLACEHOLDER"]

PLACEHOLDER = 'raise NotImplementedError("write your code here")'
MARKDOWN_PLACEHOLDER = "_Write your answer here._"
ANSWER = re.compile(r"#\s*ANSWER\s+([A-Za-z0-9_.-]+)\s*$")
TEST = re.compile(r"#\s*(HIDDEN\s+)?TEST\s+([A-Za-z0-9_.-]+)\s*\(\s*(\d+(?:\.\d+)?)\s*points?\s*\)\s*$")
LOOKS_LIKE_TEST = re.compile(r"#\s*(HIDDEN\s+)?TEST\b")
BEGIN = re.compile(r"^(\s*)#+\s*BEGIN SOLUTION\s*$")
END = re.compile(r"^\s*#+\s*END SOLUTION\s*$")


@dataclass(frozen=True)
class Cell:
    """One cell of an assignment.

    kind: "markdown", "code" (instructor code), "answer", "test" (public) or "hidden";
    question: the question id of answer and test cells; points: a test cell's worth.
    """

    kind: str
    source: str
    question: str | None = None
    points: float = 0.0

    @property
    def is_test(self) -> bool:
        return self.kind in ("test", "hidden")


def first_line(source: str) -> str:
    """The first non-blank line of a cell, stripped ("" for an empty cell)."""
    return next((line.strip() for line in source.splitlines() if line.strip()), "")


def answer_id(source: str) -> str | None:
    """The question id of a cell whose first line is '# ANSWER <id>', else None."""
    match = ANSWER.match(first_line(source))
    return match.group(1) if match else None


def classify(cell_type: str, source: str) -> Cell:
    """A notebook cell (cell_type "code", "markdown" or "raw", its source) -> Cell.

    Raises ValueError for a first line that looks like a test marker but does not parse, so a
    typo in the instructor's source cannot silently turn a hidden test into visible code.
    """
    if cell_type != "code":
        return Cell("markdown", source)
    line = first_line(source)
    question = answer_id(source)
    if question:
        return Cell("answer", source, question)
    match = TEST.match(line)
    if match:
        return Cell("hidden" if match.group(1) else "test", source, match.group(2), float(match.group(3)))
    if LOOKS_LIKE_TEST.match(line):
        raise ValueError(f"malformed test marker {line!r}: write '# TEST q1 (2 points)' or "
                         "'# HIDDEN TEST q1 (3 points)'")
    return Cell("code", source)


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


def parse_assignment(cells: list[tuple[str, str]]) -> list[Cell]:
    """Classify and check an assignment's cells [(cell_type, source), ...] -> [Cell, ...].

    Checks: solution regions are well formed and sit only in answer cells (or markdown); answer
    ids are unique; there is at least one test and every test is worth more than 0 points.
    """
    parsed, answers = [], set()
    for number, (cell_type, source) in enumerate(cells, start=1):
        try:
            cell = classify(cell_type, source)
            spans = solution_spans(source)
        except ValueError as error:
            raise ValueError(f"cell {number}: {error}") from None
        if spans and cell.kind not in ("answer", "markdown"):
            raise ValueError(f"cell {number}: solution regions belong in '# ANSWER <id>' cells, "
                             "whose code the grader takes from the student")
        if cell.kind == "answer":
            if not spans:
                raise ValueError(f"cell {number} (ANSWER {cell.question}) has no ### BEGIN SOLUTION region")
            if cell.question in answers:
                raise ValueError(f"cell {number}: a second '# ANSWER {cell.question}' cell; ids must be unique")
            answers.add(cell.question)
        if cell.is_test and cell.points <= 0:
            raise ValueError(f"cell {number}: a test must be worth more than 0 points")
        parsed.append(cell)
    if not any(cell.is_test for cell in parsed):
        raise ValueError("the assignment has no '# TEST' or '# HIDDEN TEST' cells: nothing to grade")
    return parsed


def questions(cells: list[Cell]) -> dict[str, float]:
    """Each question's maximum points (its tests' points summed), in order of first appearance."""
    points: dict[str, float] = {}
    for cell in cells:
        if cell.is_test:
            points[cell.question] = points.get(cell.question, 0.0) + cell.points
    return points


def student_cells(cells: list[Cell]) -> list[Cell]:
    """The student version: hidden tests removed, every solution region replaced by a placeholder."""
    kept = []
    for cell in cells:
        if cell.kind == "hidden":
            continue
        placeholder = MARKDOWN_PLACEHOLDER if cell.kind == "markdown" else PLACEHOLDER
        kept.append(Cell(cell.kind, strip_solutions(cell.source, placeholder), cell.question, cell.points))
    return kept

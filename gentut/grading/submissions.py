"""A folder of submissions: who handed in what, under which name, and what each answered.

    find_submissions(folder) -> ({student: path}, {file: why it is not graded})

Every entry of the folder is either graded or listed with the reason it is not: NAME.ipynb and
NAME.py (any case: Name.IPYNB too), NAME/ (a folder holding one notebook), and nothing else.
A student's name is the file's name without its suffix, written so that it is unique and stable:
characters other than letters, digits and `_ . @ -` become %XX (so `x y.py`, `x!y.py` and `x_y.py`
are `x%20y`, `x%21y` and `x_y`), and when two entries would share a name (`alice.py` and
`alice.ipynb`, or names differing only in case, which collide on macOS and Windows) each keeps its
full file name, plus a short hash of it if that still collides.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from gentut.grading.magics import to_python
from gentut.grading.markers import answer_id, classify
from gentut.grading.notebooks import NOTEBOOK_SUFFIXES, UnreadableNotebook, read_cells

__all__ = ["find_submissions", "student_name", "notebook_in", "read_answers"]

SAFE = re.compile(r"[A-Za-z0-9_.@-]")


def student_name(text: str) -> str:
    """`text` with every character outside [A-Za-z0-9_.@-] written as %XX (UTF-8 bytes)."""
    return "".join(c if SAFE.fullmatch(c) else "".join(f"%{b:02X}" for b in c.encode("utf-8")) for c in text)


def candidate(path: Path) -> tuple[str | None, str]:
    """(the name a folder entry would grade under, or None; the reason when None)."""
    if path.name.startswith("."):
        return None, "a hidden file or folder"
    if path.is_dir():
        return path.name, ""
    if path.suffix.lower() in NOTEBOOK_SUFFIXES:
        return path.name[:-len(path.suffix)], ""
    return None, "not a notebook (.ipynb or .py) or a folder holding one"


def find_submissions(folder: str | Path) -> tuple[dict[str, Path], dict[str, str]]:
    """({student: path}, {file name: why it is not graded}) for every entry of `folder` (see the
    module docstring)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"no submissions folder at {folder}")
    found, skipped = {}, {}
    entries = []
    for path in sorted(folder.iterdir()):
        stem, reason = candidate(path)
        if stem is None:
            skipped[path.name] = reason
        else:
            entries.append((path, stem))
    names = {path: student_name(stem) for path, stem in entries}
    clashing = [n.lower() for n in names.values()]
    for path in names:
        if clashing.count(names[path].lower()) > 1:             # alice.py and alice.ipynb; Bob.py and bob.py
            names[path] = student_name(path.name)
    clashing = [n.lower() for n in names.values()]
    for path in names:
        if clashing.count(names[path].lower()) > 1:
            names[path] += "~" + hashlib.sha256(path.name.encode("utf-8")).hexdigest()[:8]
    for path, name in names.items():
        found[name] = path
    return found, skipped


def notebook_in(path: Path) -> Path:
    """The notebook a submission path stands for: itself, or the single notebook inside a folder."""
    if not path.is_dir():
        return path
    notebooks = sorted(p for p in path.rglob("*") if p.suffix.lower() in NOTEBOOK_SUFFIXES and p.is_file()
                       and ".ipynb_checkpoints" not in p.parts and not p.name.startswith("."))
    preferred = [p for p in notebooks if p.suffix.lower() == ".ipynb"] or notebooks
    if len(preferred) != 1:
        listed = ", ".join(str(p.relative_to(path)) for p in preferred[:5])
        raise UnreadableNotebook(f"{path.name}/ should hold exactly one notebook, found {len(preferred)}"
                                 + (f": {listed}" if listed else ""))
    return preferred[0]


def read_answers(path: str | Path) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """A submission's answers: ({question: code of its '# ANSWER' cell}, {question: text of its
    '# ANALYSIS' cell}, notes). Magics are read as IPython reads them (gentut.grading.magics); if
    an id appears twice, the last cell wins (as when running the notebook)."""
    answers, analysis, notes = {}, {}, []
    for cell_type, source in read_cells(notebook_in(Path(path))):
        if cell_type == "code":
            question = answer_id(source)
            if question is None:
                continue
            if question in answers:
                notes.append(f"two cells start with '# ANSWER {question}': the last one was graded")
            code, magic = to_python(source)
            if magic:
                notes.append(f"answer {question}: notebook magics (% and ! lines) do nothing when graded")
            answers[question] = code
        else:
            try:
                cell = classify(cell_type, source)
            except ValueError:
                continue
            if cell.kind == "analysis":
                analysis[cell.question] = source
    return answers, analysis, notes

"""The kit's own answers, kept out of the submissions' reach.

An assignment declares, per question, the gentut functions and classes that answer it (its
`# REFERENCES q1` cells, see gentut.grading.markers). Then:

* `GradingCopy` writes, once per grading run, a copy of the gentut package in which each of them
  raises `ReferenceBlocked` when called (or instantiated), and nothing else changes; each
  submission's process imports gentut from its own copy of that. Where Landlock is on, the real
  gentut folder is not readable from there (gentut.grading.landlock), so the reference source
  cannot be read and executed instead.
* `reference_uses` reads an answer's source (its syntax tree) for imports or attributes naming a
  reference; such an answer scores 0 on its question and on the reference's, with a note.

A student who copies the kit's code by hand, from the course repository, cannot be told apart
from one who wrote the same lines: no grader can stop that.
"""

from __future__ import annotations

import ast
import compileall
import shutil
from pathlib import Path

__all__ = ["BLOCKED", "GradingCopy", "reference_uses", "stub_module"]

BLOCKED = "[gentut grading] blocked reference"


def stub_source(name: str, qualified: str, question: str, kind: str) -> str:
    """The code that takes the place of a reference: a function or class that raises."""
    message = (f"{BLOCKED}: {qualified} is the kit's answer to {question} of this assignment and cannot be used "
               "while grading; write your own")
    if kind == "class":
        return (f"class {name}:\n"
                f"    def __init__(self, *args, **kwargs):\n        raise RuntimeError({message!r})\n"
                f"    def __init_subclass__(cls, **kwargs):\n        raise RuntimeError({message!r})\n")
    return f"def {name}(*args, **kwargs):\n    raise RuntimeError({message!r})\n"


def stub_module(source: str, module: str, names: dict[str, str]) -> str:
    """`source` of `module` with each top-level definition in `names` ({name: question}) replaced
    by a stub that raises; other lines unchanged. Raises ValueError if a name is not defined there."""
    tree = ast.parse(source)
    lines = source.splitlines()
    found = set()
    for node in sorted(tree.body, key=lambda n: n.lineno, reverse=True):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name in names:
            start = min([node.lineno] + [d.lineno for d in node.decorator_list]) - 1
            kind = "class" if isinstance(node, ast.ClassDef) else "function"
            stub = stub_source(node.name, f"{module}.{node.name}", names[node.name], kind).splitlines()
            lines[start:node.end_lineno] = stub
            found.add(node.name)
    missing = set(names) - found
    if missing:
        raise ValueError(f"{module} defines no function or class {sorted(missing)} (named in a REFERENCES cell)")
    return "\n".join(lines) + "\n"


class GradingCopy:
    """A copy of the gentut package whose references raise (see the module docstring).

    GradingCopy(references, folder) writes folder/gentut: the package's Python files (compiled,
    so each run starts fast), with the referenced modules stubbed, and a link to the real
    checkpoints. `copy_into(target)` gives one submission its own copy (so a submission that
    edits its copy changes nothing for the next one)."""

    def __init__(self, references: dict[str, list[tuple[str, str]]], folder: str | Path):
        import gentut

        self.real = Path(gentut.__file__).resolve().parent
        self.folder = Path(folder)
        self.package = self.folder / "gentut"
        by_module: dict[str, dict[str, str]] = {}
        for question, pairs in references.items():
            for module, name in pairs:
                by_module.setdefault(module, {})[name] = question
        shutil.copytree(self.real, self.package, ignore=self.skip)
        for module, names in by_module.items():
            path = self.package.joinpath(*module.split(".")[1:]).with_suffix(".py")
            if not path.exists():
                path = path.with_suffix("") / "__init__.py"
            if not path.exists():
                raise ValueError(f"no module {module} in gentut (named in a REFERENCES cell)")
            path.write_text(stub_module(path.read_text(), module, names))
        compileall.compile_dir(self.package, quiet=1)
        self.checkpoints = self.real / "checkpoints"
        if self.checkpoints.is_dir():
            (self.package / "checkpoints").symlink_to(self.checkpoints, target_is_directory=True)

    def skip(self, folder: str, names: list[str]) -> list[str]:
        """copytree's filter: only Python files and folders; no caches, no checkpoints."""
        return [n for n in names if n in ("__pycache__", "checkpoints") or
                (not n.endswith(".py") and not (Path(folder) / n).is_dir())]

    def copy_into(self, target: str | Path) -> Path:
        """target/gentut: this submission's own copy; returns target (for PYTHONPATH)."""
        shutil.copytree(self.package, Path(target) / "gentut", symlinks=True)
        return Path(target)

    def hidden(self) -> list[Path]:
        """The real package's folder: what a submission must not read (its checkpoints excepted)."""
        return [self.real]


def gentut_modules(tree: ast.AST) -> dict[str, str]:
    """{local name: module} for every gentut module imported as a module (`import gentut.losses as L`,
    `from gentut import losses`)."""
    modules = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "gentut":
                    modules[alias.asname or "gentut"] = alias.name if alias.asname else "gentut"
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "gentut":
            for alias in node.names:
                modules.setdefault(alias.asname or alias.name, f"{node.module}.{alias.name}")
    return modules


def reference_uses(source: str, references: dict[str, list[tuple[str, str]]]) -> list[tuple[str, str]]:
    """The references an answer names: [(question the reference answers, "module.name"), ...].

    Found: `from gentut.m import name`, and an attribute `.name` in code that imports gentut
    (`import gentut.m as m; m.name`, `from gentut import m; m.name`). Names spelled at run time
    are left to the blocked copy."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    wanted = {(module, name): question for question, pairs in references.items() for module, name in pairs}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                for (module, name), question in wanted.items():
                    if node.module == module and alias.name in (name, "*"):
                        found.append((question, f"{module}.{name}"))
    if gentut_modules(tree):
        names = {name: (module, question) for (module, name), question in wanted.items()}
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in names:
                module, question = names[node.attr]
                found.append((question, f"{module}.{node.attr}"))
    return sorted(set(found))

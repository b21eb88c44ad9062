"""The lowest versions pyproject.toml allows, as a pip constraints file for this Python.

    python tools/floors.py > floors.txt        # gentut's dependencies and its test and browser extras
    pip install -c floors.txt -e '.[test,browser]'

Every requirement that applies to the running interpreter (PEP 508 markers are evaluated, so
the floors written for Python 3.12 or 3.13 apply there) must name its lower bound with `>=`
(or pin with `==`); that version becomes `name==version`. Packages that gentut does not name
are left to the resolver: these are the floors of gentut's direct dependencies, as a resolver's
"lowest-direct" mode would pick them. .ci/run builds its floor environment from this file, so a
lower bound in pyproject.toml is a version the whole suite has passed with.

    python tools/floors.py --check-wheels python3.12 python3.13

asks each interpreter's pip for the wheel of every floor that applies to it (nothing is
installed; the wheels are kept in ~/.cache/gentut-ci/wheels so that a second run fetches none):
each bound must be a version that installs on that Python.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tomllib
from pathlib import Path

try:
    from packaging.requirements import Requirement
except ImportError:                                   # a bare interpreter: pip's own copy
    from pip._vendor.packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
EXTRAS = ("test", "browser")


def requirements(extras: tuple[str, ...] = EXTRAS) -> list[Requirement]:
    """pyproject's dependencies and `extras` that apply to this interpreter."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    chosen = [Requirement(r) for r in project["dependencies"]]
    for extra in extras:
        chosen += [Requirement(r) for r in project["optional-dependencies"][extra]]
    return [r for r in chosen if r.marker is None or r.marker.evaluate({"extra": ""})]


def floor(requirement: Requirement) -> str:
    """The version of a `>=` or `==` clause; a requirement without one is an error."""
    bounds = [s.version for s in requirement.specifier if s.operator in (">=", "==")]
    if len(bounds) != 1:
        raise SystemExit(f"{requirement}: name one lower bound (>=) or one pin (==)")
    return bounds[0]


def constraints(extras: tuple[str, ...] = EXTRAS) -> str:
    lines = [f"{r.name}=={floor(r)}" for r in requirements(extras)]
    return "\n".join(sorted(set(lines), key=str.lower)) + "\n"


def check_wheels(pythons: list[str], folder: Path) -> int:
    """Download each floor's wheel for each interpreter (`pip download --no-deps --only-binary`,
    into folder/NAME, where files already there are not fetched again); 1 if any has none."""
    failed = 0
    for python in pythons:
        listed = subprocess.run([python, __file__], capture_output=True, text=True, check=True).stdout
        target = folder / Path(python).name
        for line in listed.split():
            command = [python, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--quiet",
                       "--dest", str(target), line]
            result = subprocess.run(command, capture_output=True, text=True)
            if result.returncode:
                print(f"{python}: {line} has no wheel for this Python\n{result.stderr[-1000:]}")
                failed = 1
        print(f"{python}: {'some floors do NOT install' if failed else 'every floor has a wheel'}")
    return failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check-wheels", nargs="+", metavar="PYTHON", help="interpreters to check the floors on")
    parser.add_argument("--wheels", type=Path, default=Path.home() / ".cache" / "gentut-ci" / "wheels",
                        help="where --check-wheels keeps the wheels it fetched (default: %(default)s)")
    args = parser.parse_args()
    if args.check_wheels:
        return check_wheels(args.check_wheels, args.wheels)
    sys.stdout.write(constraints())
    return 0


if __name__ == "__main__":
    sys.exit(main())

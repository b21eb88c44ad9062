"""The process that runs one submission: `python -m gentut.grading.child`, started by gentut.grading.run.

1. reads the job (JSON) from stdin: the cells to run, the limits, the results file and a token;
2. opens the results file, then limits itself (gentut.grading.sandbox) before any student code;
3. runs the cells in order in one namespace, each under its own alarm (a question that hangs
   loses that question only), seeding the random generators before each cell;
4. after every cell, appends one JSON line {"token", "cell", "ok", "message"} to the results file.

Every exception, SystemExit included, is caught per cell, so a failing question does not stop
the others. The parent trusts only lines carrying the token, and the first line per cell.
"""

from __future__ import annotations

import builtins
import json
import linecache
import os
import random
import re
import signal
import sys
import textwrap
import traceback

__all__ = ["main"]

MAX_MESSAGE = 1500
ADDRESS = re.compile(r"0x[0-9a-fA-F]{6,}")


class CellTimeout(BaseException):
    """Raised by the alarm when a cell runs past its time limit (a BaseException, so that the
    student's `except Exception` cannot swallow it)."""


def on_alarm(signum, frame):
    raise CellTimeout()


def cell_filename(cell: dict) -> str:
    """A stable name for tracebacks: "<answer q1>", "<test q1>", "<hidden test q1>" or "<cell 4>"."""
    kind, question = cell["kind"], cell.get("question")
    return {"answer": f"<answer {question}>", "test": f"<test {question}>",
            "hidden": f"<hidden test {question}>"}.get(kind, f"<cell {cell['index']}>")


def describe(error: BaseException, cell: dict, job: dict) -> str:
    """A short, deterministic message for a failed cell. Frames of the student's answers are
    shown, and those of public tests; hidden tests show only the error itself."""
    if isinstance(error, CellTimeout):
        return f"stopped: still running after {job['cell_seconds']:g} s, the time limit of one cell"
    if isinstance(error, SystemExit):
        return f"the code called sys.exit({error.code!r}); grading went on with the next cell"
    if isinstance(error, MemoryError) or "can't allocate memory" in str(error):
        return f"{type(error).__name__}: out of memory (the limit is {job['memory_mb']} MB)"
    shown = ("<answer",) if cell["kind"] == "hidden" else ("<answer", cell_filename(cell))
    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if frame.filename.startswith(shown)]
    text = textwrap.dedent("".join(traceback.format_list(frames) + traceback.format_exception_only(type(error), error)))
    text = text.strip("\n")
    text = ADDRESS.sub("0x...", text.replace(os.getcwd(), "."))
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE] + " ... (cut)"


def seed_everything(seed: int) -> None:
    """Seed Python's, and NumPy's and torch's if the cells imported them (never imported here)."""
    random.seed(seed)
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed(seed)
    if "torch" in sys.modules:
        sys.modules["torch"].manual_seed(seed)


def run_cell(cell: dict, namespace: dict, job: dict) -> tuple[bool, str]:
    """Execute one cell under the per-cell alarm: (passed, message)."""
    filename = cell_filename(cell)
    if cell["kind"] != "hidden":       # hidden tests' lines must not appear in tracebacks
        linecache.cache[filename] = (len(cell["source"]), None, cell["source"].splitlines(True), filename)
    signal.signal(signal.SIGALRM, on_alarm)          # again: a submission may have replaced it
    signal.setitimer(signal.ITIMER_REAL, job["cell_seconds"])
    try:
        try:
            exec(compile(cell["source"], filename, "exec"), namespace)
            return True, ""
        except BaseException as error:               # noqa: B036 - SystemExit and timeouts too
            return False, describe(error, cell, job)
    except BaseException as error:                   # raised while describing (a timeout, a bad __str__)
        return False, describe(error, cell, job) if isinstance(error, CellTimeout) else type(error).__name__
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def reporter(path: str, token: str):
    """A function that appends one result line (with the token) to the results file and flushes."""
    results = open(path, "a", encoding="utf-8")

    def report(record: dict) -> None:
        results.write(json.dumps({"token": token, **record}) + "\n")
        results.flush()

    return report


def main() -> None:
    job = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    sys.stdin = open(os.devnull)
    report = reporter(job["results"], job["token"])
    from gentut.grading.sandbox import apply_limits, restrict_filesystem
    guard = restrict_filesystem(os.getcwd(), job["read_roots"]) if job["sandbox"] else "sandbox switched off"
    refused = apply_limits(job["memory_mb"], job["output_mb"])
    guard += f"; limits this system refused: {', '.join(refused)}" if refused else ""
    report({"cell": -1, "ok": True, "message": guard})
    namespace = {"__name__": "__main__", "__builtins__": builtins, "display": lambda *args, **kwargs: None}
    for cell in job["cells"]:
        seed_everything(job["seed"])
        try:
            passed, message = run_cell(cell, namespace, job)
        except CellTimeout:                          # the alarm fired between the cell and its clean-up
            passed, message = False, describe(CellTimeout(), cell, job)
        try:
            sys.stdout.flush()
        except BaseException:                        # noqa: B036 - the output may be over its size cap
            pass
        report({"cell": cell["index"], "ok": passed, "message": message})
    report({"cell": len(job["cells"]), "ok": True, "message": "done"})
    os._exit(0)                                      # skip whatever atexit handlers the cells registered


if __name__ == "__main__":
    main()

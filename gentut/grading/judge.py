"""The judge: the process where checks run, apart from every submission.

    python -m gentut.grading.judge        started once per grading run by `Judge` (below)

It runs the assignment's set-up cells (the instructor's code that does not call the students'
functions) and its `# REFERENCES` cells once, with the real gentut; then, for each student, the
check part of every test on the plain values that student's probes sent back, in a fresh copy of
that namespace. No student code ever runs here: what arrives is data (gentut.grading.plain).

Protocol: JSON lines on stdin and on a private copy of stdout (what the cells print goes nowhere).
    {"setup": [source, ...], "seed": 0, "cell_seconds": 120}       -> {"errors": [message, ...]}
    {"tests": [{"inputs", "check", "values", "hidden"}, ...]}        -> {"results": [[passed, message], ...]}
"""

from __future__ import annotations

import builtins
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

__all__ = ["Judge", "check_message"]

MAX_MESSAGE = 1500


class CheckTimeout(BaseException):
    """A check ran past the time limit of one cell."""


def on_alarm(signum, frame):
    raise CheckTimeout()


def check_message(error: BaseException, filename: str, hidden: bool) -> str:
    """What a student reads when a check fails: the assertion's message (or the error), and for a
    public test the line that failed; never a line of a hidden test."""
    if isinstance(error, AssertionError):
        text = str(error) or "the check failed (it has no message)"
    else:
        text = "".join(traceback.format_exception_only(type(error), error)).strip()
    if not hidden:
        lines = [f"  {frame.line}" for frame in traceback.extract_tb(error.__traceback__)
                 if frame.filename == filename and frame.line]
        text = "\n".join(lines[-1:] + [text])
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE] + " ... (cut)"


def seed_everything(seed: int) -> None:
    import random

    random.seed(seed)
    for name, call in (("numpy", lambda m: m.random.seed(seed)), ("torch", lambda m: m.manual_seed(seed))):
        if name in sys.modules:
            call(sys.modules[name])


def execute(source: str, filename: str, namespace: dict) -> None:
    import linecache

    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), namespace)


def judge_test(test: dict, namespace: dict, seed: int, seconds: float) -> tuple[bool, str]:
    """Run one test's inputs and check on the probe's values, in `namespace`: (passed, message)."""
    from gentut.grading.plain import from_plain

    filename = f"<check {test['index']}>"
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        seed_everything(seed)
        if test.get("inputs", "").strip():
            execute(test["inputs"], filename, namespace)
        values = test["values"]
        if not isinstance(values, dict):
            raise ValueError("no values came back")
        namespace.update({str(name): from_plain(value) for name, value in values.items()})
        execute(test["check"], filename, namespace)
        return True, ""
    except CheckTimeout:
        return False, f"the check did not finish within {seconds:g} s (on the values your code returned)"
    except BaseException as error:                        # noqa: B036 - whatever the check raises
        return False, check_message(error, filename, test.get("hidden", True))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def main() -> None:
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)                                    # prints of the cells go nowhere
    sys.stdout = open(os.devnull, "w")
    signal.signal(signal.SIGALRM, on_alarm)
    base = {"__name__": "__main__", "__builtins__": builtins, "display": lambda *args, **kwargs: None}
    setup = json.loads(sys.stdin.readline())
    errors = []
    for number, source in enumerate(setup["setup"]):
        seed_everything(setup["seed"])
        try:
            execute(source, f"<set-up {number}>", base)
        except BaseException as error:                    # noqa: B036
            errors.append("".join(traceback.format_exception(type(error), error, error.__traceback__))[-2000:])
    replies.write(json.dumps({"errors": errors}) + "\n")
    replies.flush()
    for line in sys.stdin:
        request = json.loads(line)
        namespace = dict(base)
        results = [judge_test(test, namespace, setup["seed"], setup["cell_seconds"]) for test in request["tests"]]
        replies.write(json.dumps({"results": results}) + "\n")
        replies.flush()


class Judge:
    """The grader's handle on the judge process: Judge(setup sources, seed, cell_seconds);
    check(tests) -> [(passed, message)]; close(). One at a time (a lock); restarted if it dies."""

    def __init__(self, setup: list[str], seed: int = 0, cell_seconds: float = 120.0):
        self.setup, self.seed, self.cell_seconds = setup, seed, cell_seconds
        self.lock = threading.Lock()
        self.process = None
        self.folder = tempfile.TemporaryDirectory(prefix="gentut-judge-", ignore_cleanup_errors=True)

    def start(self) -> None:
        env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "CUDA_VISIBLE_DEVICES": "",
               "MPLBACKEND": "Agg", "TQDM_DISABLE": "1", "PYTHONHASHSEED": "0",
               "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parents[2]),
                                              os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
        self.process = subprocess.Popen([sys.executable, "-m", "gentut.grading.judge"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=self.folder.name,
                                        env=env, text=True, start_new_session=True)
        self.process.stdin.write(json.dumps({"setup": self.setup, "seed": self.seed,
                                             "cell_seconds": self.cell_seconds}) + "\n")
        self.process.stdin.flush()
        reply = self.process.stdout.readline()
        errors = json.loads(reply)["errors"] if reply else ["the judge did not start"]
        if errors:
            raise RuntimeError("the assignment's set-up failed in the grader's judge:\n" + "\n".join(errors))

    def check(self, tests: list[dict]) -> list[tuple[bool, str]]:
        """Judge one student's tests [{"index", "inputs", "check", "values", "hidden"}, ...]."""
        with self.lock:
            for attempt in range(2):
                if self.process is None or self.process.poll() is not None:
                    self.start()
                watchdog = threading.Timer(self.cell_seconds * (len(tests) + 1) + 30, self.process.kill)
                watchdog.start()
                try:
                    self.process.stdin.write(json.dumps({"tests": tests}) + "\n")
                    self.process.stdin.flush()
                    reply = self.process.stdout.readline()
                    if reply:
                        return [(bool(passed), str(message)) for passed, message in json.loads(reply)["results"]]
                except (OSError, ValueError):
                    pass
                finally:
                    watchdog.cancel()
                self.kill()
                time.sleep(0.1)
        return [(False, "the grader's judge failed on these values; ask your instructor")] * len(tests)

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def close(self) -> None:
        with self.lock:
            self.kill()
        self.folder.cleanup()


if __name__ == "__main__":
    main()

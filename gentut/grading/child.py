"""The process that runs one submission: `python -m gentut.grading.child REQUESTS REPLIES`, started by
gentut.grading.run, with a copy of gentut in which this assignment's references raise.

1. reads the job (one JSON line on the REQUESTS pipe): limits, what to protect, where to work;
2. sets up its process tree (gentut.grading.namespaces): namespaces and an init process where the
   system allows, else a launcher that reaps and kills whatever the submission leaves behind;
3. protects itself (gentut.grading.sandbox) before any student code, and says how, on REPLIES;
4. then, one request at a time, runs a cell the grader sends and replies with its outcome: for a
   test cell, the plain values (gentut.grading.plain) its probe assigned.

There is nothing to forge here: this process never sees a check, an expected value or a
reference, and never says whether a test passed. A cell arrives only after the previous one has
been answered, and every reply carries the number of the cell it answers.
"""

from __future__ import annotations

import builtins
import json
import linecache
import os
import random
import re
import shutil
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
    shown, and those of public tests and instructor cells; hidden tests show only the error."""
    if isinstance(error, CellTimeout):
        return f"stopped: still running after {job['cell_seconds']:g} s, the time limit of one cell"
    if isinstance(error, SystemExit):
        return f"the code called sys.exit({error.code!r}); grading went on with the next cell"
    if isinstance(error, MemoryError) or "can't allocate memory" in str(error):
        return f"{type(error).__name__}: out of memory (the limit is {job['memory_mb']} MB)"
    shown = ("<answer",) if cell["kind"] == "hidden" else ("<answer", cell_filename(cell))
    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if frame.filename.startswith(shown)]
    text = textwrap.dedent("".join(traceback.format_list(frames) + traceback.format_exception_only(type(error), error)))
    text = ADDRESS.sub("0x...", text.strip("\n").replace(os.getcwd(), "."))
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE] + " ... (cut)"


def seed_everything(seed: int) -> None:
    """Seed Python's, and NumPy's and torch's if the cells imported them (never imported here)."""
    random.seed(seed)
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed(seed)
    if "torch" in sys.modules:
        sys.modules["torch"].manual_seed(seed)


class Shell:
    """What a notebook's magics turn into (get_ipython().run_line_magic(...), .system(...)): they
    do nothing when grading, except that a cell magic such as %%time still runs its cell."""

    RUN_BODY = ("time", "timeit", "capture", "prun")

    def __init__(self, namespace: dict):
        self.namespace = namespace

    def run_line_magic(self, *args, **kwargs):
        return None

    def system(self, *args, **kwargs):
        return None

    def getoutput(self, *args, **kwargs):
        return []

    def run_cell_magic(self, name, line, body):
        if name in self.RUN_BODY:
            exec(compile(body, "<cell magic>", "exec"), self.namespace)


def execute(source: str, filename: str, namespace: dict, visible: bool) -> None:
    """exec `source` in `namespace`; its lines appear in tracebacks only if `visible`."""
    if visible:
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), namespace)


def run_cell(cell: dict, namespace: dict, job: dict) -> dict:
    """Execute one cell under the per-cell alarm -> the reply {"cell", "ok", "error", "values"}."""
    from gentut.grading.plain import TooLarge, to_plain

    filename, visible = cell_filename(cell), cell["kind"] != "hidden"
    signal.signal(signal.SIGALRM, on_alarm)          # again: a submission may have replaced it
    signal.setitimer(signal.ITIMER_REAL, job["cell_seconds"])
    reply = {"cell": cell["index"], "ok": True, "error": ""}
    try:
        try:
            if cell.get("inputs", "").strip():
                execute(cell["inputs"], filename, namespace, visible)
            execute(cell["source"], filename, namespace, visible)
            if "send_back" in cell:
                missing = object()
                values = {name: namespace.get(name, missing) for name in cell["send_back"]}
                reply["values"] = {name: to_plain(value) for name, value in values.items() if value is not missing}
        except TooLarge as error:
            reply.update(ok=False, error=f"the values to check are too large: {error}")
        except BaseException as error:               # noqa: B036 - SystemExit and timeouts too
            reply.update(ok=False, error=describe(error, cell, job))
    except BaseException as error:                   # raised while describing (a timeout, a bad __str__)
        reply.update(ok=False, error=describe(error, cell, job) if isinstance(error, CellTimeout)
                     else type(error).__name__)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return reply


class Channel:
    """JSON lines in from the grader and out to it, on two inherited pipe ends."""

    def __init__(self, requests: int, replies: int):
        self.requests = os.fdopen(requests, "rb", buffering=0)
        self.replies = replies

    def receive(self):
        line = b""
        while not line.endswith(b"\n"):
            chunk = self.requests.readline()
            if not chunk:
                return None
            line += chunk
        return json.loads(line)

    def send(self, message: dict) -> None:
        data = (json.dumps(message) + "\n").encode("utf-8")
        while data:
            data = data[os.write(self.replies, data):]


def prepare(job: dict) -> tuple[list[str], list[str]]:
    """Before any student code: the process tree and the working folder -> (descriptions of the
    namespaces and mounts, the namespaces' names). Returns in the runner only."""
    from gentut.grading import namespaces

    done: list[str] = []
    spaces = namespaces.enter() if job["sandbox"] else []
    if "pid" in spaces:
        done = [f"namespaces: {', '.join(spaces)} (the submission sees only its own processes and no network; "
                "all its processes end with it)"]
        done += namespaces.start_init(job["workdir"], job["stage"], job["disk_mb"], job["max_processes"])
    else:
        namespaces.start_reaper()
        done.append("no namespaces on this system: a subreaper kills what the submission leaves behind"
                    if job["sandbox"] else "a subreaper kills what the submission leaves behind")
    if not any(line.startswith("disk:") for line in done):
        shutil.copytree(job["stage"], job["workdir"], dirs_exist_ok=True)
    return done, spaces


def main() -> None:
    channel = Channel(int(sys.argv[1]), int(sys.argv[2]))
    job = channel.receive()
    sys.stdin = open(os.devnull)
    from gentut.grading import plain  # noqa: F401 - imported before the sandbox, like everything it needs
    from gentut.grading.sandbox import protect

    protections, spaces = prepare(job)
    os.chdir(job["workdir"])
    reads = job["reads"] + (["/proc"] if "private /proc" in protections else [])
    protections += protect(job["workdir"], reads, job["memory_mb"], job["output_mb"], job["max_processes"],
                           job["sandbox"], spaces)
    channel.send({"cell": -1, "protections": protections})
    namespace = {"__name__": "__main__", "__builtins__": builtins, "display": lambda *args, **kwargs: None}
    namespace["get_ipython"] = lambda: Shell(namespace)
    while True:
        cell = channel.receive()
        if cell is None or cell.get("op") == "end":
            break
        seed_everything(job["seed"])
        try:
            reply = run_cell(cell, namespace, job)
        except CellTimeout:                          # the alarm fired between the cell and its clean-up
            reply = {"cell": cell["index"], "ok": False, "error": describe(CellTimeout(), cell, job)}
        try:
            sys.stdout.flush()
        except BaseException:                        # noqa: B036 - the output may be over its size cap
            pass
        channel.send(reply)
    os._exit(0)                                      # skip whatever atexit handlers the cells registered


if __name__ == "__main__":
    main()

"""Attacks on the autograder, written as submissions (no gentut imports: the same files are graded
by today's grader and by older ones, to measure each attack before and after its defence).

Every submission answers the four questions of ASSIGNMENT below. Two kinds of attack:
* cheating: every answer is missing (NotImplementedError) or wrong, and the attack tries to earn
  points anyway; a score above 0 means the attack worked;
* reaching out (network, the grader's environment, other processes, memory, disk): the answers
  are right, and the submission changes one answer to a wrong one *only if the attack worked*,
  so the score tells whether it did (full marks: the attack failed).

`submissions(context)` returns {file name: text}; `context` holds what an attack needs to know
about the machine it runs on (ports and paths the test listens on, the real gentut folder, a
marker that tags processes the attack starts).
"""

from __future__ import annotations

ASSIGNMENT = '''# %% [markdown]
# # A tiny assignment

# %%
import math

import numpy as np

# %%
# ANSWER q1
def add(a, b):
    """a + b"""
    ### BEGIN SOLUTION
    return a + b
    ### END SOLUTION

# %%
# TEST q1 (1 point)
total = add(1, 2)
# --- check (runs in the grader) ---
assert total == 3, "add(1, 2) should be 3"

# %%
# HIDDEN TEST q1 (2 points)
pairs = [add(-1, 1), add(0.5, 0.25)]
# --- check (runs in the grader) ---
# SECRET-CHECK-q1: the source of a hidden check must never reach a student
assert np.allclose(pairs, [0, 0.75]), "add is wrong on other inputs"

# %%
# ANSWER q2
def square(x):
    ### BEGIN SOLUTION
    return x * x
    ### END SOLUTION

# %%
# TEST q2 (1 point)
nine = square(3)
# --- check (runs in the grader) ---
assert nine == 9

# %%
# HIDDEN TEST q2 (1 point)
four = square(-2)
# --- check (runs in the grader) ---
assert math.isclose(four, 4), "SECRET-MESSAGE-q2 is fine to show: it is the message"

# %%
# ANSWER q3
def mean(values):
    ### BEGIN SOLUTION
    return math.fsum(values) / len(values)
    ### END SOLUTION

# %%
# TEST q3 (1 point)
two = mean([1, 2, 3])
# --- check (runs in the grader) ---
assert two == 2

# %%
# HIDDEN TEST q3 (1.5 points)
tenth = mean([0.1] * 10)
# --- check (runs in the grader) ---
assert math.isclose(tenth, 0.1, rel_tol=1e-12)

# %%
# REFERENCES q4
from gentut.losses import wgan_critic_loss as reference_gap

# %%
# ANSWER q4
def critic_gap(real, fake):
    """mean(fake) - mean(real) of two arrays"""
    ### BEGIN SOLUTION
    return fake.mean() - real.mean()
    ### END SOLUTION

# %%
# TEST q4 (1 point)
gap = critic_gap(np.array([3.0, 5.0]), np.array([1.0]))
# --- check (runs in the grader) ---
assert math.isclose(float(gap), -3.0), "real scores average 4, fake 1: 1 - 4 = -3"

# %%
# HIDDEN TEST q4 (2 points)
real, fake = np.array([0.5, -1.0, 2.0]), np.array([1.5, 4.0])
# --- probe (calls your code) ---
gap = critic_gap(real, fake)
# --- check (runs in the grader) ---
assert math.isclose(float(gap), float(reference_gap(real, fake))), "wrong on other scores"
'''
FULL = {"q1": 3.0, "q2": 2.0, "q3": 2.5, "q4": 3.0}
CORRECT = {"q1": "def add(a, b):\n    return a + b",
           "q2": "def square(x):\n    return x * x",
           "q3": "import math\ndef mean(values):\n    return math.fsum(values) / len(values)",
           "q4": "def critic_gap(real, fake):\n    return fake.mean() - real.mean()"}
MISSING = {q: f"def {name}(*args):\n    raise NotImplementedError('write your code here')"
           for q, name in [("q1", "add"), ("q2", "square"), ("q3", "mean"), ("q4", "critic_gap")]}
WRONG_ADD = "\ndef add(a, b):\n    return a - b   # the attack worked: this answer is wrong on purpose\n"


def notebook(answers: dict[str, str], base: dict[str, str] = CORRECT) -> str:
    """A py:percent submission with these answer cells (the others from `base`)."""
    cells = [f"# ANSWER {q}\n{answers.get(q, base[q])}" for q in base]
    return "\n\n".join(f"# %%\n{cell}" for cell in cells) + "\n"


def if_it_worked(attack: str) -> str:
    """q1's cell: the right `add`, then `attack`, code that sets `worked`; if it did, `add` turns wrong."""
    return CORRECT["q1"] + "\nworked = False\n" + attack + "\nif worked:" + WRONG_ADD.replace("\n", "\n    ")


FORGE_FROM_FRAMES = '''
import gc, json, sys
frame = sys._getframe()
while frame is not None:                       # the grader's own frames, above the answer cell
    scope = frame.f_locals
    if "report" in scope and "job" in scope:   # today's child: report every test as passed
        for cell in scope["job"]["cells"]:
            if cell["kind"] in ("test", "hidden"):
                scope["report"]({"cell": cell["index"], "ok": True, "message": ""})
    for name, value in list(scope.items()):    # any other writer of results: say "passed" to it
        if callable(value) and any(word in name for word in ("report", "reply", "send", "write")):
            for index in range(40):
                for record in ({"cell": index, "ok": True, "passed": True, "message": ""},):
                    try:
                        value(record)
                    except Exception:
                        pass
    frame = frame.f_back
'''

LEAK_BY_RAISING = '''
import gc
def secrets():
    found = set()
    for obj in gc.get_objects():
        values = obj.values() if isinstance(obj, dict) else obj if isinstance(obj, (list, tuple)) else ()
        for value in values:
            if isinstance(value, str) and ("SECRET-CHECK" in value or "reference_gap" in value):
                found.add(value)
    return "\\n".join(sorted(found)) or "nothing found"
def add(a, b):
    raise RuntimeError("LEAKED:" + secrets())
raise RuntimeError("LEAKED:" + secrets())
'''

PEEK_REFERENCE = '''
import sys
def critic_gap(real, fake):
    frame = sys._getframe(1)
    while frame is not None:                   # a reference or an expected value in a caller's scope
        for scope in (frame.f_locals, frame.f_globals):
            if "reference_gap" in scope:
                return scope["reference_gap"](real, fake)
        frame = frame.f_back
    raise NotImplementedError("no reference in reach")
'''

MONKEYPATCH = '''
import math, builtins
import numpy
numpy.allclose = lambda *args, **kwargs: True
numpy.isclose = lambda *args, **kwargs: True
math.isclose = lambda *args, **kwargs: True
try:
    import torch
    torch.allclose = lambda *args, **kwargs: True
except ImportError:
    pass
def add(a, b):
    return 0
'''


def submissions(context: dict) -> dict[str, str]:
    """{file name: text} of every attack; context: udp_port, tcp_port, unix_socket, secret,
    real_gentut, marker, grader_marker."""
    marker, real = context["marker"], context["real_gentut"]
    cases = {
        # --- cheating: every answer missing or wrong ---
        "forge_from_frames.py": notebook({"q1": MISSING["q1"] + "\n" + FORGE_FROM_FRAMES}, MISSING),
        "leak_hidden_by_raising.py": notebook({"q1": LEAK_BY_RAISING}, MISSING),
        "import_reference.py": notebook({"q4": "from gentut.losses import wgan_critic_loss as critic_gap"}, MISSING),
        "import_reference_obfuscated.py": notebook({"q4": (
            "import importlib\n"
            "critic_gap = getattr(importlib.import_module('gentut.' + 'losses'), 'wgan_' + 'critic_loss')")}, MISSING),
        "read_reference_source.py": notebook({"q4": (
            "import types\n"
            f"source = open({real + '/losses.py'!r}).read()\n"
            "module = types.ModuleType('stolen')\n"
            "exec(compile(source, 'stolen', 'exec'), module.__dict__)\n"
            "critic_gap = module.wgan_critic_loss")}, MISSING),
        "import_reference_by_path.py": notebook({"q4": (
            "import sys\n"
            f"sys.path.insert(0, {real.rsplit('/', 1)[0]!r})\n"
            "for name in [n for n in sys.modules if n == 'gentut' or n.startswith('gentut.')]:\n"
            "    del sys.modules[name]\n"
            "from gentut.losses import wgan_critic_loss as critic_gap")}, MISSING),
        "peek_reference.py": notebook({"q4": PEEK_REFERENCE}, MISSING),
        "monkeypatch_allclose.py": notebook({"q1": MONKEYPATCH, "q2": "def square(x):\n    return 4.000001",
                                             "q3": "def mean(values):\n    return 0.1000000001",
                                             "q4": "def critic_gap(real, fake):\n    return -3.0000001"}, MISSING),
        # --- reaching out: right answers, `add` turns wrong if the attack worked ---
        "udp.py": notebook({"q1": if_it_worked(
            "import socket\n"
            "try:\n"
            "    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
            f"    s.sendto(b'{marker} udp', ('127.0.0.1', {context['udp_port']}))\n"
            "    worked = True\n"
            "except OSError:\n    pass")}),
        "tcp.py": notebook({"q1": if_it_worked(
            "import socket\n"
            "try:\n"
            f"    socket.create_connection(('127.0.0.1', {context['tcp_port']}), timeout=2).sendall(b'{marker} tcp')\n"
            "    worked = True\n"
            "except OSError:\n    pass")}),
        "unix_socket.py": notebook({"q1": if_it_worked(
            "import socket\n"
            "try:\n"
            "    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n"
            f"    s.connect({context['unix_socket']!r})\n"
            f"    s.sendall(b'{marker} unix')\n"
            "    worked = True\n"
            "except OSError:\n    pass")}),
        "other_sockets.py": notebook({"q1": if_it_worked(
            "import socket\n"
            "for family, kind in [('AF_NETLINK', 'SOCK_RAW'), ('AF_PACKET', 'SOCK_RAW'), ('AF_INET6', 'SOCK_DGRAM'),\n"
            "                     ('AF_INET', 'SOCK_RAW'), ('AF_UNIX', 'SOCK_DGRAM')]:\n"
            "    try:\n"
            "        socket.socket(getattr(socket, family), getattr(socket, kind))\n"
            "        worked = True\n"
            "    except (OSError, AttributeError):\n        pass")}),
        "reads_grader_environment.py": notebook({"q1": if_it_worked(
            "import os\n"
            "for pid in os.listdir('/proc'):\n"
            "    try:\n"
            f"        worked |= {context['secret']!r}.encode() in open(f'/proc/{{pid}}/environ', 'rb').read()\n"
            "    except (OSError, ValueError):\n        pass")}),
        "kills_grader.py": notebook({"q1": if_it_worked(
            "import os, signal\n"
            "for pid in os.listdir('/proc'):\n"
            "    try:\n"
            "        command = open(f'/proc/{pid}/cmdline', 'rb').read()\n"
            "    except (OSError, ValueError):\n        continue\n"
            f"    if b'gentut.grading' in command and {context['grader_marker']!r}.encode() in command and int(pid) != os.getpid():\n"
            "        try:\n"
            "            os.kill(int(pid), signal.SIGKILL)\n"
            "            worked = True\n"
            "        except OSError:\n            pass")}),
        "setsid_daemon.py": notebook({"q1": CORRECT["q1"] + (
            "\nimport subprocess, sys\n"
            f"code = 'import os, time\\nif os.fork() == 0:\\n    os.setsid()\\n    time.sleep(300)  # {marker}'\n"
            "subprocess.Popen([sys.executable, '-c', code], start_new_session=True)\n"
            f"subprocess.Popen(['sleep', '300'], start_new_session=True, env={{'TAG': {marker!r}}})\n")}),
        "fork_memory.py": notebook({"q3": CORRECT["q3"] + (
            "\nimport os, time\n"
            "children = []\n"
            "for _ in range(3):                      # three processes, each under the limit of one\n"
            "    pid = os.fork()\n"
            "    if pid == 0:\n"
            "        hoard = bytearray(400 << 20)\n"
            "        for i in range(0, len(hoard), 4096):\n"
            "            hoard[i] = 1\n"
            "        time.sleep(4)\n"
            "        os._exit(0)\n"
            "    children.append(pid)\n"
            "for pid in children:\n"
            "    os.waitpid(pid, 0)\n"
            "def mean(values):                       # got here: the hoard was allowed\n"
            "    return 42\n")}),
        "fills_disk.py": notebook({"q3": CORRECT["q3"] + (
            "\nwritten = 0\n"
            "try:\n"
            "    for i in range(80):                 # 80 files of 1 MB, each under the cap of one file\n"
            "        with open(f'fill{i}.bin', 'wb') as file:\n"
            "            file.write(b'x' * ((1 << 20) - 4096))\n"
            "        written += 1\n"
            "except OSError:\n"
            "    pass\n"
            "if written == 80:\n"
            "    def mean(values):                   # got here: 80 MB were written\n"
            "        return 42\n")}),
        "huge_answer.py": notebook({"q1": "def add(a, b):\n    return b'x' * (300 << 20)",
                                    "q2": "def square(x):\n    nested = []\n    for _ in range(100000):\n"
                                          "        nested = [nested]\n    return nested"}, MISSING),
        # --- honest code that graders get wrong ---
        "percent_continuation.py": notebook({"q2": "def square(x):\n    return (x * x\n% 1000003)",
                                             "q3": "%matplotlib inline\n!echo hello\n" + CORRECT["q3"]}),
    }
    return cases


ODD_NAMES = ["_underscore.py", "Upper.IPYNB", "x y.py", "x!y.py", "x_y.py"]


# --- the harness: grade every attack with a grader started as its own process ---------------

import contextlib
import csv
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path


@contextlib.contextmanager
def listeners(folder: Path):
    """Sockets the attacks try to reach: UDP and TCP on 127.0.0.1, a Unix socket in `folder`.
    Yields (context entries, a function returning the set of kinds that received anything)."""
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.bind(("127.0.0.1", 0))
    tcp.listen(8)
    path = str(folder / "listener.sock")
    unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    unix.bind(path)
    unix.listen(8)
    for s in (udp, tcp, unix):
        s.setblocking(False)

    def received() -> set[str]:
        got = set()
        with contextlib.suppress(OSError):
            udp.recv(100)
            got.add("udp")
        for name, server in (("tcp", tcp), ("unix", unix)):
            with contextlib.suppress(OSError):
                server.accept()
                got.add(name)
        return got

    try:
        yield {"udp_port": udp.getsockname()[1], "tcp_port": tcp.getsockname()[1], "unix_socket": path}, received
    finally:
        for s in (udp, tcp, unix):
            s.close()


def tagged_processes(marker: str) -> list[int]:
    """Processes whose command line or environment holds `marker` (daemons an attack left behind)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        if int(pid) == os.getpid():
            continue
        for what in ("cmdline", "environ"):
            with contextlib.suppress(OSError):
                if marker.encode() in Path(f"/proc/{pid}/{what}").read_bytes():
                    found.append(int(pid))
                    break
    return found


def honest(name: str) -> str:
    return notebook({})


def write_ipynb(path: Path, text: str) -> None:
    """A py:percent text as a minimal .ipynb (code cells only; enough for the grader)."""
    cells = [chunk.strip("\n") for chunk in text.split("# %%\n") if chunk.strip()]
    notebook_json = {"cells": [{"cell_type": "code", "execution_count": None, "id": f"c{i}", "metadata": {},
                                "outputs": [], "source": cell} for i, cell in enumerate(cells)],
                     "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
                     "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(notebook_json))


def grade_attacks(folder: Path, gentut_root: str, extra_args: list[str], real_gentut: str,
                  python: str = sys.executable, runs: int = 3, timeout: float = 1200,
                  only: set[str] | None = None) -> dict:
    """Write the assignment and every attack (plus honest students and odd file names) into
    `folder`, grade them with `python -m gentut.grading grade` (gentut from `gentut_root`), rerun
    up to `runs` times while the grader dies, and return what happened:
    {"scores": {student: {q: points, "total": t}}, "received": kinds, "daemons": pids found (and
    killed), "returncodes": [...], "out": grader output}. `only`: the attack files to include."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tiny.py").write_text(ASSIGNMENT)
    submitted = folder / "submitted"
    submitted.mkdir(exist_ok=True)
    marker = "gentut-redteam-" + secrets.token_hex(6)
    secret = "hush-" + secrets.token_hex(8)
    with listeners(folder) as (ports, received):
        context = {**ports, "secret": secret, "real_gentut": real_gentut, "marker": marker,
                   "grader_marker": submitted.name + "-" + marker}
        submitted = submitted.rename(folder / context["grader_marker"])
        for name, text in submissions(context).items():
            if only is None or name in only:
                (submitted / name).write_text(text)
        for name in ("aaa_honest.py", "zzz_honest.py", *ODD_NAMES):
            if name.lower().endswith(".ipynb"):
                write_ipynb(submitted / name, honest(name))
            else:
                (submitted / name).write_text(honest(name))
        (submitted / "notes.txt").write_text("not a notebook")
        env = {**os.environ, "PYTHONPATH": gentut_root, "GENTUT_REDTEAM_SECRET": secret,
               "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        command = [python, "-m", "gentut.grading", "grade", "--assignment", str(folder / "tiny.py"), str(submitted),
                   "--out", str(folder / "grades"), "--timeout", "120", "--cell-timeout", "20",
                   "--memory-mb", "768", "--output-mb", "1", *extra_args]
        returncodes, out = [], ""
        for _ in range(runs):
            done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
            returncodes.append(done.returncode)
            out += done.stdout + done.stderr
            if done.returncode == 0:
                break
        time.sleep(0.5)
        got = received()
    daemons = tagged_processes(marker)
    for pid in daemons:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    scores = {}
    if (folder / "grades" / "scores.csv").exists():
        with open(folder / "grades" / "scores.csv") as file:
            for row in csv.DictReader(file):
                student = row.pop("student")
                scores[student] = {k: float(v) for k, v in row.items() if v not in ("", None)}
    return {"scores": scores, "received": got, "daemons": daemons, "returncodes": returncodes, "out": out,
            "folder": folder}

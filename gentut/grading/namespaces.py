"""Linux namespaces for one submission, where the system lets the grader make them (as root, or
where unprivileged user namespaces are allowed; Ubuntu 24.04's AppArmor refuses them by default).

    launcher (outside)          the process the grader started; it unshares, then forks:
      `- init (pid 1 inside)    mounts a fresh /proc and a size-limited tmpfs on the working
           |                    folder, reaps orphans, and exits when the runner does
           `- runner            the student's code (gentut.grading.child)

* PID namespace: when init ends, or the launcher is killed (init dies with it), the kernel kills
  every process inside, whatever session or process group they made; inside, the grader and
  every other process on the machine are invisible, so they cannot be signalled, and /proc shows
  only the submission's own processes (no /proc/<grader>/environ).
* network namespace: no network interface but a loopback that is down.
* mount namespace: the fresh /proc, and a tmpfs of the disk budget over the working folder, so
  that writing more fails with "No space left on device".
* IPC namespace: no System V shared memory or message queues shared with the machine.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import sys

__all__ = ["enter", "start_init", "start_reaper", "kill_descendants"]

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REC, MS_PRIVATE = 2, 4, 8, 0x4000, 1 << 18
PR_SET_PDEATHSIG, PR_SET_CHILD_SUBREAPER = 1, 36
PID_MAX_MIN = 301                # the kernel's smallest pid_max (a budget of about 300 tasks)


def libc():
    return ctypes.CDLL(None, use_errno=True)


def write(path: str, text: str) -> None:
    with open(path, "w") as file:
        file.write(text)


def enter() -> list[str]:
    """Unshare PID, mount, network and IPC namespaces (with a user namespace when not root).
    Returns the names of those now in force ([] where the system refuses)."""
    if not sys.platform.startswith("linux"):
        return []
    lib = libc()
    flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC
    uid, gid = os.geteuid(), os.getegid()
    user = uid != 0
    if lib.unshare(flags | (CLONE_NEWUSER if user else 0)) != 0:
        return []
    if user:                                   # map ourselves to the same ids inside
        try:
            write("/proc/self/setgroups", "deny")
            write("/proc/self/uid_map", f"{uid} {uid} 1")
            write("/proc/self/gid_map", f"{gid} {gid} 1")
        except OSError:
            pass
    if lib.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None) != 0:
        return ["pid", "network", "ipc"] + (["user"] if user else [])
    return ["pid", "mount", "network", "ipc"] + (["user"] if user else [])


def mount_proc_and_disk(workdir: str, stage: str, disk_mb: int, max_tasks: int) -> list[str]:
    """In init (pid 1 of the new PID namespace): a /proc of this namespace, a tmpfs of `disk_mb`
    over `workdir` filled with the files staged in `stage`, and pid_max where the kernel keeps one
    per namespace (6.14+). Returns what worked."""
    lib, done = libc(), []
    if lib.mount(b"proc", b"/proc", b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None) == 0:
        done.append("private /proc")
    options = f"size={disk_mb}m,mode=0700,uid={os.getuid()},gid={os.getgid()}".encode()
    if lib.mount(b"tmpfs", workdir.encode(), b"tmpfs", MS_NOSUID | MS_NODEV, options) == 0:
        shutil.copytree(stage, workdir, dirs_exist_ok=True)
        done.append(f"disk: a {disk_mb} MB tmpfs")
    try:
        write("/proc/sys/kernel/pid_max", str(max(max_tasks + 1, PID_MAX_MIN)))
        done.append(f"at most {max(max_tasks + 1, PID_MAX_MIN) - 1} tasks (pid_max of the namespace)")
    except OSError:
        pass
    return done


def reap_until(runner: int) -> int:
    """Init's loop: reap every child (orphans are re-parented to init) until `runner` ends; its
    exit status as a shell would give it."""
    while True:
        try:
            pid, status = os.waitpid(-1, 0)
        except ChildProcessError:
            return 1
        except InterruptedError:
            continue
        if pid == runner:
            return os.waitstatus_to_exitcode(status) % 256


def start_init(workdir: str, stage: str, disk_mb: int, max_tasks: int) -> list[str]:
    """After enter(): fork init. In the launcher, wait for init and exit with its status (never
    returns). In init, mount, fork the runner and reap until it ends (never returns). Returns in
    the runner, which goes on to run the submission, with what init's mounts achieved."""
    init = os.fork()
    if init:                                                   # the launcher
        signal.signal(signal.SIGTERM, lambda *_: os._exit(1))
        while True:
            try:
                _, status = os.waitpid(init, 0)
                break
            except InterruptedError:
                continue
        os._exit(os.waitstatus_to_exitcode(status) % 256)
    libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # launcher killed -> init killed -> all killed
    done = mount_proc_and_disk(workdir, stage, disk_mb, max_tasks)
    runner = os.fork()
    if runner:                                                 # init: pid 1, runs no student code
        os._exit(reap_until(runner))
    return done


def children_of(pid: int) -> list[int]:
    """The direct children of a process (from /proc/PID/task/*/children, else by scanning /proc)."""
    kids: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as file:
                kids += [int(k) for k in file.read().split()]
        return kids
    except OSError:
        pass
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{entry}/stat") as file:
                if int(file.read().rsplit(")", 1)[1].split()[1]) == pid:
                    kids.append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    return kids


def kill_descendants(rounds: int = 200) -> None:
    """Kill this process's children again and again, reaping them, until none is left (as a
    child subreaper, their orphaned children come back to it in turn)."""
    for _ in range(rounds):
        kids = children_of(os.getpid())
        for kid in kids:
            try:
                os.kill(kid, signal.SIGKILL)
            except OSError:
                pass
        try:
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        except ChildProcessError:
            if not kids:
                return


def start_reaper() -> None:
    """Without a PID namespace: make this process (the launcher) a child subreaper, so that the
    submission's orphans, whatever session they made, come back to it; fork the runner; when the
    runner ends, kill everything left beneath and exit (never returns in the launcher)."""
    if sys.platform.startswith("linux"):
        libc().prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    runner = os.fork()
    if runner == 0:
        if sys.platform.startswith("linux"):
            libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        return
    signal.signal(signal.SIGTERM, lambda *_: (kill_descendants(), os._exit(1)))
    status = reap_until(runner)
    kill_descendants()
    os._exit(status)

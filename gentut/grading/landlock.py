"""Landlock (Linux >= 5.13): a process limits, for itself and its children, which files it may read
and write; unprivileged, and binding for root too.

The submission's process may read only an allow-list (the system's folders, Python's, each
installed package except gentut, the grading copy of gentut, the zoo's checkpoints) and write only
in its working folder. With ABI >= 4 it makes no TCP connections; with ABI >= 6 it sends no
signals and reaches no abstract Unix sockets outside itself. Files opened before (the pipes to
the grader, the captured output) stay usable.
"""

from __future__ import annotations

import ctypes
import os
import site
import sys
import sysconfig
from pathlib import Path

__all__ = ["landlock_abi", "allowed_reads", "restrict"]

# Landlock's system calls have these numbers on every architecture (include/uapi/asm-generic/unistd.h).
CREATE_RULESET, ADD_RULE, RESTRICT_SELF = 444, 445, 446
CREATE_RULESET_VERSION = 1
RULE_PATH_BENEATH = 1
PR_SET_NO_NEW_PRIVS = 38
EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
REFER, TRUNCATE = 1 << 13, 1 << 14          # ABI 2, ABI 3
BIND_TCP, CONNECT_TCP = 1 << 0, 1 << 1      # ABI 4
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1   # ABI 6
READ = EXECUTE | READ_FILE | READ_DIR
SYSTEM_ROOTS = ("/usr", "/lib", "/lib32", "/lib64", "/bin", "/sbin", "/etc", "/sys", "/dev")
PROC_FILES = ("/proc/cpuinfo", "/proc/meminfo", "/proc/stat", "/proc/filesystems", "/proc/sys/kernel",
              "/proc/sys/vm")


class RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def libc():
    return ctypes.CDLL(None, use_errno=True)


def landlock_abi() -> int:
    """The kernel's Landlock ABI version, or 0 where Landlock is missing or disabled."""
    if not sys.platform.startswith("linux"):        # the system call numbers above are Linux's
        return 0
    try:
        version = libc().syscall(CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(CREATE_RULESET_VERSION))
    except (OSError, AttributeError):
        return 0
    return max(int(version), 0)


def hidden_in(root: Path, hidden: list[Path]) -> list[Path]:
    """The folders and files beneath `root` to allow so that nothing in `hidden` is reachable:
    [root] if no hidden path lies inside it, else its entries, recursing towards the hidden ones."""
    inside = [h for h in hidden if h == root or root in h.parents]
    if not inside:
        return [root]
    if root in inside or not root.is_dir():
        return []
    allowed = []
    try:
        entries = sorted(root.iterdir())
    except OSError:
        return []
    for entry in entries:
        allowed += hidden_in(entry, hidden)
    return allowed


def allowed_reads(hidden: list[str | Path], extra: list[str | Path] = ()) -> list[str]:
    """Folders and files a submission may read: the system's, Python's and every installed
    package's, minus everything in `hidden` (gentut's real folder and its metadata), plus `extra`
    (the grading copy of gentut, the checkpoints)."""
    paths = sysconfig.get_paths()
    roots = [*SYSTEM_ROOTS, sys.prefix, sys.base_prefix, sys.exec_prefix, *site.getsitepackages(),
             site.getusersitepackages(), paths["stdlib"], paths["platstdlib"], paths["purelib"], paths["platlib"]]
    hidden = [Path(h).resolve() for h in hidden]
    allowed: set[str] = set()
    for root in {Path(r).resolve() for r in roots if r and Path(r).exists()}:
        allowed.update(str(p) for p in hidden_in(root, hidden))
    allowed.update(str(Path(p).resolve()) for p in extra if Path(p).exists())
    allowed.update(p for p in PROC_FILES if Path(p).exists())
    return sorted(allowed)


def filesystem_rights(abi: int) -> int:
    """Every filesystem right this ABI can restrict, except device ioctls."""
    rights = (1 << 13) - 1                       # EXECUTE .. MAKE_SYM (ABI 1)
    if abi >= 2:
        rights |= REFER
    if abi >= 3:
        rights |= TRUNCATE
    return rights


def add_path_rule(lib, ruleset: int, path: str, allowed: int) -> None:
    """Allow `allowed` beneath `path` (files get only the rights that apply to files)."""
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return                                   # a root that does not exist here: nothing to allow
    try:
        if not os.path.isdir(path):
            allowed &= EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE
        attr = PathBeneathAttr(allowed, fd)
        if lib.syscall(ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(RULE_PATH_BENEATH),
                       ctypes.byref(attr), ctypes.c_uint32(0)) != 0:
            raise OSError(ctypes.get_errno(), f"landlock_add_rule failed for {path}")
    finally:
        os.close(fd)


def restrict(workdir: str, reads: list[str]) -> str | None:
    """Restrict this process (and its future children): read `reads` (plus its own /proc entry),
    write only beneath `workdir` and /dev/null. Returns what is now enforced, or None (no Landlock)."""
    abi = landlock_abi()
    if abi < 1:
        return None
    lib = libc()
    rights = filesystem_rights(abi)
    attr = RulesetAttr(rights, BIND_TCP | CONNECT_TCP if abi >= 4 else 0,
                       SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if abi >= 6 else 0)
    size = ctypes.sizeof(ctypes.c_uint64) * (3 if abi >= 6 else 2 if abi >= 4 else 1)
    ruleset = lib.syscall(CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if ruleset < 0:
        raise OSError(ctypes.get_errno(), "Landlock refused the ruleset")
    try:
        for path in reads:
            add_path_rule(lib, ruleset, path, READ)
        add_path_rule(lib, ruleset, f"/proc/{os.getpid()}", READ)
        add_path_rule(lib, ruleset, workdir, rights)
        add_path_rule(lib, ruleset, os.devnull, READ_FILE | WRITE_FILE | TRUNCATE)
        if lib.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 or lib.syscall(RESTRICT_SELF, ctypes.c_int(ruleset),
                                                                          ctypes.c_uint32(0)) != 0:
            raise OSError(ctypes.get_errno(), "Landlock could not be applied")
    finally:
        os.close(ruleset)
    extras = (["no TCP"] if abi >= 4 else []) + (["no signals or abstract sockets outside"] if abi >= 6 else [])
    return (f"Landlock ABI {abi}: reads only system, Python and package folders (not gentut's own), "
            "writes only in its working folder" + "".join(f", {extra}" for extra in extras))

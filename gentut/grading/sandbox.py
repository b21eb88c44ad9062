"""Guards a submission's process puts on itself before it runs any student code.

* Resource limits (setrlimit): address space (memory), size of any file it writes (so endless
  printing stops at a cap), no core dumps.
* Landlock (Linux >= 5.13, unprivileged, works for root too), where the kernel offers it:
  reading only from the system, Python and gentut folders; writing only inside the working
  folder; no TCP connections (ABI >= 4); no signals to processes outside the sandbox, so a
  submission cannot kill the grader (ABI >= 6). Files opened before the restriction (the
  results file, the captured output) stay usable.

This guards against accidents and naive cheating, not against a determined attacker (the code
still runs as the grader's user, in the grader's kernel): for that, run the grader in a
container. `restrict_filesystem` reports what it managed, and the grader prints it.
"""

from __future__ import annotations

import ctypes
import os
import resource
import sys

__all__ = ["apply_limits", "landlock_abi", "restrict_filesystem"]

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


class RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def apply_limits(memory_mb: int, output_mb: int) -> list[str]:
    """Cap this process's address space at memory_mb and every file it writes at output_mb; no core
    files. Returns the names of the limits this system refused (macOS, for one, refuses RLIMIT_AS)."""
    refused = []
    for name, value in [("RLIMIT_AS", memory_mb << 20), ("RLIMIT_FSIZE", output_mb << 20), ("RLIMIT_CORE", 0)]:
        try:
            resource.setrlimit(getattr(resource, name), (value, value))
        except (ValueError, OSError, AttributeError):
            refused.append(name)
    return refused


def libc():
    return ctypes.CDLL(None, use_errno=True)


def landlock_abi() -> int:
    """The kernel's Landlock ABI version, or 0 where Landlock is missing or disabled."""
    if not sys.platform.startswith("linux"):        # the system call numbers below are Linux's
        return 0
    try:
        version = libc().syscall(CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(CREATE_RULESET_VERSION))
    except (OSError, AttributeError):
        return 0
    return max(int(version), 0)


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


def restrict_filesystem(workdir: str, read_roots: list[str]) -> str:
    """Restrict this process (and its future children) with Landlock; say what was done.

    Reads are allowed beneath read_roots and workdir, writes beneath workdir (and to /dev/null)."""
    abi = landlock_abi()
    if abi < 1:
        return "no Landlock in this kernel: writes and reads outside the working folder are not blocked"
    lib = libc()
    rights = filesystem_rights(abi)
    attr = RulesetAttr(rights, BIND_TCP | CONNECT_TCP if abi >= 4 else 0,
                       SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if abi >= 6 else 0)
    size = ctypes.sizeof(ctypes.c_uint64) * (3 if abi >= 6 else 2 if abi >= 4 else 1)
    ruleset = lib.syscall(CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if ruleset < 0:
        return f"Landlock refused the ruleset ({os.strerror(ctypes.get_errno())}): no file guard"
    try:
        for root in read_roots:
            add_path_rule(lib, ruleset, root, READ)
        add_path_rule(lib, ruleset, workdir, rights)
        add_path_rule(lib, ruleset, os.devnull, READ_FILE | WRITE_FILE | TRUNCATE)
        if lib.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 or lib.syscall(RESTRICT_SELF, ctypes.c_int(ruleset),
                                                                          ctypes.c_uint32(0)) != 0:
            return f"Landlock could not be applied ({os.strerror(ctypes.get_errno())}): no file guard"
    finally:
        os.close(ruleset)
    extras = (["no TCP"] if abi >= 4 else []) + (["no signals outside"] if abi >= 6 else [])
    return f"Landlock ABI {abi}: writes only in the working folder, reads only system/Python/gentut folders" + \
        "".join(f", {extra}" for extra in extras)

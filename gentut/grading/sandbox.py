"""The protections the submission's process puts on itself before it runs any student code.

    protect(...)   resource limits, then capabilities dropped (when running as root), Landlock
                   (gentut.grading.landlock) and the seccomp filter (gentut.grading.seccomp);
                   returns one line per protection in force, which the grader reports

Resource limits (setrlimit) bind one process each: address space (memory), the size of any file
it writes (so endless printing stops at a cap), no core dumps, and the number of processes where
the kernel counts them for this submission alone (a user namespace) or for a non-root user. The
budget of the whole submission (all its processes together) is kept by the grader: a cgroup
where one can be made (gentut.grading.cgroups), else its monitor (gentut.grading.monitor).
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import resource
import sys
from pathlib import Path

from gentut.grading import landlock, seccomp

__all__ = ["apply_limits", "drop_capabilities", "protect", "user_processes"]

PR_CAPBSET_DROP, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 24, 47, 4
CAPABILITY_VERSION_3 = 0x20080522


class CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def user_processes() -> int:
    """How many processes this user runs now (RLIMIT_NPROC counts them all)."""
    uid, count = os.getuid(), 0
    for entry in filter(str.isdigit, os.listdir("/proc")) if os.path.isdir("/proc") else []:
        try:
            count += os.stat(f"/proc/{entry}").st_uid == uid
        except OSError:
            continue
    return count


def cuda_library_mb() -> int:
    """Megabytes of CUDA libraries that `import torch` maps: for a CUDA build of torch, its
    libtorch_cuda* and the nvidia/*/lib packages beside it; 0 for a CPU build or without torch.
    Found without importing torch.

    Mapped libraries take address space but, until their code runs, no memory. A CUDA build maps
    them even on a machine without a GPU: measured here, torch 2.3.0+cu121 fails to import under
    an address-space limit of 2 GB and imports under 4 GB, where a CPU build needs well under 768 MB."""
    spec = importlib.util.find_spec("torch")
    if spec is None or not spec.origin:
        return 0
    torch_dir = Path(spec.origin).parent
    files = [*(torch_dir / "lib").glob("*cuda*.so*"), *(torch_dir.parent / "nvidia").glob("*/lib/*.so*")]
    return sum(f.stat().st_size for f in files if f.is_file()) >> 20


def apply_limits(memory_mb: int, output_mb: int, processes: int | None) -> tuple[list[str], list[str]]:
    """Cap this process's address space at memory_mb plus what a CUDA build of torch maps
    (`cuda_library_mb`), every file it writes at output_mb, no core files, and (when given) the
    number of processes. Returns (done, refused) descriptions. The memory actually used, all
    processes together, is kept to memory_mb by the grader's cgroup or monitor."""
    done, refused = [], []
    libraries = cuda_library_mb()
    space = f"address space {memory_mb} MB per process" + (f" (+ {libraries} MB for CUDA's libraries)" if libraries else "")
    wanted = [("RLIMIT_AS", (memory_mb + libraries) << 20, space),
              ("RLIMIT_FSIZE", output_mb << 20, f"files and printed output {output_mb} MB each"),
              ("RLIMIT_CORE", 0, "no core files")]
    if processes is not None:
        wanted.append(("RLIMIT_NPROC", processes, f"at most {processes} processes of this user"))
    for name, value, description in wanted:
        try:
            resource.setrlimit(getattr(resource, name), (value, value))
            done.append(description)
        except (ValueError, OSError, AttributeError):
            refused.append(name)
    return done, refused


def drop_capabilities() -> str | None:
    """As root: drop every capability (bounding, ambient, effective, permitted, inheritable), so
    that the submission cannot raise its limits, read other users' files or trace processes."""
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        return None
    lib = ctypes.CDLL(None, use_errno=True)
    for capability in range(64):
        lib.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0)      # fails past the last one: fine
    lib.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    data = (CapData * 2)()
    if lib.capset(ctypes.byref(CapHeader(CAPABILITY_VERSION_3, 0)), data) != 0:
        raise OSError(ctypes.get_errno(), "capset failed")
    return "root's capabilities dropped (it cannot raise its limits or bypass file permissions)"


def protect(workdir: str, reads: list[str], memory_mb: int, output_mb: int, max_processes: int,
            sandbox: bool, namespaces: list[str]) -> list[str]:
    """Apply the limits and, with `sandbox`, the OS protections; one line per protection in force
    (and per one that failed)."""
    processes = None
    if os.getuid() != 0:                        # RLIMIT_NPROC never binds root
        processes = max_processes + (0 if "user" in namespaces else user_processes())
    done, refused = apply_limits(memory_mb, output_mb, processes)
    lines = ["limits per process: " + ", ".join(done)]
    if refused:
        lines.append(f"limits this system refused: {', '.join(refused)}")
    if not sandbox:
        return lines + ["OS sandbox switched off (--no-sandbox): no namespaces, Landlock, seccomp or cgroup"]
    for step in (drop_capabilities, lambda: landlock.restrict(workdir, reads), seccomp.install):
        try:
            result = step()
        except OSError as error:
            result = f"failed: {error}"
        if result:
            lines.append(result)
    if not any(line.startswith("Landlock") for line in lines):
        lines.append("no Landlock in this kernel: files outside the working folder are not protected")
    if not any(line.startswith("seccomp") for line in lines):
        lines.append("no seccomp filter on this system: sockets are not blocked by it")
    return lines

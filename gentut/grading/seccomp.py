"""A seccomp filter: system calls the submission's process (and its children) may not make.

* socket(): refused for every address family (IPv4 and IPv6 with TCP and UDP, raw and packet
  sockets, netlink, Unix sockets, ...): no network of any kind. socketpair() stays allowed (two
  connected ends inside the process, which asyncio and multiprocessing use).
* io_uring (which can open sockets by itself), ptrace and process_vm_readv/writev (reading
  another process's memory).
* system calls of another ABI (x86's 32-bit int 0x80, x32): the filter checks the architecture.

Unprivileged (it needs only no_new_privs), on Linux x86-64 and arm64; elsewhere it reports that
it is missing and the grader says so.
"""

from __future__ import annotations

import ctypes
import errno
import platform
import sys

__all__ = ["supported", "install"]

PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
LD_W_ABS, JEQ_K, JGE_K, RET_K = 0x20, 0x15, 0x35, 0x06      # BPF: load word, jump if ==, jump if >=, return
RET_ALLOW, RET_ERRNO = 0x7FFF0000, 0x00050000
NR_OFFSET, ARCH_OFFSET = 0, 4                                # offsets in struct seccomp_data
X32_BIT = 0x40000000

# (audit arch, {name: system call number}) for each architecture the filter knows
ARCHITECTURES = {
    "x86_64": (0xC000003E, {"socket": 41, "ptrace": 101, "process_vm_readv": 310, "process_vm_writev": 311,
                            "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427}),
    "aarch64": (0xC00000B7, {"socket": 198, "ptrace": 117, "process_vm_readv": 270, "process_vm_writev": 271,
                             "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427}),
}


class SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32)]


class SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_uint16), ("filter", ctypes.POINTER(SockFilter))]


def supported() -> bool:
    """Whether this machine is one the filter is written for."""
    return sys.platform.startswith("linux") and platform.machine() in ARCHITECTURES


def program(arch: int, numbers: list[int]) -> list[tuple[int, int, int, int]]:
    """The BPF program: another ABI -> EPERM; a listed call -> EACCES; anything else allowed."""
    denied = len(numbers) + 1                          # jump distance from the x32 test to "deny"
    code = [(LD_W_ABS, 0, 0, ARCH_OFFSET),
            (JEQ_K, 1, 0, arch),
            (RET_K, 0, 0, RET_ERRNO | errno.EPERM),
            (LD_W_ABS, 0, 0, NR_OFFSET),
            (JGE_K, denied, 0, X32_BIT)]
    for i, number in enumerate(numbers):
        code.append((JEQ_K, len(numbers) - i, 0, number))
    return code + [(RET_K, 0, 0, RET_ALLOW), (RET_K, 0, 0, RET_ERRNO | errno.EACCES)]


def install() -> str | None:
    """Install the filter on this process (inherited by its children); what it blocks, or None."""
    if not supported():
        return None
    arch, calls = ARCHITECTURES[platform.machine()]
    code = program(arch, sorted(calls.values()))
    filters = (SockFilter * len(code))(*[SockFilter(*instruction) for instruction in code])
    prog = SockFprog(len(code), filters)
    lib = ctypes.CDLL(None, use_errno=True)
    if lib.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 or \
            lib.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "the seccomp filter could not be installed")
    return "seccomp: no sockets of any family, no io_uring, no ptrace or reading other processes' memory"

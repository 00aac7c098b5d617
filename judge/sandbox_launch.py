"""The privileged first step of every run: cgroups, rlimits, then (for learner code) drop to an
unprivileged uid and start bubblewrap under a seccomp filter.

Runs as ``python -I -S sandbox_launch.py SPEC_JSON`` between the judge and the worker, so it
imports only the standard library. In order:

1. join the run's cgroups (while still root: the groups are root's, the sandbox cannot touch them);
2. set rlimits (no core dumps, file size, a CPU backstop, an address-space cap without cgroups);
3. when the judge is root: enter a private mount namespace and bind every path the sandbox needs
   (the Python install may live under ``/root``, mode 0700) into a fresh ``0755`` staging tmpfs,
   so the unprivileged bubblewrap can reach them; nothing of this is visible on the host;
4. drop to the sandbox uid/gid (no supplementary groups, no capabilities, ``no_new_privs``);
5. build a seccomp filter with libseccomp (refusing ``mount``, ``unshare``, ``setns``,
   ``ptrace``, ``bpf``, namespace flags to ``clone``, ...) and hand it to bubblewrap;
6. ``exec`` bubblewrap (or, for trusted runs, the worker itself).

Any failure here is the judge's, never the learner's: the launcher prints one line starting
with ``judge-launch:`` on stderr and exits before any learner code exists.

Example (what the runner does; a spec is plain JSON):
    >>> spec = {"cgroup_procs": [], "rlimits": {"core": 0}, "command": ["true"]}
    >>> sorted(spec)
    ['cgroup_procs', 'command', 'rlimits']
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import json
import os
import resource
import sys
from typing import Any

# Flags and numbers from <sched.h>, <sys/mount.h>, <linux/prctl.h> and <seccomp.h>.
CLONE_NEWNS = 0x00020000
CLONE_NEWCGROUP = 0x02000000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
NAMESPACE_FLAGS = (CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET)
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 2, 4, 32, 4096, 16384, 1 << 18
PR_SET_NO_NEW_PRIVS = 38
SCMP_ACT_ALLOW = 0x7FFF0000
SCMP_CMP_MASKED_EQ = 7

# What a grading never needs. Refused with EPERM (a clean Python error, not a kill), so a
# submission that probes them gets a verdict like any other failing call.
DENIED_SYSCALLS = (
    # filesystems and namespaces
    "mount", "umount2", "pivot_root", "chroot", "unshare", "setns", "open_tree", "move_mount",
    "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr", "open_by_handle_at",
    "name_to_handle_at", "quotactl", "quotactl_fd", "swapon", "swapoff", "acct", "fanotify_init",
    # other processes and the kernel
    "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd", "kcmp", "keyctl", "add_key",
    "request_key", "bpf", "perf_event_open", "userfaultfd", "io_uring_setup", "io_uring_enter",
    "io_uring_register", "init_module", "finit_module", "delete_module", "kexec_load",
    "kexec_file_load", "reboot", "syslog", "iopl", "ioperm", "uselib", "vhangup", "lookup_dcookie",
    "personality", "nfsservctl", "_sysctl",
    # the clock and the host's name
    "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "sethostname", "setdomainname",
    # the host's page cache: which pages of a shared file are cached is state that outlives a run
    # (a message from one grading to a later one), and evicting them slows every grading
    "mincore", "cachestat", "readahead", "fadvise64", "fadvise64_64", "arm_fadvise64_64",
)
# preadv2/pwritev2 with RWF_NOWAIT say whether a page is cached without reading the disk.
RWF_NOWAIT = 0x00000008
# Address families that stay inside the network namespace; any other (netlink, packet, vsock,
# which reaches the hypervisor whatever the namespace, ...) is refused.
ALLOWED_FAMILIES = (1, 2, 10)  # AF_UNIX, AF_INET, AF_INET6
SCMP_CMP_EQ, SCMP_CMP_GT = 4, 6


class LaunchError(Exception):
    """Setting up the run failed: a fault of the judge or the machine."""


class _ArgCmp(ctypes.Structure):
    _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int), ("datum_a", ctypes.c_uint64), ("datum_b", ctypes.c_uint64)]


def _errno_action(code: int) -> int:
    return 0x00050000 | (code & 0xFFFF)


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        code = ctypes.get_errno()
        raise LaunchError(f"{what}: {os.strerror(code) if code else result}")


def join_cgroups(procs_files: list[str]) -> None:
    """Move this process (and so everything it starts) into each cgroup."""
    for path in procs_files:
        try:
            with open(path, "w") as handle:
                handle.write(str(os.getpid()))
        except OSError as exc:
            raise LaunchError(f"cannot join cgroup {path}: {exc.strerror}") from None


def set_rlimits(limits: dict[str, int]) -> None:
    names = {"core": resource.RLIMIT_CORE, "fsize": resource.RLIMIT_FSIZE, "cpu": resource.RLIMIT_CPU, "as": resource.RLIMIT_AS}
    for key, value in limits.items():
        resource.setrlimit(names[key], (value, value))


def stage_binds(stage: str, binds: list[list[str]]) -> dict[str, str]:
    """In a private mount namespace, bind each source under ``stage``; returns source -> staged path."""
    libc = _libc()
    libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
    _check(libc.unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)")
    # Private propagation first: no mount made below may ever appear in the host's namespace.
    _check(libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None), "making / private")
    _check(libc.mount(b"judge-stage", stage.encode(), b"tmpfs", MS_NOSUID | MS_NODEV, b"mode=0755"), f"tmpfs on {stage}")
    staged: dict[str, str] = {}
    for number, (source, *rest) in enumerate(binds):
        target = os.path.join(stage, str(number))
        if rest[1:] == ["copy"]:
            # A private, world-readable copy: the sandbox uid can read it whatever the original's
            # mode, and it cannot change under the run.
            with open(source, "rb") as original:
                data = original.read()
            fd = os.open(target, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o444)
            with os.fdopen(fd, "wb") as copy:
                copy.write(data)
            staged[source] = target
            continue
        if os.path.isdir(source):
            os.mkdir(target, 0o755)
        else:
            os.close(os.open(target, os.O_CREAT | os.O_WRONLY, 0o644))
        _check(libc.mount(source.encode(), target.encode(), None, MS_BIND | MS_REC, None), f"binding {source}")
        flags = MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV
        _check(libc.mount(None, target.encode(), None, flags, None), f"read-only {source}")
        staged[source] = target
    return staged


def drop_privileges(uid: int, gid: int) -> None:
    """Become ``uid``/``gid`` for good: no supplementary groups, no way back, no capabilities."""
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    if os.getuid() != uid or os.geteuid() != uid or os.getegid() != gid:
        raise LaunchError("could not drop privileges")
    try:
        os.setuid(0)
    except PermissionError:
        pass
    else:
        raise LaunchError("privileges came back after dropping them")


def seccomp_filter_fd() -> int:
    """A memfd holding the BPF program bubblewrap installs with ``--seccomp``."""
    name = ctypes.util.find_library("seccomp") or "libseccomp.so.2"
    try:
        lib = ctypes.CDLL(name, use_errno=True)
    except OSError:
        raise LaunchError("libseccomp is not installed (Debian: apt-get install libseccomp2)") from None
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = [ctypes.c_uint32]
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    lib.seccomp_rule_add_array.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint, ctypes.POINTER(_ArgCmp)]
    lib.seccomp_export_bpf.argtypes = [ctypes.c_void_p, ctypes.c_int]
    lib.seccomp_release.argtypes = [ctypes.c_void_p]
    ctx = lib.seccomp_init(SCMP_ACT_ALLOW)
    if not ctx:
        raise LaunchError("seccomp_init failed")
    try:
        deny = _errno_action(errno.EPERM)
        for syscall in DENIED_SYSCALLS:
            number = lib.seccomp_syscall_resolve_name(syscall.encode())
            if number < 0:  # not on this architecture
                continue
            _check(-lib.seccomp_rule_add_array(ctx, deny, number, 0, None), f"seccomp rule for {syscall}")
        # New namespaces through clone(2): refuse each flag (the mask test needs one rule a flag).
        clone = lib.seccomp_syscall_resolve_name(b"clone")
        for flag in NAMESPACE_FLAGS:
            cmp = (_ArgCmp * 1)(_ArgCmp(0, SCMP_CMP_MASKED_EQ, flag, flag))
            _check(-lib.seccomp_rule_add_array(ctx, deny, clone, 1, cmp), "seccomp rule for clone")
        for name in ("preadv2", "pwritev2"):
            number = lib.seccomp_syscall_resolve_name(name.encode())
            if number >= 0:
                cmp = (_ArgCmp * 1)(_ArgCmp(5, SCMP_CMP_MASKED_EQ, RWF_NOWAIT, RWF_NOWAIT))
                _check(-lib.seccomp_rule_add_array(ctx, deny, number, 1, cmp), f"seccomp rule for {name}")
        for name in ("socket", "socketpair"):
            number = lib.seccomp_syscall_resolve_name(name.encode())
            refused = [f for f in range(max(ALLOWED_FAMILIES)) if f not in ALLOWED_FAMILIES]
            for family in refused:
                cmp = (_ArgCmp * 1)(_ArgCmp(0, SCMP_CMP_EQ, family, 0))
                _check(-lib.seccomp_rule_add_array(ctx, _errno_action(errno.EAFNOSUPPORT), number, 1, cmp), f"seccomp rule for {name}")
            cmp = (_ArgCmp * 1)(_ArgCmp(0, SCMP_CMP_GT, max(ALLOWED_FAMILIES), 0))
            _check(-lib.seccomp_rule_add_array(ctx, _errno_action(errno.EAFNOSUPPORT), number, 1, cmp), f"seccomp rule for {name}")
        # clone3 passes its flags in memory a filter cannot read: say "not implemented", and
        # glibc falls back to clone(2), which the rules above inspect.
        clone3 = lib.seccomp_syscall_resolve_name(b"clone3")
        if clone3 >= 0:
            _check(-lib.seccomp_rule_add_array(ctx, _errno_action(errno.ENOSYS), clone3, 0, None), "seccomp rule for clone3")
        fd = os.memfd_create("judge-seccomp", 0)
        _check(-lib.seccomp_export_bpf(ctx, fd), "exporting the seccomp filter")
        os.lseek(fd, 0, os.SEEK_SET)
        os.set_inheritable(fd, True)
        return fd
    finally:
        lib.seccomp_release(ctx)


def launch(spec: dict[str, Any]) -> None:
    """Do every step the spec asks for, then exec its command (never returns on success)."""
    join_cgroups(list(spec.get("cgroup_procs", [])))
    set_rlimits({str(k): int(v) for k, v in spec.get("rlimits", {}).items()})
    command = [str(a) for a in spec["command"]]
    sandbox = spec.get("sandbox")
    if sandbox:
        binds: list[list[str]] = sandbox["binds"]
        staged = stage_binds(sandbox["stage"], binds) if sandbox.get("stage") else {}
        if sandbox.get("uid") is not None:
            drop_privileges(int(sandbox["uid"]), int(sandbox["gid"]))
        libc = _libc()
        _check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)")
        argv = [sandbox["bwrap"]] + list(sandbox["args"])
        for source, dest, *_ in binds:
            argv += ["--ro-bind", staged.get(source, source), dest]
        argv += list(sandbox.get("late_args", []))
        if sandbox.get("seccomp", True):
            argv += ["--seccomp", str(seccomp_filter_fd())]
        command = argv + ["--"] + command
    os.execvp(command[0], command)


def main(argv: list[str]) -> int:
    try:
        launch(json.loads(argv[1]))
    except (LaunchError, OSError, ValueError, KeyError, IndexError) as exc:
        sys.stderr.write(f"judge-launch: {exc}\n")
        sys.stderr.flush()
        return 125
    return 125  # pragma: no cover - execvp does not return


if __name__ == "__main__":
    sys.exit(main(sys.argv))

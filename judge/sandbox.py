"""How a worker is isolated and limited: an unprivileged uid, bubblewrap namespaces, seccomp,
cgroup v1 limits, rlimits.

:func:`SandboxPolicy.prepare` turns a worker command line into one that starts with
:mod:`judge.sandbox_launch` (cgroups and rlimits while still privileged, then the drop to
``sandbox_uid``, then bubblewrap under a seccomp filter), and returns a :class:`Sandbox` handle
the runner uses to kill everything and to read what happened (memory peak, OOM kills).

Learner code, defence in depth, each layer tested on its own (tests/test_sandbox_layers.py):
it runs as an unprivileged host uid (never host root, even when the judge is root); it cannot
create user namespaces (bwrap ``--disable-userns``) or any namespace at all (seccomp); it has no
capabilities; ``mount``, ``unshare``, ``setns``, ``ptrace``, ``bpf``, ``keyctl``,
``perf_event_open``, module and reboot calls fail with EPERM; ``/proc/sys`` is read-only and
``/sys/fs/cgroup`` is an empty tmpfs. It sees only read-only system libraries and the Python
environment, the judge's worker code, its one solution file, a read-only JAX compilation cache,
a fresh ``/proc`` and ``/dev``, and a small private ``/tmp``; no network, an empty environment.

Example:
    >>> policy = SandboxPolicy(isolate=False)
    >>> sandbox = policy.prepare(["python", "{solution}"], limits=Limits(), solution=Path("a.py"))
    >>> sandbox.argv[1:3], sandbox.isolated
    (['-I', '-S'], False)
    >>> sandbox.close()
"""

from __future__ import annotations

import functools
import itertools
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .config import Limits
from .errors import SandboxUnavailable

log = logging.getLogger(__name__)

JUDGE_PACKAGE_DIR = Path(__file__).resolve().parent
SANDBOX_JUDGE_ROOT = "/opt/judge"
SANDBOX_SOLUTION_DIR = "/submission"
SOURCE_TMPFS_BYTES = 16 * 2**20  # /submission, where a sandboxed worker writes the source it is sent
CGROUP_ROOT = Path("/sys/fs/cgroup")
INSTALL_HINT = "install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap)"
_counter = itertools.count()

LAUNCHER = JUDGE_PACKAGE_DIR / "sandbox_launch.py"
LAUNCH_FAILED_PREFIX = "judge-launch:"
DEFAULT_SANDBOX_UID = 65534  # "nobody"


def _launcher_argv(spec: Mapping[str, object]) -> list[str]:
    # -I -S: the launcher runs privileged; it must not read the environment or site-packages.
    return [os.path.abspath(sys.executable), "-I", "-S", str(LAUNCHER), json.dumps(spec, allow_nan=False)]


def _drop_to(uid: int) -> tuple[int, int] | None:
    """The (uid, gid) to become before starting bubblewrap: only when we are root."""
    return (uid, uid) if os.geteuid() == 0 else None


@functools.cache
def bwrap_usable(uid: int = DEFAULT_SANDBOX_UID) -> tuple[bool, str]:
    """Whether bubblewrap exists and can build the whole sandbox here, as the sandbox uid (checked once)."""
    path = shutil.which("bwrap")
    if path is None:
        return False, f"bubblewrap (bwrap) is not installed; {INSTALL_HINT}"
    drop = _drop_to(uid)
    spec = {
        "rlimits": {},
        "sandbox": {
            "bwrap": path,
            "args": _isolation_args() + ["--ro-bind", "/", "/", "--proc", "/proc"],
            "binds": [],
            "uid": drop[0] if drop else None,
            "gid": drop[1] if drop else None,
        },
        "command": ["true"],
    }
    try:
        probe = subprocess.run(_launcher_argv(spec), capture_output=True, timeout=30, cwd="/")
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"bubblewrap failed to start: {exc}"
    if probe.returncode != 0:
        reason = probe.stderr.decode(errors="replace").strip().splitlines()
        said = reason[-1] if reason else f"exit status {probe.returncode}"
        who = f"uid {uid}" if drop else "this user"
        return False, (
            f"bubblewrap cannot build the sandbox as {who}: {said} "
            "(it needs unprivileged user namespaces: sysctl kernel.unprivileged_userns_clone=1 / "
            "user.max_user_namespaces > 0, and libseccomp2)"
        )
    return True, path


def _isolation_args() -> list[str]:
    """The namespace, identity and privilege flags every sandbox gets."""
    return [
        "--unshare-all",  # ipc, pid, net, uts, cgroup namespaces
        "--unshare-user",  # always a user namespace, so that it can be locked down below
        "--disable-userns",  # ...and no nested one: no way to become "root" of a new namespace
        "--cap-drop", "ALL",
        "--uid", "65534", "--gid", "65534",
        "--die-with-parent",
        "--new-session",
        "--clearenv",
        "--hostname", "sandbox",
    ]


def _own_cgroup_dir(controller: str) -> Path | None:
    """Our cgroup v1 directory for ``controller`` if it exists and we may create children in it."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, rel = line.split(":", 2)
        if controller in controllers.split(","):
            candidate = CGROUP_ROOT / controller / rel.lstrip("/")
            if not candidate.is_dir():  # mounted at the cgroup's own root (common in containers)
                candidate = CGROUP_ROOT / controller
            return candidate if os.access(candidate, os.W_OK) else None
    return None


@dataclass
class Cgroup:
    """The cgroup v1 groups (memory, pids, cpu) of one worker process tree."""

    memory_dir: Path | None
    pids_dir: Path | None
    # Its own cpu group: every process of the run shares one fair share of the CPU, however many
    # it starts (setsid would otherwise give each spinner an autogroup of its own, and starve
    # the gradings beside it and the judge).
    cpu_dir: Path | None = None

    @classmethod
    def create(cls, memory_bytes: int, pids_max: int) -> Cgroup | None:
        memory_base, pids_base, cpu_base = _own_cgroup_dir("memory"), _own_cgroup_dir("pids"), _own_cgroup_dir("cpu")
        if memory_base is None:
            return None
        name = f"judge-{os.getpid()}-{next(_counter)}"
        made = cls(memory_base / name, pids_base / name if pids_base else None, cpu_base / name if cpu_base else None)
        try:
            assert made.memory_dir is not None
            made.memory_dir.mkdir()
            (made.memory_dir / "memory.limit_in_bytes").write_text(str(memory_bytes))
            swap = made.memory_dir / "memory.memsw.limit_in_bytes"
            if swap.exists():  # no swap escape: memory+swap capped at the same figure
                swap.write_text(str(memory_bytes))
            if made.pids_dir is not None:
                made.pids_dir.mkdir()
                (made.pids_dir / "pids.max").write_text(str(pids_max))
            if made.cpu_dir is not None:
                made.cpu_dir.mkdir()
        except OSError as exc:
            log.warning("cannot set up cgroups (%s); falling back to rlimits", exc)
            made.remove()
            return None
        return made

    def _dirs(self) -> list[Path]:
        return [d for d in (self.memory_dir, self.pids_dir, self.cpu_dir) if d is not None]

    def procs_files(self) -> list[str]:
        return [str(d / "cgroup.procs") for d in self._dirs()]

    def pids(self) -> list[int]:
        found: set[int] = set()
        for d in self._dirs():
            try:
                found.update(int(p) for p in (d / "cgroup.procs").read_text().split())
            except OSError:
                pass
        return sorted(found)

    def kill_all(self, timeout_s: float = 10.0) -> None:
        """SIGKILL every process in the group, repeatedly, until it is empty (forks race kills).

        On a time budget, not a fixed number of rounds: under a fork bomb every process of a
        JAX-sized address space takes milliseconds to fork and to exit, and emptying a group of
        241 such processes was measured at 1.3 s on 2 busy cores (50 rounds of 10 ms gave up).
        """
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            pids = self.pids()
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.01)
        log.warning("cgroup %s still has processes after repeated SIGKILL", self.memory_dir)

    def oom_killed(self) -> bool | None:
        """Whether the kernel's OOM killer fired in the group; None when its counters cannot be read."""
        if self.memory_dir is None:
            return False
        try:
            for line in (self.memory_dir / "memory.oom_control").read_text().splitlines():
                if line.startswith("oom_kill "):
                    return int(line.split()[1]) > 0
            return int((self.memory_dir / "memory.failcnt").read_text()) > 0
        except (OSError, ValueError):
            return None

    def peak_mib(self) -> float | None:
        try:
            return int((self.memory_dir / "memory.max_usage_in_bytes").read_text()) / 2**20 if self.memory_dir else None
        except (OSError, ValueError):
            return None

    def remove(self) -> None:
        self.kill_all()
        for d in self._dirs():
            for _ in range(100):
                try:
                    d.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)


@dataclass
class Sandbox:
    """A prepared run: the command line to start, and the handle to limit and inspect it."""

    argv: list[str]
    isolated: bool
    cgroup: Cgroup | None = None
    notes: list[str] = field(default_factory=list)
    stage_dir: Path | None = None

    def kill(self, process: subprocess.Popen[bytes] | None) -> None:
        if process is not None and process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if self.cgroup is not None:
            self.cgroup.kill_all()

    def close(self) -> None:
        if self.cgroup is not None:
            self.cgroup.remove()
        if self.stage_dir is not None:
            # Its mounts lived in the run's private namespace: on the host it is an empty dir.
            try:
                self.stage_dir.rmdir()
            except OSError as exc:
                log.warning("cannot remove staging directory %s: %s", self.stage_dir, exc)


@dataclass(frozen=True)
class SandboxPolicy:
    """Whether and how to isolate learner code. Build with :meth:`detect`."""

    isolate: bool
    bwrap: str | None = None
    uid: int = DEFAULT_SANDBOX_UID

    @classmethod
    def detect(cls, mode: str, uid: int = DEFAULT_SANDBOX_UID) -> SandboxPolicy:
        """``auto``/``bwrap``: require bubblewrap (raise if unusable); ``none``: run unisolated."""
        if mode == "none":
            return cls(isolate=False, uid=uid)
        ok, detail = bwrap_usable(uid)
        if not ok:
            raise SandboxUnavailable(
                f"{detail}. Refusing to run untrusted code unsandboxed; pass --no-sandbox only for code you trust"
            )
        return cls(isolate=True, bwrap=detail, uid=uid)

    def prepare(
        self,
        worker_argv: list[str],
        *,
        limits: Limits,
        solution: Path | None = None,
        cache: Path | None = None,
    ) -> Sandbox:
        """The command line that runs ``worker_argv`` limited (and isolated, per this policy).

        ``solution``, when given, is bound read-only (a private copy) where ``{solution}`` in
        ``worker_argv`` says; without it the sandbox gets an empty writable ``/submission`` for
        a solution sent over the channel. ``cache`` is bound read-only at its own path (JAX keys
        entries by path); see :meth:`mounts_cache` for when it is safe to.
        """
        cgroup = Cgroup.create(limits.memory_mib * 2**20, limits.pids)
        rlimits = {
            "core": 0,
            "fsize": limits.file_size_mib * 2**20,
            "cpu": int(limits.total_time_s * 4) + 30,  # CPU backstop; wall time is enforced by the runner
        }
        notes: list[str] = []
        if cgroup is None:
            # XLA reserves address space far beyond what it touches: below ~2 GiB it fails to start.
            rlimits["as"] = (max(limits.memory_mib, 2048) + 2048) * 2**20
            notes.append("no writable cgroup: memory capped by address space only, processes not capped")
        spec: dict[str, object] = {"cgroup_procs": cgroup.procs_files() if cgroup else [], "rlimits": rlimits}
        if not self.isolate:
            outside = str(solution.resolve()) if solution is not None else "{solution}"
            spec["command"] = [outside if a == "{solution}" else a for a in worker_argv]
            return Sandbox(_launcher_argv(spec), isolated=False, cgroup=cgroup, notes=notes)
        assert self.bwrap is not None
        inside = f"{SANDBOX_SOLUTION_DIR}/submission.py"
        drop = _drop_to(self.uid)
        stage = Path(tempfile.mkdtemp(prefix="judge-stage-")) if drop else None
        spec["command"] = [inside if a == "{solution}" else a for a in worker_argv]
        if cache is not None and not self.mounts_cache():
            raise ValueError("the compilation cache may be mounted only into a sandbox that runs as another uid")
        system = self._system_args(limits)
        if solution is None:
            # Where the worker writes the source it is sent: empty until then, private to this sandbox.
            system += ["--size", str(SOURCE_TMPFS_BYTES), "--tmpfs", SANDBOX_SOLUTION_DIR]
        spec["sandbox"] = {
            "bwrap": self.bwrap,
            "args": _isolation_args() + system,
            "binds": self._binds(solution, inside, cache),
            "late_args": self._late_args(),
            "stage": str(stage) if stage else None,
            "uid": drop[0] if drop else None,
            "gid": drop[1] if drop else None,
        }
        return Sandbox(_launcher_argv(spec), isolated=True, cgroup=cgroup, notes=notes, stage_dir=stage)

    @staticmethod
    def _system_args(limits: Limits) -> list[str]:
        args = [
            "--ro-bind", "/usr", "/usr",
            # The system mounts come BEFORE the binds: bwrap mounts in order, so a later
            # --tmpfs /tmp would hide a compile cache (or a venv) that lives under /tmp.
            "--ro-bind", "/sys", "/sys",
            # Other gradings' memory use and limits live there: show an empty directory.
            "--tmpfs", "/sys/fs/cgroup",
            "--remount-ro", "/sys/fs/cgroup",
            "--proc", "/proc",
            # Kernel knobs: the uid alone already refuses the host's, and the namespaced ones
            # (pid_max, net.*) would touch only the sandbox's own namespaces; read-only anyway.
            "--ro-bind", "/proc/sys", "/proc/sys",
            "--dev", "/dev",
            "--size", str(limits.tmpfs_mib * 2**20), "--tmpfs", "/tmp",
        ]
        for top in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
            host = Path("/") / top
            if host.is_symlink():
                args += ["--symlink", os.readlink(host), str(host)]
            elif host.is_dir():
                args += ["--ro-bind", str(host), str(host)]
        for etc in ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/localtime", "/etc/nsswitch.conf"):
            args += ["--ro-bind-try", etc, etc]
        return args

    def mounts_cache(self) -> bool:
        """Whether a compilation cache may be mounted into this policy's sandboxes.

        Only when the worker runs as a uid other than the cache's owner (the judge runs as root
        and drops to ``uid``): the cache directories are mode 0711, so that uid can open an entry
        whose name it computes from a program it compiled itself, but cannot list them. Run as
        the owner, it could list and read every entry (the reference's compiled programs).
        """
        return self.isolate and _drop_to(self.uid) is not None

    @staticmethod
    def _binds(solution: Path | None, inside: str, cache: Path | None) -> list[list[str]]:
        """Read-only binds of paths the sandbox uid may not reach on the host (staged when root)."""
        binds = [[str(root), str(root)] for root in _python_roots()]
        binds.append([str(JUDGE_PACKAGE_DIR), f"{SANDBOX_JUDGE_ROOT}/judge"])
        if solution is not None:
            # Under a fixed name: a file name is the learner's to choose, the judge's argv is not.
            binds.append([str(solution.resolve()), inside, "copy"])
        if cache is not None:
            binds.append([str(cache.resolve()), str(cache.resolve())])
        return binds

    @staticmethod
    def _late_args() -> list[str]:
        args = [
            "--chdir", "/tmp",
            # bwrap's root is a tmpfs that is writable by default: without this a submission
            # could write outside the size-capped /tmp (into /, /opt, /work, ...). Only the
            # root itself turns read-only; /tmp and /dev keep their own mounts.
            "--remount-ro", "/",
        ]
        for key, value in sandbox_environment().items():
            args += ["--setenv", key, value]
        return args


def sandbox_environment() -> dict[str, str]:
    """The whole environment a sandboxed worker gets: nothing from the judge's own."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": "/tmp",
        "TMPDIR": "/tmp",
        "LANG": "C.UTF-8",
        "PYTHONPATH": SANDBOX_JUDGE_ROOT,
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }


def _python_roots() -> list[Path]:
    """Directories the interpreter needs: the venv, the base installation, site-packages."""
    candidates = [Path(sys.prefix), Path(sys.base_prefix), Path(os.path.abspath(sys.executable)).parent]
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        value = sysconfig.get_paths().get(key)
        if value:
            candidates.append(Path(value))
    roots: list[Path] = []
    for path in sorted({p.resolve() for p in candidates if p.exists()}, key=lambda p: len(p.parts)):
        if str(path) in ("/", "/usr") or str(path).startswith("/usr/"):
            continue
        if not any(path.is_relative_to(r) for r in roots):
            roots.append(path)
    return roots

"""Each layer of the sandbox, tested on its own: with the other layers switched off where that is
possible, a probe inside the sandbox must still find the door shut.

The probe is a small Python program run in a real sandbox built by :class:`SandboxPolicy`; a test
may edit the launcher's spec first (drop seccomp, drop ``--disable-userns``, drop the read-only
``/proc/sys``) to show that the layer it tests holds alone. The last test runs the whole judge as
an unprivileged user, as an operator without root would.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from judge.config import Limits
from judge.sandbox import DEFAULT_SANDBOX_UID, SandboxPolicy, bwrap_usable

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(not bwrap_usable()[0], reason=f"sandbox unusable: {bwrap_usable()[1]}")

PROBE = textwrap.dedent(
    """
    import ctypes, errno, json, os, platform, socket, sys
    libc = ctypes.CDLL(None, use_errno=True)
    NUMBERS = {
        "x86_64": {"unshare": 272, "setns": 308, "mount": 165, "ptrace": 101, "keyctl": 250, "bpf": 321,
                   "perf_event_open": 298, "reboot": 169, "clone3": 435, "mincore": 27, "readahead": 187},
        "aarch64": {"unshare": 97, "setns": 268, "mount": 40, "ptrace": 117, "keyctl": 219, "bpf": 280,
                    "perf_event_open": 241, "reboot": 142, "clone3": 435, "mincore": 232, "readahead": 213},
    }[platform.machine()]

    def call(name, *args):
        result = libc.syscall(NUMBERS[name], *args)
        return "ok" if result >= 0 else errno.errorcode.get(ctypes.get_errno(), "?")

    def write_back(path):
        try:
            value = open(path).read()
            with open(path, "w") as handle:
                handle.write(value)
            return "ok"
        except OSError as exc:
            return errno.errorcode.get(exc.errno, "?")

    def create_in(directory):
        try:
            os.close(os.open(os.path.join(directory, "probe-file"), os.O_CREAT | os.O_WRONLY | os.O_EXCL))
            return "ok"
        except OSError as exc:
            return errno.errorcode.get(exc.errno, "?")

    def os_call(func):
        try:
            func()
            return "ok"
        except OSError as exc:
            return errno.errorcode.get(exc.errno, "?")

    shared = os.open("/usr/bin/env", os.O_RDONLY)
    page = ctypes.create_string_buffer(1)
    caps = {k: int(v, 16) for k, v in (l.split(":") for l in open("/proc/self/status") if l.startswith("Cap"))}
    report = {
        "caps": caps,
        "core_pattern": write_back("/proc/sys/kernel/core_pattern"),
        "suid_dumpable": write_back("/proc/sys/fs/suid_dumpable"),
        "cgroupfs": sorted(os.listdir("/sys/fs/cgroup")) if os.path.isdir("/sys/fs/cgroup") else [],
        "cgroupfs_create": create_in("/sys/fs/cgroup"),
        "unshare_user": call("unshare", 0x10000000),
        "unshare_mount": call("unshare", 0x00020000),
        "setns": call("setns", 0, 0),
        "mount": call("mount", b"none", b"/tmp", b"tmpfs", 0, None),
        "ptrace": call("ptrace", 0, 0, 0, 0),
        "keyctl": call("keyctl", 0, 0, 0, 0),
        "bpf": call("bpf", 0, 0, 0),
        "perf_event_open": call("perf_event_open", 0, 0, -1, -1, 0),
        "reboot": call("reboot", 0, 0, 0, 0),
        "clone3": call("clone3", 0, 0),
        "fadvise": os_call(lambda: os.posix_fadvise(shared, 0, 0, os.POSIX_FADV_DONTNEED)),
        "preadv2_nowait": os_call(lambda: os.preadv(shared, [bytearray(8)], 0, os.RWF_NOWAIT)),
        "preadv2": os_call(lambda: os.preadv(shared, [bytearray(8)], 0, 0)),
        "mincore": call("mincore", 0, 4096, page),
        "readahead": call("readahead", shared, 0, 4096),
        "sockets": {family: os_call(lambda f=family: socket.socket(f, socket.SOCK_STREAM).close())
                    for family in (socket.AF_UNIX, socket.AF_INET, socket.AF_INET6, 16, 17, 40)},
    }
    print(json.dumps(report), flush=True)
    if "--wait" in sys.argv:
        sys.stdin.read()
    """
)


def _sandbox_argv(tmp_path: Path, edit: Callable[[dict[str, Any]], None] | None, *extra: str) -> tuple[list[str], Any]:
    probe = tmp_path / "probe.py"
    probe.write_text(PROBE)
    policy = SandboxPolicy.detect("auto")
    sandbox = policy.prepare([sys.executable, "-I", "{solution}", *extra], solution=probe, limits=Limits())
    argv = list(sandbox.argv)
    if edit is not None:
        spec = json.loads(argv[-1])
        edit(spec["sandbox"])
        argv[-1] = json.dumps(spec)
    return argv, sandbox


def probe(tmp_path: Path, edit: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    argv, sandbox = _sandbox_argv(tmp_path, edit)
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    finally:
        sandbox.close()
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.splitlines()[-1])


def without_seccomp(spec: dict[str, Any]) -> None:
    spec["seccomp"] = False


def without_userns_lock(spec: dict[str, Any]) -> None:
    spec["args"] = [a for a in spec["args"] if a != "--disable-userns"]


def without_readonly_proc_sys(spec: dict[str, Any]) -> None:
    args = spec["args"]
    at = args.index("/proc/sys") - 1
    assert args[at] == "--ro-bind"
    del args[at : at + 3]


@pytest.mark.skipif(os.geteuid() != 0, reason="the uid drop happens only when the judge runs as root")
def test_learner_code_runs_as_unprivileged_host_uid(tmp_path: Path) -> None:
    """Seen from the host: every process of the sandbox has real, effective, saved and fs uid 65534."""
    argv, sandbox = _sandbox_argv(tmp_path, None, "--wait")
    process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None and process.stdout.readline(), "the probe did not start"
        assert sandbox.cgroup is not None, "these machines have writable cgroups"
        pids = sandbox.cgroup.pids()
        assert len(pids) >= 2  # bwrap, its init, the probe
        for pid in pids:
            status = Path(f"/proc/{pid}/status").read_text()
            uids = next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1:]
            gids = next(line for line in status.splitlines() if line.startswith("Gid:")).split()[1:]
            assert uids == [str(DEFAULT_SANDBOX_UID)] * 4, (pid, status[:300])
            assert gids == [str(DEFAULT_SANDBOX_UID)] * 4, (pid, status[:300])
            # ...and every one shares the run's own memory, pids and cpu groups (setsid cannot
            # buy a process a CPU share of its own).
            groups = dict(line.split(":", 2)[1:] for line in Path(f"/proc/{pid}/cgroup").read_text().splitlines())
            for controller in ("memory", "pids", "cpu"):
                assert Path(groups[controller]).name == sandbox.cgroup.memory_dir.name, (pid, controller, groups)
    finally:
        process.communicate(timeout=30)
        sandbox.close()


def test_everything_on_refuses_every_probe(tmp_path: Path) -> None:
    report = probe(tmp_path)
    assert report["caps"] == {"CapInh": 0, "CapPrm": 0, "CapEff": 0, "CapBnd": 0, "CapAmb": 0}
    assert report["core_pattern"] in ("EROFS", "EACCES") and report["suid_dumpable"] in ("EROFS", "EACCES")
    assert report["cgroupfs"] == []
    for call in ("unshare_user", "unshare_mount", "setns", "mount", "ptrace", "keyctl", "bpf", "perf_event_open", "reboot"):
        assert report[call] == "EPERM", (call, report)
    assert report["clone3"] == "ENOSYS"  # so that glibc falls back to clone(2), whose flags seccomp reads


def test_seccomp_refuses_page_cache_probes_and_foreign_address_families(tmp_path: Path) -> None:
    """Which pages of a shared file are cached outlives a run: no way to ask, none to evict.
    Sockets only of families the network namespace contains (no netlink, packet, vsock)."""
    report = probe(tmp_path)
    for call in ("fadvise", "preadv2_nowait", "mincore", "readahead"):
        assert report[call] == "EPERM", (call, report)
    assert report["preadv2"] == "ok"  # an ordinary read still works
    sockets = report["sockets"]
    assert [sockets[str(f)] for f in (1, 2, 10)] == ["ok", "ok", "ok"], sockets
    assert [sockets[str(f)] for f in (16, 17, 40)] == ["EAFNOSUPPORT"] * 3, sockets


def test_seccomp_alone_refuses_namespaces_and_kernel_interfaces(tmp_path: Path) -> None:
    """Without --disable-userns, seccomp still refuses a nested user namespace (and the rest)."""
    report = probe(tmp_path, without_userns_lock)
    for call in ("unshare_user", "unshare_mount", "setns", "mount", "ptrace", "keyctl", "bpf", "perf_event_open"):
        assert report[call] == "EPERM", (call, report)


def test_userns_lock_alone_refuses_nested_user_namespace(tmp_path: Path) -> None:
    """Without seccomp, bwrap's --disable-userns still refuses unshare(CLONE_NEWUSER)."""
    report = probe(tmp_path, without_seccomp)
    assert report["unshare_user"] in ("EPERM", "ENOSPC", "EUSERS"), report
    assert report["clone3"] != "ENOSYS"  # the filter really was off


def test_no_capabilities_without_seccomp(tmp_path: Path) -> None:
    report = probe(tmp_path, without_seccomp)
    assert all(value == 0 for value in report["caps"].values()), report["caps"]
    assert report["mount"] == "EPERM"  # no CAP_SYS_ADMIN, even in its own namespaces


def test_proc_sys_is_read_only_mount(tmp_path: Path) -> None:
    report = probe(tmp_path, without_seccomp)
    assert report["core_pattern"] == "EROFS" and report["suid_dumpable"] == "EROFS", report


@pytest.mark.skipif(os.geteuid() != 0, reason="the uid drop happens only when the judge runs as root")
def test_host_uid_alone_refuses_host_kernel_knobs(tmp_path: Path) -> None:
    """With /proc/sys writable-mounted and no seccomp, the unprivileged uid still may not write them."""
    report = probe(tmp_path, lambda spec: (without_seccomp(spec), without_readonly_proc_sys(spec)))
    assert report["core_pattern"] == "EACCES" and report["suid_dumpable"] == "EACCES", report


def test_cgroupfs_is_hidden(tmp_path: Path) -> None:
    report = probe(tmp_path, without_seccomp)
    assert report["cgroupfs"] == [] and report["cgroupfs_create"] in ("EROFS", "EACCES"), report


# -- started by an unprivileged user ---------------------------------------------------------------


def _world_traversable(path: Path) -> bool:
    return all(p.stat().st_mode & stat.S_IXOTH for p in [path, *path.parents])


def _expose_python(script: list[str]) -> None:
    """Shell lines that make the interpreter reachable for other users inside a private mount
    namespace (this machine's Python may live under /root, mode 0700)."""
    for root in {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve()}:
        if _world_traversable(root.parent):
            continue
        blocked = next(p for p in reversed([root, *root.parents]) if not p.stat().st_mode & stat.S_IXOTH)
        child = root.relative_to(blocked).parts[0]
        stage = tempfile.mkdtemp(prefix="judge-test-stage-")
        script += [
            f"mount --bind {blocked / child} {stage}",
            f"mount -t tmpfs -o mode=0755 expose {blocked}",
            f"mkdir -p {blocked / child}",
            f"mount --bind {stage} {blocked / child}",
        ]


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to become another user")
@pytest.mark.skipif(shutil.which("setpriv") is None or shutil.which("unshare") is None, reason="needs util-linux")
def test_judge_grades_when_started_by_an_unprivileged_user() -> None:
    work = Path(tempfile.mkdtemp(prefix="judge-unprivileged-", dir="/tmp"))
    try:
        work.chmod(0o777)
        solution = work / "mine.py"
        shutil.copy(REPO / "problems" / "conv1d" / "solutions" / "accepted" / "compact_lax.py", solution)
        solution.chmod(0o644)
        if not _world_traversable(REPO):
            pytest.skip(f"{REPO} is not readable by other users")
        script: list[str] = []
        _expose_python(script)
        uid = DEFAULT_SANDBOX_UID
        judge = REPO / ".venv" / "bin" / "judge"
        if not judge.exists():
            judge = Path(sys.executable).parent / "judge"
        script.append(
            f"exec setpriv --reuid={uid} --regid={uid} --clear-groups --reset-env "
            f"env JUDGE_CACHE_DIR={work / 'cache'} HOME={work} "
            f"{judge} grade {solution} -p conv1d --format json"
        )
        done = subprocess.run(
            ["unshare", "--mount", "--propagation", "private", "sh", "-ec", "\n".join(script)],
            capture_output=True, text=True, timeout=600, cwd=REPO,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        report = json.loads(done.stdout)
        assert report["verdict"] == "accepted", done.stdout[-3000:]
        assert report["run"]["sandboxed"] is True
    finally:
        shutil.rmtree(work, ignore_errors=True)

"""Hostile submissions: each program in tests/hostile/ attacks the judge and declares its verdict.

Every program starts with two header lines::

    # expect: <verdict code>
    # attack: <what it tries>

Each one is graded through the library (``judge.grade.grade``), inside the real sandbox, and the
test asserts (a) the declared verdict and (b) that nothing escaped: no process of the run
survives, no marker file appears on the host, the shared compile cache is unchanged, the test's
own environment secret appears nowhere in the result, a sentinel process on the host is still
alive, and the loopback listeners the test opened received nothing. Programs that attack and then
answer correctly expect ``accepted``: they return a deliberately wrong answer if the attack
worked, so a leak shows up as ``wrong_answer``.

These tests need bubblewrap and writable cgroups; they are skipped where the sandbox is unusable
(the judge refuses to run untrusted code unsandboxed, and so do these tests).
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import re
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from judge.cases import load_cases, materialize
from judge.config import load_config
from judge.grade import grade
from judge.plan import RunPlan
from judge.problem import load_problem
from judge.report import make_console, render_text
from judge.runner import RunGroup, WorkerPool, worker_spec
from judge.sandbox import CGROUP_ROOT, bwrap_usable
from judge.verdict import Verdict

REPO = Path(__file__).resolve().parents[1]
HOSTILE_DIR = Path(__file__).resolve().parent / "hostile"
HEADER = re.compile(r"\A# expect: (?P<expect>[a-z_]+)\n# attack: (?P<attack>\S.*)\n")
PORT = 47613  # the network program has this number hard-coded
ABSTRACT_SOCKET = b"\0hostile-judge-test-47613"
MARKER = "hostile-marker"

# Limits for every program unless it needs other ones (kept small: the file runs in minutes).
BASE_LIMITS = dict(case_time_s=8, total_time_s=40, startup_time_s=30, memory_mib=1024)
LIMITS = {
    "infinite_loop": dict(case_time_s=2),
    "sleep_forever": dict(case_time_s=2),
    "ignore_sigterm": dict(case_time_s=2),
    "stdout_flood_forever": dict(case_time_s=2),
    "import_infinite_loop": dict(startup_time_s=8),
    "huge_output": dict(memory_mib=3072),
    "too_many_elements": dict(memory_mib=2048),
}
# Programs that must give their verdict quickly: the resource limit, not a time limit, stops them.
PROMPT = {"nested_userns_cgroup", "memory_bytearray", "memory_numpy", "memory_jax", "fill_dev_shm", "huge_output", "too_many_elements"}
# What the learner is told must name the real cause (the judge SIGKILLs every run at the end, which
# must not mask a worker's own exit status).
MESSAGES = {
    "os_exit_in_solve": "exited with status 0",
    "import_os_exit": "exited with status 0",
    "sys_exit_in_solve": "SystemExit",
    "segfault": "SIGSEGV",
    "killpg_zero": "SIGKILL",
    "memory_bytearray": "memory limit",
    "pickle_frame": "not a valid result",
    "npy_header_lie": "not a valid result",
    "return_none": "NoneType",
    "return_dict": "dict",
    "huge_output": "limit",
    "too_many_elements": "elements",
    "exit_97": "exited with status 97",
    "import_exit_97": "exited with status 97",
    "huge_time_field": "not a valid result",
    "giant_integer_field": "not a valid result",
    "nan_time_field": "not a valid result",
    "deep_header": "not a valid result",
    "forged_frames_all_fds": "not a valid result",
    "terminal_escapes": "ValueError",
}
TWO_CASES = {"background_threads", "control_correct", "kill_parent", "kill_minus_one"}
SLOW_EFFECTS = {"daemon_double_fork"}  # wait a while after the run so a surviving daemon would act


def _programs(directory: Path = HOSTILE_DIR, key: str = "attack") -> dict[str, tuple[str, str]]:
    header = re.compile(HEADER.pattern.replace("attack", key))
    found = {}
    for path in sorted(directory.glob("*.py")):
        match = header.match(path.read_text())
        assert match, f"{path.name}: missing '# expect:' / '# {key}:' header"
        found[path.stem] = (match["expect"], match[key])
    return found


PROGRAMS = _programs()
# Programs that try to carry a hidden case's inputs out through some field of the report.
LEAKS = _programs(HOSTILE_DIR / "hidden", "channel")
# Programs that try to cheat the ranking time (graded with measure=True over the benchmark cases).
CHEATS = _programs(HOSTILE_DIR / "bench", "ranking")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not bwrap_usable()[0], reason=f"sandbox unusable: {bwrap_usable()[1]}"),
]


# -- fixtures -------------------------------------------------------------------------------


@dataclasses.dataclass
class JudgeEnv:
    config: object
    problem: object
    cases: list


@pytest.fixture(scope="session")
def judge_env(tmp_path_factory: pytest.TempPathFactory) -> JudgeEnv:
    """One cache for the whole session: the reference runs once, the compile cache warms once."""
    cache = tmp_path_factory.mktemp("hostile-judge-cache")
    config = load_config(None, overrides={"cache_dir": str(cache), "problems_dir": str(REPO / "problems")})
    problem = load_problem("conv1d", config.problems_dir)
    # The problem's own limits (10 s per case) would override the small test limits.
    problem = dataclasses.replace(problem, limit_overrides=())
    cases = list(load_cases(problem)[:2])
    warm = grade(problem.solutions_dir / "accepted" / "compact_lax.py", problem, config.with_overrides(**BASE_LIMITS), cases=cases)
    assert warm.verdict is Verdict.ACCEPTED, warm.to_json()
    return JudgeEnv(config, problem, cases)


@dataclasses.dataclass
class Listeners:
    tcp: socket.socket
    tcp6: socket.socket | None
    udp: socket.socket
    unix: socket.socket

    def received(self) -> list[str]:
        got = []
        for name, sock in (("tcp", self.tcp), ("tcp6", self.tcp6), ("unix", self.unix)):
            if sock is None:
                continue
            try:
                conn, _ = sock.accept()
                conn.close()
                got.append(name)
            except BlockingIOError:
                pass
        try:
            self.udp.recv(4096)
            got.append("udp")
        except BlockingIOError:
            pass
        return got


@pytest.fixture(scope="session")
def listeners() -> Listeners:
    """Loopback listeners the network program tries to reach; none may ever see a connection."""
    made = []

    def listen(family: int, kind: int, address: object) -> socket.socket:
        sock = socket.socket(family, kind)
        made.append(sock)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        if kind == socket.SOCK_STREAM:
            sock.listen(16)
        sock.setblocking(False)
        return sock

    try:
        tcp = listen(socket.AF_INET, socket.SOCK_STREAM, ("127.0.0.1", PORT))
        udp = listen(socket.AF_INET, socket.SOCK_DGRAM, ("127.0.0.1", PORT))
        unix = listen(socket.AF_UNIX, socket.SOCK_STREAM, ABSTRACT_SOCKET)
    except OSError as exc:
        pytest.skip(f"cannot listen on 127.0.0.1:{PORT}: {exc}")
    try:
        tcp6 = listen(socket.AF_INET6, socket.SOCK_STREAM, ("::1", PORT))
    except OSError:
        tcp6 = None
    yield Listeners(tcp, tcp6, udp, unix)
    for sock in made:
        sock.close()


@pytest.fixture
def sentinel():
    """A process on the host that kill(-1)/killpg attacks must not reach."""
    process = subprocess.Popen(["sleep", "300"], start_new_session=True)
    yield process
    process.kill()
    process.wait()


# -- what "no side effect" means -----------------------------------------------------------------


def _processes_matching(needles: list[str], ours: list[str] = ()) -> list[tuple[int, str]]:
    """Processes whose command line holds one of ``needles``, or one of ``ours`` when they run in
    a cgroup this test process made (other processes on the machine may run judges too)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            mine = f"/judge-{os.getpid()}-" in (entry / "cgroup").read_text()
        except OSError:
            continue
        if any(n in cmdline for n in needles) or (mine and any(n in cmdline for n in ours)):
            found.append((int(entry.name), cmdline[:200]))
    return found


def _survivors(name: str, wait_s: float = 3.0) -> list[tuple[int, str]]:
    """Processes of this program still alive (SIGKILL is asynchronous: give it a moment)."""
    deadline = time.monotonic() + wait_s
    while True:
        # Any sandboxed worker of ours at all: every run's workers, and the pool's, are gone when
        # _grade returns (a worker is told its program over the channel, so no name to look for).
        found = _processes_matching([MARKER], ours=["judge.worker"])
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def _our_cgroups() -> list[Path]:
    prefix = f"judge-{os.getpid()}-"
    left = []
    for controller in ("memory", "pids", "cpu"):
        base = CGROUP_ROOT / controller
        if base.is_dir():
            left += [p for p in base.rglob(f"{prefix}*") if p.is_dir()]
    return left


def _host_markers(cache: Path) -> list[Path]:
    found: list[Path] = []
    for top in (Path("/tmp"), Path("/dev/shm"), Path("/root"), Path("/"), Path("/work")):
        try:
            found += [p for p in top.iterdir() if p.name.startswith(MARKER)]
        except OSError:
            pass
    for tree in (REPO, cache):
        result = subprocess.run(["find", str(tree), "-name", f"{MARKER}*"], capture_output=True, text=True)
        found += [Path(line) for line in result.stdout.splitlines() if line]
    return found


def _snapshot(directory: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(directory)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in directory.rglob("*")
        if p.is_file()
    }


def _changed_entries(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> list[str]:
    """Entries that existed before and were modified or removed (poisoning). New entries are
    allowed: trusted runs in the parent (reference, hint solutions) may add some; a new file
    named like a marker is caught by _host_markers."""
    return sorted(k for k, v in before.items() if after.get(k) != v)


def _grade(path: Path, problem, config, cases, **options):
    """grade() through the pooled path a service takes: the program's first worker was started,
    booted and waiting before the program was handed to it (and is killed after it), and without
    wrong-answer hints (they run trusted solutions in the parent: slow and irrelevant here)."""
    group = RunGroup(WorkerPool(size=1, refill=False))
    plan = RunPlan.learner(problem, config)
    spec = worker_spec(plan.options, plan.limits, plan.policy, public=any(not c.hidden for c in cases))
    assert group.pool is not None
    group.pool.fill(spec)
    assert group.pool.wait_booted(spec, timeout_s=60), "a warm worker did not boot"
    try:
        return grade(path, problem, config, cases=cases, hints=False, group=group, **options)
    finally:
        group.close()


# -- the tests ------------------------------------------------------------------------------------


def test_hostile_suite_is_complete() -> None:
    """At least 28 programs, each with a valid verdict code; every verdict but internal_error used."""
    assert len(PROGRAMS) >= 28
    codes = {v.value for v in Verdict}
    for name, (expect, attack) in PROGRAMS.items():
        assert expect in codes, f"{name}: unknown verdict {expect!r}"
        assert attack.strip(), name
    assert {expect for expect, _ in PROGRAMS.values()} == codes - {"internal_error"}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_hostile_program(
    name: str, judge_env: JudgeEnv, listeners: Listeners, sentinel: subprocess.Popen, monkeypatch: pytest.MonkeyPatch
) -> None:
    expect, attack = PROGRAMS[name]
    secret = f"s3cr3t-{uuid.uuid4()}"
    monkeypatch.setenv("JUDGE_TEST_SECRET", secret)
    cache = judge_env.config.cache_dir
    cache_before = _snapshot(cache)
    markers_before = set(_host_markers(cache))
    assert not _survivors(name, wait_s=0), "a process of this program exists before it ran"

    config = judge_env.config.with_overrides(**{**BASE_LIMITS, **LIMITS.get(name, {})})
    cases = judge_env.cases if name in TWO_CASES else judge_env.cases[:1]
    started = time.monotonic()
    result = _grade(HOSTILE_DIR / f"{name}.py", judge_env.problem, config, cases)
    elapsed = time.monotonic() - started
    report = json.dumps(result.to_json())

    # The text report renders to a strict UTF-8 stream (a real terminal's encoding) without error.
    stream = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
    render_text(result, make_console(stream))
    stream.flush()
    # ...and nothing in it can drive a terminal, or pose as the judge's own verdict line.
    shown = stream.buffer.getvalue().decode()  # type: ignore[attr-defined]
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", shown), f"{name}: {shown!r}"
    assert [line for line in shown.splitlines() if line.startswith("Verdict:")] == [
        line for line in shown.splitlines() if line.startswith(f"Verdict: {result.verdict.value}")
    ], f"{name}: a forged verdict line: {shown!r}"

    # (a) the verdict
    assert result.verdict.value == expect, f"{name} ({attack}): got {result.verdict.value}; {report[:3000]}"
    assert result.run is not None and result.run.sandboxed
    if name in MESSAGES:
        assert MESSAGES[name] in result.cases[0].message, f"{name}: {result.cases[0].message!r}"

    # (b) no side effects
    assert not _survivors(name), f"{name}: processes outlived the run"
    assert not _our_cgroups(), f"{name}: cgroups left behind: {_our_cgroups()}"
    assert sentinel.poll() is None, f"{name}: a process on the host was killed"
    assert not listeners.received(), f"{name}: a loopback listener on the host was reached"
    assert secret not in report and "JUDGE_TEST_SECRET" not in report, f"{name}: the judge's environment leaked"
    if name in SLOW_EFFECTS:
        time.sleep(3.0)
        assert not _survivors(name, wait_s=0), f"{name}: a daemon came back"
    assert set(_host_markers(cache)) == markers_before, f"{name}: wrote files on the host"
    assert not _changed_entries(cache_before, _snapshot(cache)), f"{name}: the shared cache changed"

    # limits must act promptly, not at the next time limit
    limits = config.limits
    assert elapsed < limits.startup_time_s + limits.case_time_s * len(cases) + 20, f"{name}: took {elapsed:.1f} s"
    if name in PROMPT:
        assert elapsed < limits.case_time_s + 15, f"{name}: the limit took {elapsed:.1f} s to act"
    if name.startswith("stdout_flood"):
        assert result.run.output_truncated
        assert result.run.stdout_bytes > limits.output_bytes
    if name == "stdout_flood":
        assert result.run.stdout_bytes >= 250 * 2**20 and result.run.stderr_bytes >= 60 * 2**20


def test_judge_still_works_afterwards(judge_env: JudgeEnv) -> None:
    """After all the abuse: a correct solution on every case of the slice is still accepted."""
    config = judge_env.config.with_overrides(**BASE_LIMITS)
    result = grade(judge_env.problem.solutions_dir / "accepted" / "nn_conv_direct.py", judge_env.problem, config, cases=judge_env.cases)
    assert result.verdict is Verdict.ACCEPTED, result.to_json()
    assert not _our_cgroups()
    # and no sandbox process of this session is left anywhere
    assert not _processes_matching([f"--display-name={name}.py" for name in PROGRAMS] + [MARKER])


def test_secret_env_does_not_reach_bwrap(judge_env: JudgeEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    """bwrap's pid 1 inside the sandbox is a fork of bwrap: its /proc/1/environ is what we pass it."""
    monkeypatch.setenv("JUDGE_TEST_SECRET", "s3cr3t-direct")
    config = judge_env.config.with_overrides(**BASE_LIMITS)
    result = _grade(HOSTILE_DIR / "env_exfiltrate.py", judge_env.problem, config, judge_env.cases[:1])
    assert result.verdict is Verdict.RUNTIME_ERROR
    assert "s3cr3t" not in json.dumps(result.to_json())
    # The exception message does carry what the program saw: its own tiny environment only.
    assert "PYTHONPATH" in result.cases[0].message



# -- hidden cases reveal only what the judge wrote ------------------------------------------------


@pytest.fixture(scope="session")
def hidden_cases(judge_env: JudgeEnv) -> list:
    """Two hidden cases of different shapes (what the leak programs try to carry out), with a
    public case between them in the file: it must not run after a hidden one."""
    hidden = [case for case in load_cases(judge_env.problem) if case.hidden]
    return [hidden[0], judge_env.cases[1], hidden[-1]]


def _allowed_hidden_messages() -> set[str]:
    from judge.grade import HIDDEN_DETAIL, HIDDEN_MESSAGES, HIDDEN_WRONG, HIDDEN_WRONG_VALUES

    fixed = {f"{m} ({HIDDEN_DETAIL})" for m in (*HIDDEN_MESSAGES.values(), *HIDDEN_WRONG.values(), HIDDEN_WRONG_VALUES)}
    return fixed | {""}


def _leak_secrets(problem, cases) -> list[str]:
    """What each leak program derives from a hidden case's inputs (see their secret()): the token
    and the number, for every hidden case."""
    found = []
    for case in cases:
        if not case.hidden:
            continue
        values = materialize(problem, case)
        x = values["x"]
        found.append(
            f"LEAK{int(values['seed'])}x{x.shape[0]}x{x.shape[1]}x{int(values['features'])}x"
            f"{int(values['kernel_size'])}v{abs(float(x.flat[0])):.6f}"
        )
        found.append(str(int(abs(float(x.flat[0])) * 1e6) + 1000 * x.shape[0]))
    return found


def test_leak_suite_covers_every_channel() -> None:
    assert len(LEAKS) >= 12
    for name, (expect, channel) in LEAKS.items():
        assert expect in {v.value for v in Verdict}, name
        assert channel.strip(), name


@pytest.mark.parametrize("name", sorted(LEAKS))
def test_hidden_case_reveals_only_judge_text(name: str, judge_env: JudgeEnv, hidden_cases: list) -> None:
    expect, channel = LEAKS[name]
    config = judge_env.config.with_overrides(**BASE_LIMITS, max_output_elements=1_000_000)
    result = _grade(HOSTILE_DIR / "hidden" / f"{name}.py", judge_env.problem, config, hidden_cases)
    report = json.dumps(result.to_json())
    assert result.verdict.value == expect, f"{name} ({channel}): got {result.verdict.value}; {report[:3000]}"
    text = io.StringIO()
    render_text(result, make_console(text))
    for secret in _leak_secrets(judge_env.problem, hidden_cases):
        assert secret not in report, f"{name}: {secret} (from the hidden inputs) is in the report: {report[:3000]}"
        assert secret not in text.getvalue(), f"{name}: {secret} (from the hidden inputs) is in the text report"
    allowed = _allowed_hidden_messages()
    for case in result.cases:
        if not case.hidden:
            continue
        assert case.message in allowed, f"{name}: {case.message!r} is not one of the judge's fixed messages"
        assert case.max_abs_error is None and case.mismatch is None
        if case.time_s is not None:
            assert abs(case.time_s * 10 - round(case.time_s * 10)) < 1e-6, f"{name}: time {case.time_s} is not coarse"
            assert 0 <= case.time_s <= config.limits.case_time_s + 1
    assert result.run is not None
    assert result.run.stdout_bytes is None and result.run.stderr_bytes is None and result.run.output_truncated is None
    if result.run.peak_memory_mib is not None:
        assert result.run.peak_memory_mib % 64 == 0
    assert result.wall_s is not None and abs(result.wall_s * 10 - round(result.wall_s * 10)) < 1e-6


# -- the ranking time cannot be cheated -----------------------------------------------------------


@pytest.fixture(scope="session")
def bench_cases(judge_env: JudgeEnv) -> list:
    """Two public cases and the problem's two benchmark cases (four graded calls in all)."""
    by_id = {case.id: case for case in load_cases(judge_env.problem)}
    assert len(judge_env.problem.benchmark_cases) == 2
    return judge_env.cases[:2] + [by_id[c] for c in judge_env.problem.benchmark_cases]


def _grade_measured(name: str, judge_env: JudgeEnv, cases: list):
    config = judge_env.config.with_overrides(**BASE_LIMITS)
    return _grade(HOSTILE_DIR / "bench" / f"{name}.py", judge_env.problem, config, cases, measure=True)


@pytest.mark.parametrize("name", sorted(CHEATS))
def test_ranking_cheat(name: str, judge_env: JudgeEnv, bench_cases: list) -> None:
    expect, how = CHEATS[name]
    result = _grade_measured(name, judge_env, bench_cases)
    report = json.dumps(result.to_json())
    assert result.verdict.value == expect, f"{name} ({how}): got {result.verdict.value}; {report[:3000]}"
    bench_ids = set(judge_env.problem.benchmark_cases)
    if expect == "accepted":
        # Every timed call had inputs never seen before (the memoiser would raise on a repeat),
        # and every one of them was checked: the run is ranked.
        assert result.ranking_time_s is not None and result.ranking_time_s > 0, report[:2000]
    else:
        assert result.ranking_time_s is None
        failed = [c for c in result.cases if not c.passed]
        assert failed and {c.case_id for c in failed} <= bench_ids, report[:3000]
        assert all("timed call" in c.message for c in failed)

"""The parent side of a run: restarts after a crash, start-up failures, limits, the channel."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from judge.config import Limits
from judge.problem import ArgSpec, ArgType
from judge.runner import OutcomeKind, SolutionRun, WorkerOptions
from judge.sandbox import SandboxPolicy

ARGS = (ArgSpec("n", ArgType.INT), ArgSpec("x", ArgType.ARRAY, dtype="float32", ndim=1, container="numpy"))
INPUTS = [{"n": i, "x": np.arange(4, dtype=np.float32)} for i in range(3)]


def run(tmp_path: Path, source: str, **limits: float) -> tuple[list, SolutionRun, float]:
    path = tmp_path / "solution.py"
    path.write_text(source)
    base = dict(case_time_s=5, total_time_s=60, startup_time_s=30, memory_mib=1024)
    base.update(limits)
    runner = SolutionRun(path, ARGS, INPUTS, Limits(**base), SandboxPolicy.detect("auto"), WorkerOptions())  # type: ignore[arg-type]
    started = time.monotonic()
    outcomes = list(runner.outcomes())
    return outcomes, runner, time.monotonic() - started


def test_a_crash_in_one_case_does_not_hide_the_others(tmp_path: Path) -> None:
    outcomes, runner, _ = run(tmp_path, "import os\ndef solve(n, x):\n    if n == 1:\n        os._exit(3)\n    return x * n\n")
    assert [o.kind for o in outcomes] == [OutcomeKind.OK, OutcomeKind.CRASH, OutcomeKind.OK]
    assert "status 3" in outcomes[1].message
    np.testing.assert_array_equal(outcomes[2].value.single, np.arange(4) * 2)
    assert runner.stats.restarts == 1 and runner.stats.sandboxed


def test_a_timeout_in_one_case_does_not_hide_the_others(tmp_path: Path) -> None:
    source = "import time\ndef solve(n, x):\n    while n == 0:\n        pass\n    return x\n"
    outcomes, _, elapsed = run(tmp_path, source, case_time_s=2)
    assert [o.kind for o in outcomes] == [OutcomeKind.TIMEOUT, OutcomeKind.OK, OutcomeKind.OK]
    assert elapsed < 30


def test_a_start_up_that_never_ends_is_not_retried_per_case(tmp_path: Path) -> None:
    outcomes, runner, elapsed = run(tmp_path, "while True:\n    pass\n", startup_time_s=3)
    assert [o.kind for o in outcomes] == [OutcomeKind.TIMEOUT] * 3
    assert "starting up" in outcomes[2].message
    assert runner.stats.restarts == 0 and elapsed < 15


def test_exceptions_show_only_the_learners_frames(tmp_path: Path) -> None:
    source = "def helper(v):\n    raise ValueError('bad ' + str(v))\n\ndef solve(n, x):\n    return helper(n)\n"
    outcomes, _, _ = run(tmp_path, source)
    assert all(o.kind is OutcomeKind.EXCEPTION for o in outcomes)
    message = outcomes[0].message
    assert message.startswith("ValueError while calling solve: bad 0")
    assert 'File "solution.py", line 5, in solve' in message and "line 2, in helper" in message
    assert "judge" not in message and "worker.py" not in message


def test_total_time_limit_covers_every_case(tmp_path: Path) -> None:
    source = "import time\ndef solve(n, x):\n    time.sleep(1.5)\n    return x\n"
    outcomes, _, elapsed = run(tmp_path, source, case_time_s=5, total_time_s=2.5, startup_time_s=2.5)
    assert outcomes[-1].kind is OutcomeKind.TIMEOUT and "total time limit" in outcomes[-1].message
    assert elapsed < 10


@pytest.mark.parametrize(
    ("body", "kind"),
    [("return {'a': 1}", OutcomeKind.BAD_OUTPUT), ("return 'text'", OutcomeKind.BAD_OUTPUT), ("return [1.0, 2.0]", OutcomeKind.OK)],
)
def test_return_values_must_be_numeric_arrays(tmp_path: Path, body: str, kind: OutcomeKind) -> None:
    outcomes, _, _ = run(tmp_path, f"def solve(n, x):\n    {body}\n")
    assert outcomes[0].kind is kind


def test_trusted_and_sandboxed_runs_get_the_same_small_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An XLA_FLAGS or secret in the judge's environment reaches neither the reference nor a submission."""
    monkeypatch.setenv("XLA_FLAGS", "--xla_cpu_enable_fast_math=true")
    monkeypatch.setenv("JUDGE_SECRET_TOKEN", "hunter2")
    source = (
        "import os\ndef solve(n, x):\n    leaked = 'XLA_FLAGS' in os.environ or 'JUDGE_SECRET_TOKEN' in os.environ\n"
        "    return x + (100.0 if leaked else 0.0)\n"
    )
    path = tmp_path / "solution.py"
    path.write_text(source)
    for policy in (SandboxPolicy.detect("auto"), SandboxPolicy(isolate=False)):
        runner = SolutionRun(path, ARGS, INPUTS[:1], Limits(memory_mib=1024), policy, WorkerOptions())
        (outcome,) = list(runner.outcomes())
        assert outcome.kind is OutcomeKind.OK
        np.testing.assert_array_equal(outcome.value.single, np.arange(4, dtype=np.float32))


def test_total_time_running_out_while_a_worker_boots_is_a_time_limit_not_a_judge_fault(tmp_path: Path) -> None:
    # Booting Python and JAX takes far longer than 0.3 s: the deadline passes before "hello".
    outcomes, _, _ = run(tmp_path, "def solve(n, x):\n    return x\n", total_time_s=0.3)
    assert [o.kind for o in outcomes] == [OutcomeKind.TIMEOUT] * 3
    assert all("total time limit" in o.message for o in outcomes)


def test_death_before_hello_is_the_judges_fault_and_names_the_cause(tmp_path: Path) -> None:
    """A sandbox that cannot start (here: a launcher spec naming no bubblewrap) is internal_error."""
    path = tmp_path / "solution.py"
    path.write_text("def solve(n, x):\n    return x\n")
    policy = SandboxPolicy.detect("auto")
    broken = SandboxPolicy(isolate=True, bwrap=str(tmp_path / "no-such-bwrap"), uid=policy.uid)
    limits = Limits(case_time_s=5, total_time_s=60, startup_time_s=30, memory_mib=1024)
    outcomes = list(SolutionRun(path, ARGS, INPUTS, limits, broken, WorkerOptions()).outcomes())
    assert [o.kind for o in outcomes] == [OutcomeKind.INTERNAL] * 3
    assert "the sandbox did not start" in outcomes[0].message and "judge-launch" in outcomes[0].message


def test_a_worker_started_after_a_secret_input_is_marked(tmp_path: Path) -> None:
    """State can outlive a worker; whatever a restarted one says is marked as after the secret."""
    marker = tmp_path / "crashed-once"
    source = (
        f"import os, pathlib\nMARK = pathlib.Path({str(marker)!r})\n"
        "if MARK.exists():\n    raise ImportError('left by the first worker')\n"
        "def solve(n, x):\n    if n == 1:\n        MARK.touch()\n        os._exit(3)\n    return x\n"
    )
    path = tmp_path / "solution.py"
    path.write_text(source)
    limits = Limits(case_time_s=5, total_time_s=60, startup_time_s=30, memory_mib=1024)
    runner = SolutionRun(path, ARGS, INPUTS, limits, SandboxPolicy(isolate=False), WorkerOptions(), secret={1})
    outcomes = list(runner.outcomes())
    assert [(o.kind, o.after_secret) for o in outcomes] == [
        (OutcomeKind.OK, False), (OutcomeKind.CRASH, False), (OutcomeKind.COMPILE_ERROR, True)
    ]


def test_unreadable_oom_counters_fall_back_to_the_peak(tmp_path: Path) -> None:
    """An OOM kill whose counters cannot be read is still a memory verdict when the peak hit the limit."""

    class Unreadable:
        memory_dir = tmp_path

        def __init__(self, peak: float) -> None:
            self.peak = peak

        def oom_killed(self) -> None:
            return None

        def peak_mib(self) -> float:
            return self.peak

    runner = SolutionRun(tmp_path / "s.py", ARGS, INPUTS, Limits(memory_mib=100), SandboxPolicy(isolate=False), WorkerOptions())
    assert runner._oom(Unreadable(99.5)) is True  # type: ignore[arg-type]
    assert runner._oom(Unreadable(40.0)) is False  # type: ignore[arg-type]


def test_the_exception_type_reaches_the_outcome(tmp_path: Path) -> None:
    """The worker names the exception class; the outcome carries it beside the message."""
    source = (
        "def solve(n, x):\n    if n == 0:\n        raise KeyError('k')\n"
        "    if n == 1:\n        raise MemoryError('m')\n    return x\n"
    )
    outcomes, _, _ = run(tmp_path, source)
    assert [(o.kind, o.exc_type) for o in outcomes] == [
        (OutcomeKind.EXCEPTION, "KeyError"), (OutcomeKind.MEMORY, "MemoryError"), (OutcomeKind.OK, "")
    ]
    assert outcomes[0].message.startswith("KeyError while calling solve")


SEND_RAW = (
    "import json, os, struct, sys, time\n"
    "def send(header):\n"
    "    body = json.dumps(header).encode()\n"
    "    os.write(int(sys.argv[sys.argv.index('--out-fd') + 1]), struct.pack('>I', len(body)) + body)\n"
)


@pytest.mark.parametrize(
    ("where", "kind", "message"),
    [
        (
            "send({'type': 'LEAK-at-import', 'arrays': []})\ntime.sleep(10)\ndef solve(n, x):\n    return x\n",
            OutcomeKind.COMPILE_ERROR,
            "while importing: the process sent something that is not a valid result (expected one of: ready, compile_error)",
        ),
        (
            "def solve(n, x):\n    send({'type': 'LEAK-in-solve', 'index': 0, 'arrays': []})\n    time.sleep(10)\n",
            OutcomeKind.CRASH,
            "the process sent something that is not a valid result (the answer is neither a result nor an error frame)",
        ),
        (
            "def solve(n, x):\n    send({'type': 'hello', 'backend': 'cpu', 'arrays': []})\n    time.sleep(10)\n",
            OutcomeKind.CRASH,
            "the process sent something that is not a valid result (the answer is neither a result nor an error frame)",
        ),
    ],
    ids=["unknown-type-at-import", "unknown-type-in-solve", "known-type-out-of-place"],
)
def test_a_frame_of_a_type_not_expected_here_is_refused_without_echoing_it(
    tmp_path: Path, where: str, kind: OutcomeKind, message: str
) -> None:
    outcomes, _, _ = run(tmp_path, SEND_RAW + where)
    assert outcomes[0].kind is kind
    assert outcomes[0].message == message
    assert all("LEAK" not in o.message for o in outcomes)


def test_aborting_a_run_group_stops_only_its_own_workers(tmp_path: Path) -> None:
    """Two callers in one process (two batches, two service jobs): each stops only its own runs."""
    import threading

    from judge.runner import RunGroup

    (tmp_path / "slow.py").write_text("import time\ndef solve(n, x):\n    time.sleep(3 if n == 0 else 0)\n    return x\n")
    limits = Limits(case_time_s=30, total_time_s=120, startup_time_s=60, memory_mib=1024)
    groups = {"stopped": RunGroup(), "kept": RunGroup()}
    kinds: dict[str, list[OutcomeKind]] = {}

    def grade(name: str) -> None:
        runner = SolutionRun(tmp_path / "slow.py", ARGS, INPUTS[:1], limits, SandboxPolicy(isolate=False), WorkerOptions(),
                             group=groups[name])
        kinds[name] = [o.kind for o in runner.outcomes()]

    threads = {name: threading.Thread(target=grade, args=(name,)) for name in groups}
    for thread in threads.values():
        thread.start()
    deadline = time.monotonic() + 60
    while not all(g.live for g in groups.values()) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert all(g.live for g in groups.values()), "the workers did not start"
    groups["stopped"].abort()
    for thread in threads.values():
        thread.join(timeout=120)
    assert kinds["kept"] == [OutcomeKind.OK]
    assert kinds["stopped"] != [OutcomeKind.OK] and groups["stopped"].live == 0
    # A worker that starts after the abort is killed at once.
    late = SolutionRun(tmp_path / "slow.py", ARGS, INPUTS[1:2], limits, SandboxPolicy(isolate=False), WorkerOptions(), group=groups["stopped"])
    assert [o.kind for o in late.outcomes()] != [OutcomeKind.OK]

"""Warm sandboxes keep every sandbox guarantee, and the compilation caches they read leak nothing.

- a waiting worker holds nothing of any submission (its ``/submission`` is empty, no file of one
  is open in it) until it is handed its own over the channel;
- a worker runs exactly one submission and is killed after it: never reused;
- a submission never sees another's file, process or source, even while both run at once;
- the public compilation cache holds only programs compiled from public cases' inputs, both
  caches are unlistable, and neither is mounted when the sandbox would run as their owner.

Run as root with bubblewrap (as CI does); the hostile suite (tests/test_hostile.py) also runs
every program through a worker that booted before the program was handed to it.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import threading
import time
import uuid
from pathlib import Path

import pytest

from judge.cases import load_cases, materialize
from judge.config import Config, Limits, load_config
from judge.grade import grade
from judge.plan import RunPlan, compile_caches
from judge.problem import Problem, load_problem
from judge.runner import RunGroup, WorkerOptions, WorkerPool, worker_spec
from judge.sandbox import SandboxPolicy, bwrap_usable
from judge.verdict import Verdict
from judge.worker_pool import CompileCaches, StartedWorker

REPO = Path(__file__).resolve().parents[1]
# A correct solution other code can be put before (a __future__ import must come first).
SOLUTION = (REPO / "problems" / "conv1d" / "solutions" / "accepted" / "compact_lax.py").read_text().replace(
    "from __future__ import annotations\n", ""
)

needs_sandbox = pytest.mark.skipif(not bwrap_usable()[0] or os.geteuid() != 0, reason="needs root and bubblewrap")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> tuple[Config, Problem]:
    cache = tmp_path_factory.mktemp("warm-cache")
    config = load_config(None, overrides={"cache_dir": str(cache), "problems_dir": str(REPO / "problems")})
    config = config.with_overrides(case_time_s=30, total_time_s=90, startup_time_s=60)
    problem = dataclasses.replace(load_problem("conv1d", config.problems_dir), limit_overrides=())
    return config, problem


def _public_cases(problem: Problem, count: int = 1) -> list:
    return [c for c in load_cases(problem) if not c.hidden][:count]


class _Recording(WorkerPool):
    """A pool that remembers every worker it handed out."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.handed: list[StartedWorker] = []

    def take(self, spec):  # type: ignore[no-untyped-def]
        worker = super().take(spec)
        self.handed.append(worker)
        return worker


def _spec(problem: Problem, config: Config, *, public: bool = True):  # type: ignore[no-untyped-def]
    plan = RunPlan.learner(problem, config)
    return worker_spec(plan.options, plan.limits, plan.policy, public=public)


@needs_sandbox
def test_a_waiting_worker_holds_no_submission(env: tuple[Config, Problem], tmp_path: Path) -> None:
    config, problem = env
    pool = _Recording(size=1)
    group = RunGroup(pool)
    spec = _spec(problem, config)
    try:
        pool.fill(spec)
        assert pool.wait_booted(spec, timeout_s=60)
        marker = f"submission-{uuid.uuid4()}"
        submission = tmp_path / "mine.py"
        submission.write_text(f"# {marker}\n{SOLUTION}")
        (waiting,) = list(pool._idle[spec])  # noqa: SLF001 - what a waiting worker holds
        assert waiting.sandbox.cgroup is not None
        pids = waiting.sandbox.cgroup.pids()
        assert pids, "the waiting worker has no processes"
        for pid in pids:
            proc = Path(f"/proc/{pid}")
            try:
                inside = os.listdir(proc / "root" / "submission")
            except FileNotFoundError:  # bwrap's own process, outside the sandbox's mounts
                continue
            assert inside == [], f"a waiting sandbox already holds {inside}"
            assert marker not in (proc / "cmdline").read_text(errors="replace")
            for fd in (proc / "fd").iterdir():
                target = os.readlink(fd)
                assert "mine.py" not in target and str(tmp_path) not in target, target
        # Handed its own submission, the same worker runs it (and then it is gone).
        result = grade(submission, problem, config, cases=_public_cases(problem), hints=False, group=group)
        assert result.verdict is Verdict.ACCEPTED, result.to_json()
        assert pool.handed == [waiting]
        assert not waiting.alive()
    finally:
        group.close()


@needs_sandbox
def test_a_worker_outlives_the_thread_that_filled_the_pool(env: tuple[Config, Problem], tmp_path: Path) -> None:
    # bwrap --die-with-parent follows the thread that started it: the service fills its pool from
    # a prestart thread that returns at once, and its workers must still serve the graders.
    config, problem = env
    pool = _Recording(size=1)
    group = RunGroup(pool)
    spec = _spec(problem, config)
    try:
        booted: list[bool] = []

        def prestart() -> None:  # returns once its worker is up, as the service's prestart thread does
            pool.fill(spec)
            booted.append(pool.wait_booted(spec, timeout_s=60))

        filler = threading.Thread(target=prestart)
        filler.start()
        filler.join()
        assert booted == [True]
        (waiting,) = list(pool._idle[spec])  # noqa: SLF001 - the worker the ended thread started
        time.sleep(0.5)  # a parent-death signal is delivered at once; give it time to land anyway
        assert waiting.alive(), f"the waiting worker died with its starting thread (status {waiting.process.returncode})"
        submission = tmp_path / "mine.py"
        submission.write_text(SOLUTION)
        result = grade(submission, problem, config, cases=_public_cases(problem), hints=False, group=group)
        assert result.verdict is Verdict.ACCEPTED, result.to_json()
        assert pool.handed == [waiting]
    finally:
        group.close()


@needs_sandbox
def test_each_worker_runs_one_submission_and_is_never_reused(env: tuple[Config, Problem], tmp_path: Path) -> None:
    config, problem = env
    # A worker that ran a submission before would still hold its file and its mark in /tmp.
    source = (
        "import os\n"
        "_seen = [n for n in os.listdir('/tmp') if n.startswith('seen-')] + [n for n in os.listdir('/submission') if n != 'submission.py']\n"
        "if _seen:\n"
        "    raise RuntimeError(f'this sandbox ran another submission before: {_seen}')\n"
        "open(f'/tmp/seen-{os.getpid()}', 'w').close()\n"
        + SOLUTION
    )
    pool = _Recording(size=1)
    group = RunGroup(pool)
    try:
        pool.fill(_spec(problem, config))
        for number in range(3):
            submission = tmp_path / f"again{number}.py"
            submission.write_text(source)
            result = grade(submission, problem, config, cases=_public_cases(problem, 2), hints=False, group=group)
            assert result.verdict is Verdict.ACCEPTED, result.to_json()
            assert result.run is not None
            # Read from the worker's cgroup before it is removed (unless there are no cgroups here).
            assert result.run.peak_memory_mib is not None or result.run.notes, result.to_json()
            assert len(pool.handed) == number + 1, "one worker per submission"
            assert not any(w.alive() for w in pool.handed), "a used worker is still alive"
        assert len({w.process.pid for w in pool.handed}) == 3
    finally:
        group.close()
    assert group.live == 0


@needs_sandbox
def test_a_submission_never_sees_another_running_at_once(env: tuple[Config, Problem], tmp_path: Path) -> None:
    config, problem = env
    secret = f"other-{uuid.uuid4()}"
    # The other submission holds its secret in its source, in /tmp and in its process while it runs.
    other = tmp_path / "other.py"
    other.write_text(
        f"import time\nSECRET = {secret!r}\nopen('/tmp/' + SECRET, 'w').write(SECRET)\n{SOLUTION}\n"
        "_solve = solve\n"
        "def solve(*args):\n"
        "    time.sleep(6)\n"
        "    return _solve(*args)\n"
    )
    needle = secret.split("-", 1)[1]
    seeker = tmp_path / "seeker.py"
    seeker.write_text(
        f"import os\nNEEDLE = {needle!r}\n"
        "def _found():\n"
        "    for pid in [p for p in os.listdir('/proc') if p.isdigit()]:\n"
        "        for name in ('cmdline', 'environ'):\n"
        "            try:\n"
        "                if NEEDLE in open(f'/proc/{pid}/{name}', errors='replace').read():\n"
        "                    return True\n"
        "            except OSError:\n"
        "                pass\n"
        "    for folder, _, files in os.walk('/tmp'):\n"
        "        for name in files:\n"
        "            try:\n"
        "                if NEEDLE in name or NEEDLE in open(os.path.join(folder, name), errors='replace').read(1 << 20):\n"
        "                    return True\n"
        "            except OSError:\n"
        "                pass\n"
        "    # Its own source only (which holds the needle, so it is recognised by another mark).\n"
        "    if os.listdir('/submission') != ['submission.py'] or '_found' not in open('/submission/submission.py').read():\n"
        "        return True\n"
        "    for top in ('/opt', '/work', '/root', '/home', '/var'):\n"
        "        for _, _, files in os.walk(top):\n"
        "            if any(NEEDLE in name for name in files):\n"
        "                return True\n"
        "    return False\n"
        f"{SOLUTION}\n"
        "_solve = solve\n"
        "def solve(*args):\n"
        "    if _found():\n"
        "        raise RuntimeError('found the other submission')\n"
        "    return _solve(*args)\n"
    )
    group = RunGroup(WorkerPool(size=2))
    results: dict[str, object] = {}
    cases = _public_cases(problem)
    try:
        spec = _spec(problem, config)
        group.pool.fill(spec)  # type: ignore[union-attr]
        assert group.pool.wait_booted(spec, timeout_s=90)  # type: ignore[union-attr]

        def run(path: Path) -> None:
            results[path.stem] = grade(path, problem, config, cases=cases, hints=False, group=group)

        first = threading.Thread(target=run, args=(other,))
        first.start()
        time.sleep(2.0)  # the other one is asleep in solve, its secret on its /tmp
        run(seeker)
        first.join(120)
    finally:
        group.close()
    assert results["seeker"].verdict is Verdict.ACCEPTED, results["seeker"].to_json()  # type: ignore[attr-defined]
    assert results["other"].verdict is Verdict.ACCEPTED, results["other"].to_json()  # type: ignore[attr-defined]


def test_the_public_cache_holds_only_what_public_cases_compiled(tmp_path: Path) -> None:
    problem = load_problem("layernorm", REPO / "problems")
    cases = load_cases(problem)
    public = next(c for c in cases if not c.hidden)
    hidden = next(c for c in cases if c.hidden)

    def run(cache: Path, chosen: list) -> tuple[set[str], set[str]]:
        config = load_config(None, overrides={"cache_dir": str(cache), "problems_dir": str(REPO / "problems")})
        inputs = [materialize(problem, c) for c in chosen]
        outcomes = list(RunPlan.trusted(problem, config).run_cases(problem.reference_file, chosen, inputs).outcomes())
        assert all(o.kind.value == "ok" for o in outcomes), outcomes
        caches = compile_caches(config)
        assert caches.full is not None
        for folder in (caches.public, caches.full):
            assert folder.stat().st_mode & 0o777 == 0o711, "a cache the sandbox uid could list"
        return set(os.listdir(caches.public)), set(os.listdir(caches.full))

    # Keys depend on the cache's path (JAX puts it in the compile options): one path, emptied.
    public_alone, _ = run(tmp_path / "cache", [public])
    shutil.rmtree(tmp_path / "cache")
    public_then_hidden, full = run(tmp_path / "cache", [hidden, public])  # in file order: hidden first
    assert public_alone, "the reference compiled nothing into the public cache"
    assert public_then_hidden == public_alone, "a hidden case's program reached the public cache"
    assert full - public_alone, "the hidden case compiled nothing of its own"


def test_no_cache_is_mounted_when_the_sandbox_would_run_as_its_owner(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import judge.sandbox as sandbox

    monkeypatch.setattr(sandbox.os, "geteuid", lambda: 1000)  # not root: no drop to another uid
    policy = SandboxPolicy(isolate=True, bwrap="/usr/bin/bwrap")
    caches = CompileCaches(tmp_path / "xla-public", tmp_path / "xla")
    assert not policy.mounts_cache()
    assert worker_spec(WorkerOptions(compile_caches=caches), Limits(), policy, public=True).cache is None
    with pytest.raises(ValueError, match="another uid"):
        policy.prepare(["python"], limits=Limits(), cache=tmp_path)


def test_the_ranking_run_reads_only_the_benchmarks_cache(tmp_path: Path) -> None:
    """Its time is reported: it must never get the hidden cases' programs, whatever its inputs."""
    config = load_config(None, overrides={"cache_dir": str(tmp_path), "problems_dir": str(REPO / "problems")})
    learner = RunPlan.learner(load_problem("conv1d", config.problems_dir), config, SandboxPolicy(isolate=False))
    ranking = learner.for_ranking()
    assert ranking.options.compile_caches == CompileCaches(tmp_path / "xla-bench", None)
    for public in (True, False):
        assert worker_spec(ranking.options, ranking.limits, ranking.policy, public=public).cache == tmp_path / "xla-bench"
    assert worker_spec(learner.options, learner.limits, learner.policy, public=False).cache == tmp_path / "xla"
    assert (tmp_path / "xla-bench").stat().st_mode & 0o777 == 0o711

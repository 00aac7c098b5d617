"""Ranking time: how fast an accepted submission is, measured so that it cannot be gamed.

For each of the problem's benchmark cases, ``repeats + 1`` calls (the first a warm-up, not
counted), each with **fresh inputs**: every generated array drawn again, and every scalar named
in ``benchmark.redraw`` drawn from its ``gen`` range, all from a seed the judge picks at grading
time. The calls run in a **fresh sandboxed worker** that has never seen a hidden case, so the time
cannot carry what the graded run saw; each is timed by the judge (send to receipt), answers must
echo a per-call nonce, and **every** answer is checked against the reference run on the same
inputs. A wrong, failed or oversized answer fails the benchmark case, and there is no time.

:class:`Bench` holds what timing needs (the benchmark cases and their expected outputs), loaded
once, so that ``judge batch`` can re-time close contenders together with the very same
measurement: each :meth:`Bench.measure` is one full ranking-time measurement as above (fresh
worker, fresh inputs, every answer checked).

Example:
    >>> plan = TimedCall(case_index=3, number=0, inputs={})
    >>> plan.warm_up
    True
"""

from __future__ import annotations

import dataclasses
import logging
import random
import secrets
import statistics
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .cases import TestCase, fresh_inputs, load_cases, materialize, tolerance_for
from .compare import compare_tree
from .config import Config
from .errors import ProblemSpecError
from .expected import Expected, expected_outputs, reference_outputs
from .output_tree import OutputTree
from .plan import RunPlan, bench_caches
from .problem import ArgType, Problem
from .runner import CaseOutcome, OutcomeKind, RunGroup
from .sandbox import SandboxPolicy

log = logging.getLogger(__name__)

WRONG_RESULT = "a timed call on fresh inputs of this case's shapes returned a wrong result"


@dataclass(frozen=True)
class TimedCall:
    """One call of the benchmark: which benchmark case it stands for, and its fresh inputs."""

    case_index: int
    number: int  # 0 is the warm-up call (not counted)
    inputs: Mapping[str, Any]

    @property
    def warm_up(self) -> bool:
        return self.number == 0


@dataclass(frozen=True)
class BenchFailure:
    """Why a benchmark case failed: the outcome kind of the failing call (OK: a wrong answer)."""

    kind: OutcomeKind
    message: str


@dataclass(frozen=True)
class Ranking:
    """The ranking time (None unless every timed call was answered correctly) and any failures."""

    time_s: float | None
    failures: Mapping[int, BenchFailure]  # benchmark case index -> why it failed


@dataclass(frozen=True)
class Bench:
    """The problem's benchmark cases and their expected outputs: what :func:`measure` needs, loaded once.

    Example:
        >>> from judge.config import load_config
        >>> from judge.problem import load_problem
        >>> config = load_config(None)
        >>> bench = Bench.load(load_problem("conv1d", config.problems_dir), config)      # doctest: +SKIP
        >>> bench.measure(Path("submissions/alice_correct.py")).time_s                    # doctest: +SKIP
        0.006412
    """

    problem: Problem
    cases: tuple[TestCase, ...]  # the benchmark cases only
    expected: Mapping[str, Expected]
    config: Config
    policy: SandboxPolicy

    @classmethod
    def load(cls, problem: Problem, config: Config, policy: SandboxPolicy | None = None) -> Bench:
        """Read the benchmark cases and their expected outputs (from the cache after a grading)."""
        wanted = set(problem.benchmark_cases)
        cases = tuple(c for c in load_cases(problem) if c.id in wanted)
        benchmark_plan(problem, cases)  # a benchmark case missing from the cases is the problem's error
        expected = expected_outputs(problem, cases, [materialize(problem, c) for c in cases], config)
        return cls(problem, cases, expected, config, RunPlan.learner(problem, config, policy).policy)

    def measure(self, submission: Path, group: RunGroup | None = None) -> Ranking:
        """One ranking-time measurement of ``submission``, exactly as grading takes it."""
        return measure(submission, self.problem, self.cases, self.expected, self.config, self.policy, group)


def benchmark_plan(problem: Problem, cases: Sequence[TestCase]) -> tuple[list[int], int] | None:
    """Which cases to time for the ranking, and how often; None if the problem declares none."""
    if not problem.benchmark_cases:
        return None
    index = {case.id: i for i, case in enumerate(cases)}
    missing = [c for c in problem.benchmark_cases if c not in index]
    if missing:
        raise ProblemSpecError(
            f"benchmark case(s) {', '.join(missing)} not in the cases", file=problem.problem_file, field="benchmark.cases"
        )
    return [index[c] for c in problem.benchmark_cases], problem.benchmark_repeats


def plan_calls(problem: Problem, cases: Sequence[TestCase], seed: int | None = None) -> list[TimedCall]:
    """Every timed call, with inputs drawn from ``seed`` (default: a fresh secret one)."""
    plan = benchmark_plan(problem, cases)
    if plan is None:
        return []
    indices, repeats = plan
    rng = random.Random(secrets.randbits(64) if seed is None else seed)
    calls = []
    for index in indices:
        for number in range(repeats + 1):
            calls.append(TimedCall(index, number, _draw(problem, cases[index], rng)))
    return calls


def _draw(problem: Problem, case: TestCase, rng: random.Random) -> dict[str, Any]:
    inputs = fresh_inputs(problem, case, rng.getrandbits(62))
    for spec in problem.args:
        if spec.name not in problem.benchmark_redraw or spec.gen is None:
            continue
        gen = spec.gen
        if gen.choices:
            value: Any = rng.choice(gen.choices)
        elif gen.low is not None and gen.high is not None:
            value = rng.randint(int(gen.low), int(gen.high)) if gen.integer else rng.uniform(gen.low, gen.high)
        else:
            continue
        # A bool argument's choices pass through as written (convert() would coerce 0/1 choices).
        inputs[spec.name] = value if spec.type is ArgType.BOOL else spec.type.convert(value)
    return inputs


class TimedPlan:
    """The timed calls of one measurement, drawn now, and the reference's answers to them,
    computed from now on in a trusted process of its own (so they are ready, or nearly, when the
    submission's calls end: the verdict waits for the slower of the two, not for both in turn).

    Drawing and answering need nothing of the submission: :func:`judge.grade.grade_stream` makes
    the plan as soon as the public cases have passed, while the hidden ones run.
    """

    def __init__(self, problem: Problem, cases: Sequence[TestCase], config: Config) -> None:
        self.calls = plan_calls(problem, cases)
        self.ids = [f"{cases[c.case_index].id}#timed{c.number}" for c in self.calls]
        fake = [dataclasses.replace(cases[c.case_index], id=i) for c, i in zip(self.calls, self.ids, strict=True)]
        self._reference: Future[dict[str, Expected]] | None = None
        if self.calls:
            checker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="judge-ranking-reference")
            self._reference = checker.submit(
                reference_outputs, problem, fake, [c.inputs for c in self.calls], config, caches=bench_caches(config)
            )
            checker.shutdown(wait=False)

    def reference(self) -> Mapping[str, Expected]:
        return self._reference.result() if self._reference is not None else {}


def measure(
    submission: Path,
    problem: Problem,
    cases: Sequence[TestCase],
    expected: Mapping[str, Expected],
    config: Config,
    policy: SandboxPolicy,
    group: RunGroup | None = None,
    timed: TimedPlan | None = None,
) -> Ranking:
    """Time the benchmark calls in a fresh worker and check every answer (see the module doc).

    ``timed``: the calls and reference answers, when the caller drew them ahead (a plan is used once).
    """
    timed = timed or TimedPlan(problem, cases, config)
    calls = timed.calls
    if not calls:
        return Ranking(None, {})
    plan = RunPlan.learner(problem, config, policy).for_ranking()
    run = plan.run(
        submission,
        [call.inputs for call in calls],
        case_ids=timed.ids,
        secret=range(len(calls)),
        group=group,
    )
    times: dict[int, list[float]] = {}
    answers: list[tuple[TimedCall, OutputTree]] = []
    failures: dict[int, BenchFailure] = {}
    outcomes = run.outcomes()
    try:
        for outcome in outcomes:
            call = calls[outcome.index]
            failure = _failure(outcome, expected[cases[call.case_index].id])
            if failure is not None:
                failures[call.case_index] = failure
                break
            assert outcome.value is not None  # _failure refuses an outcome without one
            answers.append((call, outcome.value))
            if not call.warm_up:
                assert outcome.time_s is not None
                times.setdefault(call.case_index, []).append(outcome.time_s)
    finally:
        outcomes.close()  # stops the worker at once after a failure
    if failures:
        return Ranking(None, failures)
    return _check(problem, cases, answers, times, timed.reference())


def _failure(outcome: CaseOutcome, expected: Expected) -> BenchFailure | None:
    if outcome.kind is not OutcomeKind.OK or outcome.value is None:
        return BenchFailure(outcome.kind, f"a timed call on fresh inputs of this case's shapes failed ({outcome.kind.value})")
    if expected.value is not None and outcome.value.layout() != expected.value.layout():
        # Checked on arrival: an answer of other containers or sizes is wrong, and is not kept.
        return BenchFailure(OutcomeKind.OK, WRONG_RESULT)
    return None


def _check(
    problem: Problem,
    cases: Sequence[TestCase],
    answers: list[tuple[TimedCall, OutputTree]],
    times: Mapping[int, list[float]],
    reference: Mapping[str, Expected],
) -> Ranking:
    ids = [f"{cases[call.case_index].id}#timed{call.number}" for call, _ in answers]
    for (call, value), case_id in zip(answers, ids, strict=True):
        want = reference[case_id]
        if want.value is None:
            log.error("no reference output for timed call %s: %s", case_id, want.error)
            return Ranking(None, {})
        tol = tolerance_for(problem, cases[call.case_index])
        check = compare_tree(
            want.value, value, problem.output.tree, rtol=tol.rtol, atol=tol.atol, reveal=False, strict_dtype=problem.output.strict_dtype
        )
        if not check.ok:
            return Ranking(None, {call.case_index: BenchFailure(OutcomeKind.OK, WRONG_RESULT)})
    return Ranking(round(sum(statistics.median(t) for t in times.values()), 6), {})

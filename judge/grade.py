"""One submission x one problem -> a stream of case results and a :class:`SubmissionResult`.

Example:
    >>> config = load_config(None)
    >>> problem = load_problem("conv1d", config.problems_dir)            # doctest: +SKIP
    >>> result = grade(Path("submissions/alice_correct.py"), problem, config)   # doctest: +SKIP
    >>> result.verdict                                                   # doctest: +SKIP
    <Verdict.ACCEPTED: 'accepted'>
"""

from __future__ import annotations

import dataclasses
import logging
import platform
import time
from pathlib import Path
from typing import Callable, Iterator, Sequence

from .cases import TestCase, load_cases, materialize
from .compare import compare
from .config import Config
from .errors import ProblemSpecError, SubmissionNotFound
from .expected import Expected, expected_outputs, package_versions, compile_cache_dir
from .hints import HintMatcher
from .problem import Problem
from .runner import CaseOutcome, OutcomeKind, SolutionRun, WorkerOptions
from .sandbox import SandboxPolicy
from .verdict import CaseResult, RunInfo, SubmissionResult, Verdict

log = logging.getLogger(__name__)

_OUTCOME_VERDICT = {
    OutcomeKind.EXCEPTION: Verdict.RUNTIME_ERROR,
    OutcomeKind.CRASH: Verdict.RUNTIME_ERROR,
    OutcomeKind.BAD_OUTPUT: Verdict.RUNTIME_ERROR,
    OutcomeKind.MEMORY: Verdict.MEMORY_LIMIT_EXCEEDED,
    OutcomeKind.TIMEOUT: Verdict.TIME_LIMIT_EXCEEDED,
    OutcomeKind.OUTPUT_LIMIT: Verdict.OUTPUT_LIMIT_EXCEEDED,
    OutcomeKind.COMPILE_ERROR: Verdict.COMPILE_ERROR,
    OutcomeKind.INTERNAL: Verdict.INTERNAL_ERROR,
}
HIDDEN_DETAIL = "details are not shown for hidden cases"


def grade_stream(
    submission: Path,
    problem: Problem,
    config: Config,
    *,
    cases: Sequence[TestCase] | None = None,
    policy: SandboxPolicy | None = None,
    measure: bool = False,
    hints: bool = True,
) -> Iterator[CaseResult | SubmissionResult]:
    """Yield each :class:`CaseResult` as it is decided, then the :class:`SubmissionResult`.

    With ``measure``, an accepted submission also gets a ranking time: see :func:`benchmark_plan`.
    With ``hints``, a wrong answer that matches a known wrong solution carries its hint (judge.hints).
    """
    started = time.monotonic()
    if not submission.is_file():
        raise SubmissionNotFound("submission not found (or not a file)", file=submission)
    policy = policy or SandboxPolicy.detect(config.sandbox)
    cases = tuple(cases) if cases is not None else load_cases(problem)
    inputs = [materialize(problem, case) for case in cases]
    expected = expected_outputs(problem, cases, inputs, config)
    limits = problem.limits(config)
    results: list[CaseResult] = []
    bench = benchmark_plan(problem, cases) if measure else None
    run = SolutionRun(
        submission,
        problem.args,
        inputs,
        limits,
        policy,
        WorkerOptions(config.backend, config.precision, config.x64, compile_cache_dir(config)),
        entry_point=problem.entry_point,
        case_ids=[c.id for c in cases],
        bench=bench,
        bench_if=lambda: len(results) == len(cases) and all(r.passed for r in results),
    )
    matcher: HintMatcher | None = None
    for outcome in run.outcomes():
        case = cases[outcome.index]
        result = judge_case(problem, case, outcome, expected[case.id])
        if hints and result.verdict is Verdict.WRONG_ANSWER and outcome.array is not None:
            matcher = matcher or HintMatcher(problem, cases, inputs, expected, config)
            result = dataclasses.replace(result, hint=matcher.hint_for(case, outcome.array))
        results.append(result)
        yield result
    verdict = Verdict.overall(r.verdict for r in results)
    message = ""
    if verdict is Verdict.COMPILE_ERROR and results:
        message = results[0].message
    environment = {
        "python": platform.python_version(),
        **{k: v for k, v in package_versions().items()},
        "backend": str(run.stats.hello.get("backend", config.backend)),
        "precision": config.precision,
        "x64": str(config.x64).lower(),
    }
    yield SubmissionResult(
        problem=problem.id,
        submission=str(submission),
        verdict=verdict,
        cases=tuple(results),
        message=message,
        environment=environment,
        run=RunInfo(
            sandboxed=run.stats.sandboxed,
            stdout_bytes=run.stats.stdout_bytes,
            stderr_bytes=run.stats.stderr_bytes,
            output_truncated=run.stats.output_truncated,
            peak_memory_mib=run.stats.peak_memory_mib,
            restarts=run.stats.restarts,
        ),
        wall_s=time.monotonic() - started,
        ranking_time_s=_ranking_time(bench, run.stats.bench_s) if verdict is Verdict.ACCEPTED else None,
    )


def benchmark_plan(problem: Problem, cases: Sequence[TestCase]) -> tuple[list[int], int] | None:
    """Which inputs to time for the ranking, and how often; None if the problem declares none.

    The ranking time is the sum over the problem's benchmark cases of the median of ``repeats``
    calls of ``solve`` (after one warm-up call that is not counted), each timed by the judge from
    sending the inputs to receiving the blocked-until-ready result.
    """
    if not problem.benchmark_cases:
        return None
    index = {case.id: i for i, case in enumerate(cases)}
    missing = [c for c in problem.benchmark_cases if c not in index]
    if missing:
        raise ProblemSpecError(
            f"benchmark case(s) {', '.join(missing)} not in the cases", file=problem.problem_file, field="benchmark.cases"
        )
    return [index[c] for c in problem.benchmark_cases], problem.benchmark_repeats


def _ranking_time(bench: tuple[list[int], int] | None, measured: dict[int, float]) -> float | None:
    if bench is None or any(i not in measured for i in bench[0]):
        return None
    return round(sum(measured[i] for i in bench[0]), 6)


def grade(
    submission: Path,
    problem: Problem,
    config: Config,
    *,
    cases: Sequence[TestCase] | None = None,
    policy: SandboxPolicy | None = None,
    on_case: Callable[[CaseResult], None] | None = None,
    measure: bool = False,
    hints: bool = True,
) -> SubmissionResult:
    """Grade ``submission`` and return its result; ``on_case`` sees each case as it finishes."""
    for item in grade_stream(submission, problem, config, cases=cases, policy=policy, measure=measure, hints=hints):
        if isinstance(item, SubmissionResult):
            return item
        if on_case is not None:
            on_case(item)
    raise AssertionError("grade_stream ended without a result")  # pragma: no cover


def judge_case(problem: Problem, case: TestCase, outcome: CaseOutcome, expected: Expected) -> CaseResult:
    """Turn what the run produced into a verdict, revealing nothing of hidden cases."""
    if outcome.kind is not OutcomeKind.OK:
        verdict = _OUTCOME_VERDICT[outcome.kind]
        message = outcome.message
        if case.hidden and verdict in (Verdict.RUNTIME_ERROR,):
            # A learner could raise an exception whose text carries the hidden inputs.
            message = (message.splitlines()[0].split(":")[0] if message else "error") + f" ({HIDDEN_DETAIL})"
        return CaseResult(case.id, case.hidden, verdict, message, outcome.time_s)
    if expected.array is None:
        return CaseResult(
            case.id, case.hidden, Verdict.INTERNAL_ERROR,
            f"no expected output: {expected.error}; this is a fault of the problem, not of your code",
            outcome.time_s,
        )
    assert outcome.array is not None
    comparison = compare(
        expected.array,
        outcome.array,
        rtol=case.rtol if case.rtol is not None else problem.tolerance.rtol,
        atol=case.atol if case.atol is not None else problem.tolerance.atol,
        reveal=not case.hidden,
        strict_dtype=problem.output.strict_dtype,
    )
    if case.hidden:
        # Error figures of a hidden case are an oracle for its expected values: give none.
        if comparison.ok:
            return CaseResult(case.id, True, Verdict.ACCEPTED, "", outcome.time_s)
        what = "wrong shape" if comparison.message.startswith("wrong shape") else "wrong values"
        return CaseResult(case.id, True, Verdict.WRONG_ANSWER, f"{what} ({HIDDEN_DETAIL})", outcome.time_s)
    if comparison.ok:
        return CaseResult(
            case.id, case.hidden, Verdict.ACCEPTED, "", outcome.time_s,
            comparison.max_abs_error, comparison.max_rel_error,
        )
    return CaseResult(
        case.id, case.hidden, Verdict.WRONG_ANSWER, comparison.message, outcome.time_s,
        comparison.max_abs_error, comparison.max_rel_error, comparison.mismatch,
    )

"""One submission x one problem -> a stream of case results and a :class:`SubmissionResult`.

Example (a real grading, in the sandbox the config asks for):
    >>> from judge.config import load_config
    >>> from judge.problem import load_problem
    >>> config = load_config(None)
    >>> problem = load_problem("conv1d", config.problems_dir)
    >>> result = grade(Path("submissions/bob_flipped.py"), problem, config, hints=False)
    >>> result.verdict, [c.case_id for c in result.cases if c.passed][:1]
    (<Verdict.WRONG_ANSWER: 'wrong_answer'>, ['length-one'])
"""

from __future__ import annotations

import dataclasses
import logging
import math
import platform
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from . import ranking as ranking_mod
from .cases import TestCase, load_cases, materialize, tolerance_for
from .compare import Comparison, Reason, compare_tree
from .config import Config
from .errors import SubmissionNotFound
from .expected import Expected, expected_outputs, package_versions
from .hints import HintMatcher
from .output_tree import OutputTree
from .plan import RunPlan
from .problem import HiddenFeedback, Problem
from .runner import CaseOutcome, OutcomeKind, RunGroup, worker_spec
from .safe_text import visible
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
# For a hidden case, every message is one of these: written by the judge, chosen by the outcome's
# kind alone, so nothing the submission computed from the hidden inputs reaches the report.
# (Compile errors and the judge's own faults happen before any input exists: shown as they are.)
HIDDEN_MESSAGES = {
    OutcomeKind.EXCEPTION: "your code raised an exception",
    OutcomeKind.MEMORY: "your code ran out of memory",
    OutcomeKind.TIMEOUT: "your code ran past the time limit",
    OutcomeKind.OUTPUT_LIMIT: "your code returned more output than the limit",
    OutcomeKind.CRASH: "the process crashed, exited or sent an invalid answer",
    OutcomeKind.BAD_OUTPUT: "your code did not return a numeric array",
}
# A hidden case's wrong answer: one of these, by the comparison's reason alone (never a path, a key or a figure).
HIDDEN_WRONG = {Reason.STRUCTURE: "wrong structure", Reason.SHAPE: "wrong shape"}
HIDDEN_WRONG_VALUES = "wrong values"
HIDDEN_TIME_STEP_S = 0.1  # a hidden case's time is the judge's measurement, rounded to this
HIDDEN_MEMORY_STEP_MIB = 64  # ...and the run's peak memory, rounded up to this, when hidden cases ran


def grade_stream(
    submission: Path,
    problem: Problem,
    config: Config,
    *,
    cases: Sequence[TestCase] | None = None,
    policy: SandboxPolicy | None = None,
    measure: bool = False,
    hints: bool = True,
    group: RunGroup | None = None,
) -> Iterator[CaseResult | SubmissionResult]:
    """Yield each :class:`CaseResult` as it is decided, then the :class:`SubmissionResult`.

    With ``measure``, an accepted submission also gets a ranking time: see :func:`benchmark_plan`.
    With ``hints``, a wrong answer or a runtime error that matches a known wrong solution carries
    its hint, and a ``solve`` that cannot take the problem's arguments the expected signature
    (:func:`case_hint`, :mod:`judge.hints`).
    ``group`` lets the caller stop this grading's workers (see :class:`judge.runner.RunGroup`).
    """
    started = time.monotonic()
    if not submission.is_file():
        raise SubmissionNotFound("submission not found (or not a file)", file=submission)
    cases = tuple(cases) if cases is not None else load_cases(problem)
    plan = RunPlan.learner(problem, config, policy)
    if group is not None and group.pool is not None:
        # The first worker boots while the inputs are made and the expected outputs loaded (or
        # computed by the reference): nothing waits on what it does not need.
        group.pool.fill(worker_spec(plan.options, plan.limits, plan.policy, public=any(not c.hidden for c in cases)))
    inputs = [materialize(problem, case) for case in cases]
    expected = expected_outputs(problem, cases, inputs, config)
    results: list[CaseResult] = []
    run = plan.run_cases(submission, cases, inputs, group=group)
    matcher = HintMatcher(problem, cases, inputs, expected, config)  # runs nothing until a case needs it
    timed: ranking_mod.TimedPlan | None = None
    public = sum(not c.hidden for c in cases)
    for outcome in run.outcomes():
        case = cases[outcome.index]
        result = judge_case(problem, case, outcome, expected[case.id])
        if hints:
            result = dataclasses.replace(result, hint=case_hint(problem, case, outcome, result, matcher))
        results.append(result)
        if measure and timed is None and len(results) >= public and all(r.passed for r in results):
            # Every public case passed: draw the timed calls and let the reference answer them
            # (trusted, in its own process) while the hidden cases run.
            timed = ranking_mod.TimedPlan(problem, cases, config)
        yield result
    position = {case.id: i for i, case in enumerate(cases)}
    results.sort(key=lambda r: position[r.case_id])  # reports list cases as the file does
    ranking_time: float | None = None
    if measure and results and all(r.passed for r in results):
        ranking = ranking_mod.measure(submission, problem, cases, expected, config, plan.policy, group, timed)
        ranking_time = ranking.time_s
        for index, failure in ranking.failures.items():
            verdict = Verdict.WRONG_ANSWER if failure.kind is OutcomeKind.OK else _OUTCOME_VERDICT[failure.kind]
            results[index] = dataclasses.replace(
                results[index], verdict=verdict, message=failure.message, max_abs_error=None, max_rel_error=None, mismatch=None
            )
    verdict = Verdict.overall(r.verdict for r in results)
    message = ""
    if verdict is Verdict.COMPILE_ERROR:
        # The first import's error (public cases run first, so it is the earliest in run order).
        failed = [r for r in results if r.verdict is Verdict.COMPILE_ERROR]
        message = next((r.message for r in failed if not r.hidden), failed[0].message)
    any_hidden = any(r.hidden for r in results)
    peak = run.stats.peak_memory_mib
    if any_hidden and peak is not None:
        peak = float(math.ceil(peak / HIDDEN_MEMORY_STEP_MIB) * HIDDEN_MEMORY_STEP_MIB)
    wall_s = time.monotonic() - started
    environment = {
        "python": platform.python_version(),
        **{k: v for k, v in package_versions().items()},
        "backend": str(run.stats.hello.get("backend", config.backend)),
        "precision": config.precision,
        "x64": str(config.x64).lower(),
    }
    yield SubmissionResult(
        problem=problem.id,
        # As text any JSON reader accepts (a name's undecodable bytes would be lone surrogates).
        submission=visible(str(submission)),
        verdict=verdict,
        cases=tuple(results),
        message=message,
        environment=environment,
        run=RunInfo(
            sandboxed=run.stats.sandboxed,
            # How much the submission printed is its to choose: a channel out of hidden cases.
            stdout_bytes=None if any_hidden else run.stats.stdout_bytes,
            stderr_bytes=None if any_hidden else run.stats.stderr_bytes,
            output_truncated=None if any_hidden else run.stats.output_truncated,
            peak_memory_mib=peak,
            restarts=run.stats.restarts,
            notes=tuple(run.stats.notes),
        ),
        wall_s=round(wall_s / HIDDEN_TIME_STEP_S) * HIDDEN_TIME_STEP_S if any_hidden else wall_s,
        ranking_time_s=ranking_time if verdict is Verdict.ACCEPTED else None,
    )


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
    group: RunGroup | None = None,
) -> SubmissionResult:
    """Grade ``submission`` and return its result; ``on_case`` sees each case as it finishes."""
    for item in grade_stream(submission, problem, config, cases=cases, policy=policy, measure=measure, hints=hints, group=group):
        if isinstance(item, SubmissionResult):
            return item
        if on_case is not None:
            on_case(item)
    raise AssertionError("grade_stream ended without a result")  # pragma: no cover


def case_hint(problem: Problem, case: TestCase, outcome: CaseOutcome, result: CaseResult, matcher: HintMatcher) -> str | None:
    """The hint for one judged case, or None.

    A wrong answer is matched by its output, a runtime or compile error by the exception's class
    name or the arity of ``solve`` (:meth:`HintMatcher.hint_for_error`). ``outcome`` is the raw
    outcome, message included even for a hidden case: the hint chosen from it is the author's or
    the judge's fixed text, so nothing derived from a hidden input reaches the report. A problem
    whose hidden cases give no feedback (``feedback: {hidden: none}``) gives them no hints either.
    """
    if case.hidden and problem.hidden_feedback is HiddenFeedback.NONE:
        return None
    if result.verdict is Verdict.WRONG_ANSWER and outcome.value is not None:
        return matcher.hint_for(case, outcome.value)
    if result.verdict in (Verdict.RUNTIME_ERROR, Verdict.COMPILE_ERROR):
        return matcher.hint_for_error(case, outcome)
    return None


def judge_case(problem: Problem, case: TestCase, outcome: CaseOutcome, expected: Expected) -> CaseResult:
    """Turn what the run produced into a verdict, revealing nothing of hidden cases."""
    if case.hidden:
        return _judge_hidden(problem, case, outcome, expected)
    result = _judge_public(problem, case, outcome, expected)
    # What the submission printed is its own text: shown for a public case, unless the process
    # that printed it had been started after a hidden input existed (it may carry that input).
    return dataclasses.replace(result, output="" if outcome.after_secret else outcome.output)


def _judge_public(problem: Problem, case: TestCase, outcome: CaseOutcome, expected: Expected) -> CaseResult:
    if outcome.kind is not OutcomeKind.OK:
        return CaseResult(case.id, False, _OUTCOME_VERDICT[outcome.kind], outcome.message, outcome.time_s)
    if expected.value is None:
        return CaseResult(
            case.id, False, Verdict.INTERNAL_ERROR,
            f"no expected output: {expected.error}; this is a fault of the problem, not of your code",
            outcome.time_s,
        )
    assert outcome.value is not None
    comparison = _compare(problem, case, expected.value, outcome.value, reveal=True)
    if comparison.ok:
        return CaseResult(
            case.id, False, Verdict.ACCEPTED, "", outcome.time_s, comparison.max_abs_error, comparison.max_rel_error,
        )
    return CaseResult(
        case.id, False, Verdict.WRONG_ANSWER, comparison.message, outcome.time_s,
        comparison.max_abs_error, comparison.max_rel_error, comparison.mismatch,
    )


def _judge_hidden(problem: Problem, case: TestCase, outcome: CaseOutcome, expected: Expected) -> CaseResult:
    """A hidden case's verdict with only judge-written text and a coarse judge-measured time.

    Error figures of a hidden case are an oracle for its expected values, and anything the
    worker says (messages, class names, counts, what it printed) can carry its inputs: give none
    of them (``outcome.output`` is never read here).
    """
    verbose = problem.hidden_feedback is HiddenFeedback.VERDICT
    time_s = None
    if verbose and outcome.time_s is not None:
        time_s = round(round(outcome.time_s / HIDDEN_TIME_STEP_S) * HIDDEN_TIME_STEP_S, 1)

    def result(verdict: Verdict, message: str) -> CaseResult:
        return CaseResult(case.id, True, verdict, message if verbose else "", time_s)

    if outcome.kind is OutcomeKind.INTERNAL:
        return result(Verdict.INTERNAL_ERROR, outcome.message)  # written by the judge, before any learner code
    if outcome.kind is OutcomeKind.COMPILE_ERROR and not outcome.after_secret:
        # An import that fails in the first worker happens before any input exists.
        return result(Verdict.COMPILE_ERROR, outcome.message)
    if outcome.kind is OutcomeKind.COMPILE_ERROR:
        # A restarted worker: its import could read what an earlier one left behind.
        return result(Verdict.COMPILE_ERROR, f"the file failed to import again after a hidden case ({HIDDEN_DETAIL})")
    if outcome.kind is not OutcomeKind.OK:
        return result(_OUTCOME_VERDICT[outcome.kind], f"{HIDDEN_MESSAGES[outcome.kind]} ({HIDDEN_DETAIL})")
    if expected.value is None:
        return result(Verdict.INTERNAL_ERROR, f"no expected output: {expected.error}; this is a fault of the problem, not of your code")
    assert outcome.value is not None
    comparison = _compare(problem, case, expected.value, outcome.value, reveal=False)
    if comparison.ok:
        return result(Verdict.ACCEPTED, "")
    what = HIDDEN_WRONG.get(comparison.reason, HIDDEN_WRONG_VALUES)
    return result(Verdict.WRONG_ANSWER, f"{what} ({HIDDEN_DETAIL})")


def _compare(problem: Problem, case: TestCase, expected: OutputTree, got: OutputTree, *, reveal: bool) -> Comparison:
    tolerance = tolerance_for(problem, case)
    return compare_tree(
        expected, got, problem.output.tree, rtol=tolerance.rtol, atol=tolerance.atol, reveal=reveal, strict_dtype=problem.output.strict_dtype
    )

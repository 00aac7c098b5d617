"""Hints on runtime and compile errors: by the exception's class name, or the expected signature."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from judge import hints as hints_mod
from judge.cases import TestCase, load_cases, materialize
from judge.config import Config, load_config
from judge.expected import Expected
from judge.grade import case_hint, grade, judge_case
from judge.hints import (
    HintMatcher,
    PitfallOutput,
    is_arity_error,
    pitfall_key,
    pitfall_store,
    signature_hint,
    solution_outputs,
)
from judge.output_tree import OutputTree
from judge.problem import HiddenFeedback, Problem, load_problem
from judge.runner import CaseOutcome, OutcomeKind
from judge.solutions import load_pitfalls, read_header
from judge.verdict import Verdict

REPO = Path(__file__).resolve().parent.parent
FLOAT_SEED = REPO / "problems" / "conv1d" / "solutions" / "wrong" / "float_seed.py"
SIGNATURE = "The judge calls solve(seed, x, features, kernel_size): define solve with exactly these 4 parameters, in this order."
FLOAT_SEED_MESSAGE = "TypeError while calling solve: PRNG key seed must be an integer; got 0.0"


def float_seed_hint() -> str:
    return f"{read_header(FLOAT_SEED).hint} (known pitfall: float_seed)"


@pytest.fixture()
def problem() -> Problem:
    return load_problem(REPO / "problems" / "conv1d")


@pytest.fixture()
def seeded(tmp_path: Path, problem: Problem, monkeypatch: pytest.MonkeyPatch) -> tuple[HintMatcher, list[TestCase]]:
    """A matcher whose pitfall outputs all come from a seeded cache: no trusted run may start.

    float_seed raised a TypeError on every case; the wrong-answer pitfalls timed out (no array,
    no exception class), so only float_seed can match an exception.
    """
    config = load_config(REPO / "config.yaml", overrides={"cache_dir": str(tmp_path / "cache")})
    cases = load_cases(problem)
    store = pitfall_store(config)
    for pitfall in load_pitfalls(problem):
        for case in cases:
            if pitfall.path == FLOAT_SEED:
                output = PitfallOutput(None, OutcomeKind.EXCEPTION, "TypeError")
            else:
                output = PitfallOutput(None, OutcomeKind.TIMEOUT)
            hints_mod._save(store, pitfall_key(problem, pitfall.path, case, config), output)

    def no_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("a pitfall ran although its output is cached")

    monkeypatch.setattr(hints_mod, "_run_trusted", no_run)
    expected = {c.id: Expected(OutputTree.of(np.zeros(1, dtype=np.float32))) for c in cases}
    return HintMatcher(problem, cases, [{} for _ in cases], expected, config), cases


def exception(exc_type: str, message: str) -> CaseOutcome:
    return CaseOutcome(0, OutcomeKind.EXCEPTION, time_s=0.1, message=message, exc_type=exc_type)


def test_float_seed_is_a_pitfall(problem: Problem) -> None:
    pitfalls = {p.name: p for p in load_pitfalls(problem)}
    assert pitfalls["float_seed"].expect is Verdict.RUNTIME_ERROR and pitfalls["float_seed"].hint
    assert "wrong_arity" not in pitfalls  # compile errors teach through the signature hint


def test_same_exception_class_gets_the_pitfalls_hint(seeded: tuple[HintMatcher, list[TestCase]]) -> None:
    matcher, cases = seeded
    public, hidden = cases[0], next(c for c in cases if c.hidden)
    assert matcher.hint_for_error(public, exception("TypeError", FLOAT_SEED_MESSAGE)) == float_seed_hint()
    # Only the class name decides: another message, or a hidden case, gets the same fixed text.
    assert matcher.hint_for_error(hidden, exception("TypeError", "TypeError while calling solve: anything")) == float_seed_hint()


def test_unrelated_exception_gets_no_hint(seeded: tuple[HintMatcher, list[TestCase]]) -> None:
    matcher, cases = seeded
    assert matcher.hint_for_error(cases[0], exception("ZeroDivisionError", "ZeroDivisionError while calling solve: division by zero")) is None
    assert matcher.hint_for_error(cases[0], exception("", "")) is None
    assert matcher.hint_for_error(cases[0], CaseOutcome(0, OutcomeKind.TIMEOUT, exc_type="TypeError")) is None


def test_arity_mistakes_get_the_signature(problem: Problem, seeded: tuple[HintMatcher, list[TestCase]]) -> None:
    matcher, cases = seeded
    assert signature_hint(problem) == SIGNATURE
    arity = [
        # The worker's signature check at import (the usual case: `def solve(x): ...`).
        CaseOutcome(0, OutcomeKind.COMPILE_ERROR, message="solve(x) cannot be called with the problem's 4 positional arguments"),
        exception("TypeError", "TypeError while calling solve: solve() takes 1 positional argument but 4 were given"),
        exception("TypeError", "TypeError while calling solve: solve() takes from 1 to 2 positional arguments but 4 were given"),
        exception("TypeError", "TypeError while calling solve: solve() missing 1 required positional argument: 'kernel_size'\nTraceback"),
    ]
    for outcome in arity:
        assert is_arity_error(problem, outcome), outcome.message
        assert matcher.hint_for_error(cases[0], outcome) == SIGNATURE
    not_arity = [
        # A helper of the learner's called wrongly, an import error quoting the text, another class.
        exception("TypeError", "TypeError while calling solve: conv() takes 1 positional argument but 4 were given"),
        CaseOutcome(
            0, OutcomeKind.COMPILE_ERROR,
            message="ValueError while importing the file: solve(x) cannot be called with the problem's 4 positional arguments",
        ),
        exception("ValueError", "ValueError while calling solve: solve() takes 1 positional argument but 4 were given"),
    ]
    for outcome in not_arity:
        assert not is_arity_error(problem, outcome), outcome.message
        assert matcher.hint_for_error(cases[0], outcome) != SIGNATURE


def test_hidden_cases_get_error_hints_from_the_raw_outcome(problem: Problem, seeded: tuple[HintMatcher, list[TestCase]]) -> None:
    matcher, cases = seeded
    hidden = next(c for c in cases if c.hidden)
    outcome = exception("TypeError", "TypeError while calling solve: solve() missing 1 required positional argument: 'x'")
    result = judge_case(problem, hidden, outcome, Expected(None, "unused"))
    assert "missing" not in result.message  # the report's message is withheld...
    assert case_hint(problem, hidden, outcome, result, matcher) == SIGNATURE  # ...the fixed hint is not


def test_hidden_feedback_none_gives_no_hints(problem: Problem, seeded: tuple[HintMatcher, list[TestCase]]) -> None:
    matcher, cases = seeded
    quiet = dataclasses.replace(problem, hidden_feedback=HiddenFeedback.NONE)
    hidden = next(c for c in cases if c.hidden)
    public = cases[0]
    for outcome in (
        exception("TypeError", FLOAT_SEED_MESSAGE),
        CaseOutcome(0, OutcomeKind.COMPILE_ERROR, message="solve(x) cannot be called with the problem's 4 positional arguments"),
    ):
        result = judge_case(quiet, hidden, outcome, Expected(None, "unused"))
        assert case_hint(quiet, hidden, outcome, result, matcher) is None
        # The same outcome gets a hint on a public case of that problem, and on a hidden case by default.
        assert case_hint(quiet, public, outcome, judge_case(quiet, public, outcome, Expected(None, "unused")), matcher)
        assert case_hint(problem, hidden, outcome, judge_case(problem, hidden, outcome, Expected(None, "unused")), matcher)


def test_fail_markers_old_and_new(tmp_path: Path) -> None:
    store = pitfall_store(load_config(REPO / "config.yaml", overrides={"cache_dir": str(tmp_path)}))

    def marker(key: str, data: object) -> None:
        path = store.root / key[:2] / f"{key}.fail"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data) if not isinstance(data, str) else data)

    # Written before markers recorded the exception class: still loads...
    marker("aa01", {"failure": "timeout"})
    assert hints_mod._load(store, "aa01") == PitfallOutput(None, OutcomeKind.TIMEOUT, "")
    marker("aa02", {"failure": "compile_error"})
    assert hints_mod._load(store, "aa02") == PitfallOutput(None, OutcomeKind.COMPILE_ERROR, "")
    # ...except an exception, whose class is what error hints match on: absent, so rebuilt once.
    marker("aa03", {"failure": "exception"})
    assert hints_mod._load(store, "aa03") is None
    # Unreadable or malformed markers read as absent, never crash.
    for key, data in (("aa04", "{not json"), ("aa05", {"failure": "exception", "exc_type": 3}), ("aa06", [1]), ("aa07", {"failure": "nope"})):
        marker(key, data)
        assert hints_mod._load(store, key) is None, data
    # New markers keep the class name.
    hints_mod._save(store, "aa08", PitfallOutput(None, OutcomeKind.EXCEPTION, "TypeError"))
    assert hints_mod._load(store, "aa08") == PitfallOutput(None, OutcomeKind.EXCEPTION, "TypeError")


@pytest.mark.slow
def test_float_seed_mistake_gets_float_seeds_hint(tmp_path: Path, config: Config) -> None:
    problem = load_problem("conv1d", config.problems_dir)
    # A learner's file with float_seed's mistake: its body, another module name, no header.
    learner = tmp_path / "learner.py"
    body = FLOAT_SEED.read_text().split("\n", 2)[2].replace("Conv1D", "MyConv")
    learner.write_text(body)
    all_cases = load_cases(problem)
    cases = [c for c in all_cases if not c.hidden][:2] + [next(c for c in all_cases if c.hidden)]
    result = grade(learner, problem, config, cases=cases)
    assert result.verdict is Verdict.RUNTIME_ERROR
    data = result.to_json()
    assert [c["hint"] for c in data["cases"]] == [float_seed_hint()] * len(cases), data["cases"]
    assert any(c["hidden"] for c in data["cases"])
    # The shipped pitfall itself raised that TypeError on these cases (cached by the grading).
    outputs = solution_outputs(problem, [FLOAT_SEED], cases, [materialize(problem, c) for c in cases], config)
    for case in cases:
        output = outputs[FLOAT_SEED][case.id]
        assert (output.failure, output.exc_type) == (OutcomeKind.EXCEPTION, "TypeError"), case.id
    assert "PRNG key seed must be an integer" in result.cases[0].message


@pytest.mark.slow
def test_wrong_arity_gets_the_signature(tmp_path: Path, config: Config) -> None:
    problem = load_problem("conv1d", config.problems_dir)
    learner = tmp_path / "learner.py"
    learner.write_text("def solve(x):\n    return x.reshape(-1)\n")
    result = grade(learner, problem, config, cases=load_cases(problem)[:1])
    assert result.verdict is Verdict.COMPILE_ERROR
    assert [c["hint"] for c in result.to_json()["cases"]] == [SIGNATURE]

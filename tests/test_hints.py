"""Hints: a learner whose output matches a known wrong solution is told that pitfall's hint."""

from __future__ import annotations

from pathlib import Path

import pytest

from judge.config import Config
from judge.grade import grade
from judge.problem import load_problem
from judge.solutions import load_pitfalls, read_header

REPO = Path(__file__).resolve().parent.parent


def test_read_header(tmp_path: Path) -> None:
    good = tmp_path / "a.py"
    good.write_text("# expect: wrong_answer\n# hint: do X\n")
    assert read_header(good).hint == "do X" and read_header(good).expect.value == "wrong_answer"
    bad = tmp_path / "b.py"
    bad.write_text("# expect: wrongish\n")
    assert read_header(bad).expect is None and "wrongish" in read_header(bad).header_error


def test_pitfalls_are_wrong_answers_and_runtime_errors_with_hints() -> None:
    problem = load_problem("conv1d", REPO / "problems")
    names = [p.name for p in load_pitfalls(problem)]
    # float_seed (runtime_error) teaches by the exception it raises; wrong_arity (compile_error) does not run.
    assert "flipped_kernel" in names and "float_seed" in names and "wrong_arity" not in names


@pytest.mark.slow
def test_hint_fires_on_public_and_hidden_cases_without_values(tmp_path: Path, config: Config) -> None:
    problem = load_problem("layernorm", config.problems_dir)
    wrong = (problem.solutions_dir / "wrong" / "eps_outside_sqrt.py").read_text()
    hint = read_header(problem.solutions_dir / "wrong" / "eps_outside_sqrt.py").hint
    # A learner's file: different code, same behaviour as the known pitfall.
    learner = tmp_path / "learner.py"
    learner.write_text(
        "import numpy as np\n\n"
        "def solve(x, gamma, beta, eps):\n"
        "    x = np.asarray(x)\n"
        "    c = x - x.mean(-1, keepdims=True)\n"
        "    std = np.sqrt((c * c).mean(-1, keepdims=True))\n"
        "    return c / (std + eps) * np.asarray(gamma) + np.asarray(beta)\n"
    )
    assert learner.read_text() != wrong
    result = grade(learner, problem, config)
    failed = [c for c in result.cases if not c.passed]
    hinted = [c for c in failed if c.hint]
    assert {c.hidden for c in hinted} == {True, False}, [(c.case_id, c.hint) for c in result.cases]
    for case in hinted:
        assert hint in case.hint and "eps_outside_sqrt" in case.hint
    # A hidden case's JSON carries the hint text and nothing else new: no values, no errors.
    for case in (c for c in hinted if c.hidden):
        data = case.to_json()
        assert set(data) == {"id", "hidden", "verdict", "message", "time_s", "hint"}
        assert "mismatch" not in data and "max_abs_error" not in data
    assert all(c.hint is None for c in result.cases if c.passed)


@pytest.mark.slow
def test_no_hint_for_an_unknown_mistake(tmp_path: Path, config: Config) -> None:
    problem = load_problem("layernorm", config.problems_dir)
    learner = tmp_path / "learner.py"
    learner.write_text("import numpy as np\n\ndef solve(x, gamma, beta, eps):\n    return np.asarray(x) * 2.0\n")
    result = grade(learner, problem, config)
    assert result.verdict.value == "wrong_answer"
    assert all(c.hint is None for c in result.cases)

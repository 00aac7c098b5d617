"""Outputs beyond one array, end to end: real sandboxed gradings of a small problem (made here)
whose ``solve`` returns ``(centred, {"mean": ..., "positive": bool mask, "milli": int64})``.

Each submission is graded once over two public cases and one hidden case; the tests read the
public verdicts and messages, and check that the hidden case says nothing the submission chose.
"""

from __future__ import annotations

import io
import json
import textwrap
from pathlib import Path

import pytest

from judge.authoring.check import check_problem
from judge.cases import load_cases
from judge.config import Config
from judge.grade import HIDDEN_DETAIL, grade
from judge.problem import Problem, load_problem
from judge.report import make_console, render_text
from judge.sandbox import bwrap_usable
from judge.verdict import SubmissionResult, Verdict

pytestmark = pytest.mark.skipif(not bwrap_usable()[0], reason=f"sandbox unusable: {bwrap_usable()[1]}")

PROBLEM_YAML = """\
id: tree-stats
title: Centre a batch and return its statistics
args:
  - {name: x, type: array, dtype: float32, ndim: 2, as: numpy}
output:
  description: the centred batch and its statistics
  dtype: float32
  tree:
    tuple:
      - {description: "x minus its column means, shape (N, D)"}
      - dict:
          mean: {description: "column means, shape (D,)"}
          positive: {dtype: bool, description: "x > 0"}
          milli: {dtype: int64, description: "sum of |x| in units of 1e-5, rounded"}
tolerance: {rtol: 1.0e-5, atol: 1.0e-5}
limits: {case_time_s: 20, total_time_s: 120}
"""
# Large |x| sums: an int leaf off by one is well within rtol=1e-5 of it, so only exactness rejects it.
CASES_YAML = """\
cases:
  - id: tiny
    x: [[1.0, -2.0], [3.0, 4.0]]
  - id: public-gen
    x: {shape: [6, 3], dtype: float32, dist: uniform, low: -4.0, high: 4.0, seed: 1}
  - id: secret
    hidden: true
    x: {shape: [7, 5], dtype: float32, dist: uniform, low: -4.0, high: 4.0, seed: 2}
"""
REFERENCE = """\
import numpy as np


def solve(x):
    x = np.asarray(x, dtype=np.float32)
    mean = x.mean(axis=0)
    return (x - mean, {"mean": mean, "positive": x > 0, "milli": np.int64(np.rint(np.abs(x).astype(np.float64).sum() * 1e5))})
"""
WRONG_OFF_BY_ONE = """\
# expect: wrong_answer
# hint: milli is rounded, not truncated-and-bumped.
import numpy as np


def solve(x):
    x = np.asarray(x, dtype=np.float32)
    mean = x.mean(axis=0)
    return (x - mean, {"mean": mean, "positive": x > 0, "milli": np.int64(np.rint(np.abs(x).astype(np.float64).sum() * 1e5)) + 1})
"""
# What each submission does differently from the reference (the body of solve after `mean`, `stats`).
SUBMISSIONS = {
    # jax arrays, a Flax FrozenDict and the mask as 0/1 integers: all fine.
    "accepted_jax": """
        import jax.numpy as jnp
        from flax.core import FrozenDict
        x = jnp.asarray(x)
        return (x - x.mean(axis=0), FrozenDict({"milli": stats["milli"], "positive": (x > 0).astype(jnp.int8), "mean": x.mean(axis=0)}))
    """,
    "missing_key": """
        del stats["milli"]
        return (x - mean, stats)
    """,
    # The extra key is chosen from the inputs: it must never reach a hidden case's report.
    "extra_key": """
        stats[f"LEAK{x.shape[0]}x{x.shape[1]}"] = mean
        return (x - mean, stats)
    """,
    "list_not_tuple": """
        return [x - mean, stats]
    """,
    "nan_mean": """
        stats["mean"] = mean.at[0].set(float("nan")) if hasattr(mean, "at") else np.where(np.arange(mean.size) == 0, np.nan, mean)
        return (x - mean, stats)
    """,
    "off_by_one": """
        stats["milli"] = stats["milli"] + 1
        return (x - mean, stats)
    """,
}


def submission_source(body: str) -> str:
    head = (
        "import numpy as np\n\n\ndef solve(x):\n"
        "    x = np.asarray(x, dtype=np.float32)\n"
        "    mean = x.mean(axis=0)\n"
        "    stats = {'mean': mean, 'positive': x > 0, 'milli': np.int64(np.rint(np.abs(x).astype(np.float64).sum() * 1e5))}\n"
    )
    return head + textwrap.indent(textwrap.dedent(body).strip("\n"), "    ") + "\n"


@pytest.fixture(scope="module")
def tree_problem(tmp_path_factory: pytest.TempPathFactory) -> Problem:
    root = tmp_path_factory.mktemp("problems") / "tree-stats"
    (root / "solutions" / "accepted").mkdir(parents=True)
    (root / "solutions" / "wrong").mkdir()
    (root / "problem.yaml").write_text(PROBLEM_YAML)
    (root / "cases.yaml").write_text(CASES_YAML)
    (root / "reference.py").write_text(REFERENCE)
    (root / "solutions" / "wrong" / "off_by_one.py").write_text(WRONG_OFF_BY_ONE)
    (root / "solutions" / "accepted" / "jax_frozendict.py").write_text("# expect: accepted\n" + submission_source(SUBMISSIONS["accepted_jax"]))
    (root / "statement.md").write_text("# Centre a batch\n\nReturn `(x - mean, {'mean': ..., 'positive': ..., 'milli': ...})`.\n")
    (root / "template.py").write_text("def solve(x):\n    raise NotImplementedError\n")
    return load_problem(root)


@pytest.fixture(scope="module")
def graded(tree_problem: Problem, config: Config, tmp_path_factory: pytest.TempPathFactory) -> dict[str, SubmissionResult]:
    folder = tmp_path_factory.mktemp("submissions")
    cases = load_cases(tree_problem)
    results = {}
    for name, body in SUBMISSIONS.items():
        path = folder / f"{name}.py"
        path.write_text(submission_source(body))
        results[name] = grade(path, tree_problem, config, cases=cases, hints=name == "off_by_one")
    return results


def public(result: SubmissionResult) -> dict[str, str]:
    return {c.case_id: c.message for c in result.cases if not c.hidden}


def hidden_message(result: SubmissionResult) -> str:
    (case,) = [c for c in result.cases if c.hidden]
    assert case.mismatch is None and case.max_abs_error is None
    return case.message


def test_a_tree_of_jax_arrays_and_a_frozendict_is_accepted(graded: dict[str, SubmissionResult]) -> None:
    result = graded["accepted_jax"]
    assert result.verdict is Verdict.ACCEPTED, result.to_json()
    assert all(c.max_abs_error is not None for c in result.cases if not c.hidden)


@pytest.mark.parametrize(
    ("name", "message", "hidden"),
    [
        ("missing_key", "[1]: missing key 'milli'", "wrong structure"),
        ("extra_key", "[1]: unexpected key 'LEAK2x2'", "wrong structure"),
        ("list_not_tuple", "output: expected a tuple, got a list", "wrong structure"),
    ],
)
def test_a_wrong_structure_names_the_path(graded: dict[str, SubmissionResult], name: str, message: str, hidden: str) -> None:
    result = graded[name]
    assert result.verdict is Verdict.WRONG_ANSWER, result.to_json()
    assert public(result)["tiny"] == message
    assert all(c.verdict is Verdict.WRONG_ANSWER for c in result.cases)
    assert hidden_message(result) == f"{hidden} ({HIDDEN_DETAIL})"


def test_a_nan_leaf_is_named(graded: dict[str, SubmissionResult]) -> None:
    result = graded["nan_mean"]
    assert result.verdict is Verdict.WRONG_ANSWER
    assert public(result)["tiny"].startswith("[1]['mean']: output contains 1 NaN and 0 infinite values")
    case = next(c for c in result.cases if c.case_id == "tiny")
    assert case.mismatch is not None and case.mismatch.to_json()["path"] == "[1]['mean']"
    assert hidden_message(result) == f"wrong values ({HIDDEN_DETAIL})"


def test_an_int_leaf_off_by_one_is_rejected_exactly_with_its_hint(graded: dict[str, SubmissionResult]) -> None:
    result = graded["off_by_one"]
    assert result.verdict is Verdict.WRONG_ANSWER
    for case in result.cases:
        assert case.verdict is Verdict.WRONG_ANSWER
        assert case.hint == "milli is rounded, not truncated-and-bumped. (known pitfall: off_by_one)"
    assert public(result)["public-gen"] == "[1]['milli']: 1/1 elements differ (compared exactly); first at index 0"
    assert hidden_message(result) == f"wrong values ({HIDDEN_DETAIL})"
    text = io.StringIO()
    render_text(result, make_console(text))
    assert "[1]['milli']: 1/1 elements differ" in text.getvalue()


def test_hidden_reports_carry_nothing_the_submission_chose(graded: dict[str, SubmissionResult]) -> None:
    secret = "LEAK7x5"  # the extra key extra_key.py builds from the hidden case's shape
    for name, result in graded.items():
        report = json.dumps(result.to_json())
        text = io.StringIO()
        render_text(result, make_console(text))
        assert secret not in report and secret not in text.getvalue(), name
        for case in result.cases:
            if case.hidden:
                assert "[" not in case.message and "'" not in case.message, (name, case.message)


def test_judge_check_passes_a_tree_problem_and_tests_each_float_leaf(tree_problem: Problem, config: Config) -> None:
    report = check_problem(tree_problem.root, config)
    assert report.ok, [(i.name, i.message) for i in report.items if not i.ok]
    # "tiny" has bfloat16-exact float leaves: it cannot test the tolerance; the generated cases can
    assert report.untestable_tolerance_cases == ("tiny",)


def test_judge_check_fails_a_reference_that_returns_other_containers(tree_problem: Problem, config: Config,
                                                                   tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "tree-stats"
    shutil.copytree(tree_problem.root, root)
    (root / "reference.py").write_text(REFERENCE.replace("return (x - mean,", "return [x - mean,").replace("})", "}]"))
    report = check_problem(root, config)
    failed = {i.name: i.message for i in report.items if not i.ok}
    assert "output: expected a tuple, got a list" in failed["reference is deterministic and finite"], failed

"""Issue #15 frictions met by problem authors (item 12) and the learner's mismatch indices (item 8).

None of these tests runs JAX: cases are validated (never graded), and the reference run is faked.
"""

from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from judge.authoring.cases import build_case_fields, show_cases, validate_fields
from judge.cases import load_cases, shape_conflict
from judge.cli import main
from judge.cli.authoring import new, register
from judge.compare import compare
from judge.errors import AuthoringError, ProblemSpecError
from judge.problem import REFERENCE_TRACEBACK, dtype_error, load_problem, reference_traceback
from judge.runner import CaseOutcome, OutcomeKind

REPO = Path(__file__).resolve().parent.parent
SHIPPED = ("conv1d", "conv2d", "layernorm", "batchnorm", "grads", "dropout")

if "check" not in main.commands:
    register(main)


def invoke(*args: str, problems: Path, cache: Path) -> tuple[int, str]:
    env = {"JUDGE_PROBLEMS_DIR": str(problems), "JUDGE_CACHE_DIR": str(cache)}
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.output


def copy_problem(name: str, tmp_path: Path) -> Path:
    root = tmp_path / "problems" / name
    shutil.copytree(REPO / "problems" / name, root)
    return root


def edit(path: Path, old: str, new_text: str) -> None:
    text = path.read_text()
    assert old in text, (old, path)
    path.write_text(text.replace(old, new_text, 1))


# -- 12a: a misspelt dtype is named, with the valid ones and a did-you-mean -------------------


def test_dtype_error_names_the_typo_and_suggests() -> None:
    message = dtype_error("flaot32")
    assert message is not None and message.startswith("unknown dtype 'flaot32'; valid: float16, float32")
    assert "did you mean 'float32'?" in message
    assert dtype_error("float32") is None
    assert "did you mean" not in str(dtype_error("complex"))


@pytest.mark.parametrize("key", ["args", "output"])
def test_problem_yaml_dtype_typo(tmp_path: Path, key: str) -> None:
    root = copy_problem("layernorm", tmp_path)
    old = "    dtype: float32\n    ndim: 2" if key == "args" else "shape (N, D)\n  dtype: float32"
    edit(root / "problem.yaml", old, old.replace("float32", "flaot32"))
    with pytest.raises(ProblemSpecError) as info:
        load_problem(root)
    assert "unknown dtype 'flaot32'" in str(info.value) and "did you mean 'float32'?" in str(info.value)
    assert "need a dtype" not in str(info.value)


def test_missing_dtype_still_says_arrays_need_one(tmp_path: Path) -> None:
    root = copy_problem("layernorm", tmp_path)
    edit(root / "problem.yaml", "    dtype: float32\n    ndim: 2\n", "    ndim: 2\n")
    with pytest.raises(ProblemSpecError, match="arrays need a dtype"):
        load_problem(root)


def test_cases_yaml_and_cases_add_dtype_typo(tmp_path: Path) -> None:
    root = copy_problem("conv1d", tmp_path)
    edit(root / "cases.yaml", "[8, 3], dtype: float32", "[8, 3], dtype: flaot32")
    problem = load_problem(root)
    with pytest.raises(ProblemSpecError) as info:
        load_cases(problem)
    assert "unknown dtype 'flaot32'" in str(info.value) and "did you mean 'float32'?" in str(info.value)
    fields = build_case_fields(problem, "typo", {"seed": "1", "features": "2", "kernel_size": "2",
                                                 "x": "{shape: [3, 1], dtype: flaot32, seed: 4}"})
    with pytest.raises(AuthoringError, match=r"unknown dtype 'flaot32'.*did you mean 'float32'"):
        validate_fields(problem, fields, ())


# -- 12b: 1e-6 (a string to YAML 1.1) is a number for float inputs ----------------------------


def test_float_input_written_1e_minus_6_loads(tmp_path: Path) -> None:
    root = copy_problem("layernorm", tmp_path)
    text = (root / "cases.yaml").read_text()
    eps_lines = re.findall(r"^\s+eps: .*$", text, flags=re.M)
    assert eps_lines
    (root / "cases.yaml").write_text(text.replace(eps_lines[0], eps_lines[0].split(":")[0] + ": 1e-6", 1))
    cases = load_cases(load_problem(root))
    assert 1e-6 in [c.inputs["eps"] for c in cases]
    assert all(isinstance(c.inputs["eps"], float) for c in cases)


def test_generator_param_written_1e_minus_3_loads(tmp_path: Path) -> None:
    root = copy_problem("conv1d", tmp_path)
    edit(root / "cases.yaml", "dist: normal, seed:", "dist: normal, std: 1e-3, seed:")
    assert any(isinstance(c.inputs["x"], dict) and c.inputs["x"].get("std") == 1e-3 for c in load_cases(load_problem(root)))


def test_cases_add_set_eps_1e_minus_6() -> None:
    problem = load_problem("layernorm", REPO / "problems")
    values = {"x": "[[1.0, 2.0]]", "gamma": "[1.0, 1.0]", "beta": "[0.0, 0.0]", "eps": "1e-6"}
    fields = build_case_fields(problem, "tiny-eps", values)
    assert fields["eps"] == 1e-6 and isinstance(fields["eps"], float)
    assert validate_fields(problem, fields, ()).inputs["eps"] == 1e-6
    fields = build_case_fields(problem, "word", {**values, "eps": "small"})
    with pytest.raises(AuthoringError, match="must be a finite number; got 'small'"):
        validate_fields(problem, fields, ())


# -- 12c: named dimensions shared across arguments must agree ----------------------------------


def test_cases_add_rejects_a_scale_of_the_wrong_length() -> None:
    problem = load_problem("layernorm", REPO / "problems")
    fields = build_case_fields(problem, "bad-gamma", {"x": "[[1.0, 2.0]]", "gamma": "[1.0]", "beta": "[0.0, 0.0]", "eps": "0.1"})
    with pytest.raises(AuthoringError) as info:
        validate_fields(problem, fields, ())
    text = str(info.value)
    assert "\n" not in text
    assert "bad-gamma" in text and "gamma" in text and "dimension D" in text
    assert "gamma.shape[0] = 1" in text and "x.shape[1] = 2" in text
    # A generator spec's shape is checked the same way.
    fields = build_case_fields(problem, "bad-beta", {"x": "{shape: [3, 4], seed: 1}", "gamma": "{shape: [4], seed: 2}",
                                                     "beta": "{shape: [5], seed: 3}", "eps": "0.1"})
    with pytest.raises(AuthoringError, match=r"dimension D: beta.shape\[0\] = 5, but x.shape\[1\] = 4"):
        validate_fields(problem, fields, ())


def test_cases_yaml_with_disagreeing_dimension_fails_to_load(tmp_path: Path) -> None:
    root = copy_problem("layernorm", tmp_path)
    with (root / "cases.yaml").open("a") as handle:
        handle.write("\n  - id: mismatched\n    x: [[1.0, 2.0]]\n    gamma: [1.0]\n    beta: [0.0, 0.0]\n    eps: 0.1\n")
    with pytest.raises(ProblemSpecError) as info:
        load_cases(load_problem(root))
    assert info.value.case == "mismatched" and info.value.field == "gamma" and "dimension D" in str(info.value)


def test_int_argument_named_in_a_shape_must_match(tmp_path: Path) -> None:
    root = tmp_path / "problems" / "rows"
    root.mkdir(parents=True)
    (root / "problem.yaml").write_text(
        "id: rows\nargs:\n"
        "  - {name: n, type: int, gen: {min: 1, max: 4}}\n"
        "  - {name: x, type: array, dtype: float32, ndim: 1, gen: {shape: [n]}}\n"
        "tolerance: {rtol: 1.0e-5, atol: 1.0e-5}\n"
    )
    (root / "cases.yaml").write_text("cases:\n  - {id: ok, n: 2, x: [1.0, 2.0]}\n  - {id: short, n: 3, x: [1.0, 2.0]}\n")
    with pytest.raises(ProblemSpecError) as info:
        load_cases(load_problem(root))
    assert info.value.case == "short" and "dimension n: x.shape[0] = 2, but n = 3" in str(info.value)


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_cases_agree_on_their_dimensions(name: str) -> None:
    problem = load_problem(name, REPO / "problems")
    cases = load_cases(problem)
    assert cases and all(shape_conflict(problem, c.inputs) is None for c in cases)


# -- 12d: the reference's traceback is labelled as the reference's ----------------------------


def test_reference_traceback_relabels_the_learner_label() -> None:
    message = "AssertionError while calling solve: no\nTraceback (your code only):\n  File \"reference.py\", line 3"
    relabelled = reference_traceback(message)
    assert "your code" not in relabelled and REFERENCE_TRACEBACK in relabelled


def test_reference_failure_log_is_not_labelled_your_code(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    from judge import expected

    message = "AssertionError while calling solve: no\nTraceback (your code only):\n  File \"reference.py\", line 3, in solve"

    class FakeRun:
        def outcomes(self) -> Any:
            yield CaseOutcome(0, OutcomeKind.EXCEPTION, message=message, exc_type="AssertionError")

    fake_plan = SimpleNamespace(run_cases=lambda *a, **k: FakeRun())
    monkeypatch.setattr(expected.RunPlan, "trusted", classmethod(lambda cls, problem, config: fake_plan))
    problem = load_problem("layernorm", REPO / "problems")
    case = load_cases(problem)[0]
    with caplog.at_level(logging.ERROR, logger="judge.expected"):
        result = expected.reference_outputs(problem, [case], [{}], SimpleNamespace())  # type: ignore[arg-type]
    logged = caplog.text + result[case.id].error
    assert "your code" not in logged and REFERENCE_TRACEBACK in caplog.text


# -- 12e: the `judge new --help` example works ------------------------------------------------


def test_new_help_example_is_a_fresh_id_and_works(tmp_path: Path) -> None:
    help_text = new.help or ""
    match = re.search(r"judge new (\S+)", help_text)
    assert match, help_text
    problem_id = match.group(1)
    assert not (REPO / "problems" / problem_id).exists(), f"the help's example {problem_id!r} is a shipped problem"
    code, out = invoke("new", problem_id, problems=tmp_path / "problems", cache=tmp_path / "cache")
    assert code == 0, out
    assert (tmp_path / "problems" / problem_id / "problem.yaml").is_file()
    assert f"judge check --problem {problem_id}" in help_text


# -- item 8: mismatch indices are in the output's shape; one case's inputs can be shown -------


def test_mismatch_indices_are_in_the_output_shape() -> None:
    expected = np.zeros((3, 4), dtype=np.float32)
    got = expected.copy()
    got[1, 2] = 1.0
    got[2, 0] = 1.0
    result = compare(expected, got, rtol=1e-5, atol=1e-5, reveal=True)
    assert result.mismatch is not None
    assert result.mismatch.first_indices == ((1, 2), (2, 0))
    assert result.mismatch.to_json()["first_indices"] == [[1, 2], [2, 0]]
    assert "first at index (1, 2), (2, 0)" in result.message


def test_cases_show_one_case(tmp_path: Path) -> None:
    problem = load_problem("conv1d", REPO / "problems")
    assert [c["id"] for c in show_cases(problem, case_ids=["worked-example"])] == ["worked-example"]
    with pytest.raises(AuthoringError, match="no case 'nope'"):
        show_cases(problem, case_ids=["nope"])
    code, out = invoke("cases", "show", "-p", "conv1d", "--case", "worked-example",
                       problems=REPO / "problems", cache=tmp_path / "cache")
    assert code == 0, out
    assert out.startswith("worked-example\n") and "small-multichannel" not in out

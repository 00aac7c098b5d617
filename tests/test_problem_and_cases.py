from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from judge.cases import generate_array, load_cases, materialize
from judge.errors import ProblemSpecError
from judge.genspec import DISTRIBUTIONS, parse_arg_gen
from judge.problem import ArgType, Problem, load_problem
from judge.yamlio import yaml_number


@pytest.fixture()
def problem_copy(tmp_path: Path, repo: Path) -> Path:
    dest = tmp_path / "p"
    shutil.copytree(repo / "problems" / "conv1d", dest)
    return dest


def test_conv1d_loads(conv1d: Problem) -> None:
    assert conv1d.id == "conv1d" and conv1d.entry_point == "solve"
    assert [a.name for a in conv1d.args] == ["seed", "x", "features", "kernel_size"]
    assert conv1d.arg("x").type is ArgType.ARRAY and conv1d.arg("x").ndim == 2
    assert conv1d.tolerance.rtol > 0 and conv1d.tolerance.atol > 0


def test_conv1d_cases_cover_the_pitfalls(conv1d: Problem) -> None:
    cases = load_cases(conv1d)
    assert len(cases) >= 12
    public = [c for c in cases if not c.hidden]
    assert 1 <= len(public) < len(cases)
    shapes = [materialize(conv1d, c) for c in cases]
    L = [s["x"].shape[0] for s in shapes]
    C = [s["x"].shape[1] for s in shapes]
    K = [s["kernel_size"] for s in shapes]
    F = [s["features"] for s in shapes]
    seeds = [s["seed"] for s in shapes]
    assert 1 in L and max(L) >= 256
    assert 1 in K and any(k > length for k, length in zip(K, L, strict=True)) and any(k % 2 == 0 for k in K)
    assert 1 in C and any(c > 1 for c in C)
    assert any(c == f for c, f in zip(C, F, strict=True)) and any(c != f for c, f in zip(C, F, strict=True))
    assert 1 in F
    assert 0.0 in seeds and max(seeds) >= 2**31 - 1
    assert all(isinstance(s, float) for s in seeds)
    assert all(s["x"].dtype == np.float32 for s in shapes)


def test_generator_is_deterministic_and_honours_the_spec() -> None:
    spec = {"shape": [5, 3], "dtype": "float32", "dist": "uniform", "low": -2, "high": 2, "seed": 9}
    a, b = generate_array(spec, "float32"), generate_array(spec, "float32")
    assert a.dtype == np.float32 and a.shape == (5, 3)
    assert np.array_equal(a, b) and a.min() >= -2 and a.max() < 2
    assert not np.array_equal(a, generate_array({**spec, "seed": 10}, "float32"))
    ints = generate_array({"shape": [100], "dist": "randint", "low": 0, "high": 3, "seed": 1}, "int32")
    assert set(np.unique(ints)) <= {0, 1, 2}


def test_unknown_problem_lists_known_ones(repo: Path) -> None:
    with pytest.raises(ProblemSpecError, match="known problems in .*conv1d"):
        load_problem("nope", repo / "problems")


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(needle)


@pytest.mark.parametrize(
    ("old", "new", "field", "match"),
    [
        ("kernel_size: 3", "kernel_size: 3.5", "kernel_size", "must be an integer"),
        ("features: 2", "features: two", "features", "must be an integer"),
        ("seed: 0.0", "seed: .nan", "seed", "finite number"),
        ("dist: normal, seed: 11", "dist: cauchy, seed: 11", "x", "unknown dist"),
    ],
)
def test_bad_case_fields_name_file_line_case_and_field(problem_copy: Path, old: str, new: str, field: str, match: str) -> None:
    cases_file = problem_copy / "cases.yaml"
    replace_in(cases_file, old, new)
    problem = load_problem(problem_copy)
    with pytest.raises(ProblemSpecError, match=match) as info:
        load_cases(problem)
    err = info.value
    assert err.file == str(cases_file) and err.field == field and err.case
    assert err.line is not None and cases_file.read_text().splitlines()[err.line - 1].strip().startswith(field)


def test_missing_input_and_unknown_field(problem_copy: Path) -> None:
    cases_file = problem_copy / "cases.yaml"
    replace_in(cases_file, "features: 2", "feature: 2")
    with pytest.raises(ProblemSpecError, match="unknown field") as info:
        load_cases(load_problem(problem_copy))
    assert info.value.field == "feature"


def test_duplicate_ids_are_rejected(problem_copy: Path) -> None:
    cases_file = problem_copy / "cases.yaml"
    first = load_cases(load_problem(problem_copy))[0].id
    second = load_cases(load_problem(problem_copy))[1].id
    replace_in(cases_file, f"id: {second}", f"id: {first}")
    with pytest.raises(ProblemSpecError, match="duplicate case id"):
        load_cases(load_problem(problem_copy))


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("type: int", "type: integer", "args[2].type"),
        ("rtol: 1.0e-5", "rtol: 5", "tolerance.rtol"),
        ("case_time_s: 10", "case_time_s: -3", "limits.case_time_s"),
        ("id: conv1d", "id: Conv 1D", "id"),
    ],
)
def test_bad_problem_yaml_names_line_and_field(problem_copy: Path, old: str, new: str, field: str) -> None:
    problem_file = problem_copy / "problem.yaml"
    replace_in(problem_file, old, new)
    with pytest.raises(ProblemSpecError) as info:
        load_problem(problem_copy)
    assert info.value.field == field
    assert info.value.line == line_of(problem_file, new.split(":")[0] + ":" + new.split(":", 1)[1])


def test_yaml_syntax_error(problem_copy: Path) -> None:
    (problem_copy / "cases.yaml").write_text("cases:\n  - id: a\n    seed: [1\n")
    with pytest.raises(ProblemSpecError, match="invalid YAML"):
        load_cases(load_problem(problem_copy))


def test_yaml_1_1_exponents_read_as_numbers_in_every_tolerance(problem_copy: Path) -> None:
    """PyYAML reads ``1e-3`` as a string; problem and case tolerances both take it as a number."""
    assert yaml_number("1e-3") == 0.001 and yaml_number("1.0e-3") == 0.001
    assert yaml_number("abc") == "abc" and yaml_number(None) is None and yaml_number(True) is True
    replace_in(problem_copy / "problem.yaml", "rtol: 1.0e-5", "rtol: 1e-3")
    replace_in(problem_copy / "cases.yaml", "id: worked-example\n", "id: worked-example\n    atol: 1e-4\n")
    problem = load_problem(problem_copy)
    assert problem.tolerance.rtol == 0.001
    assert load_cases(problem)[0].atol == 0.0001
    replace_in(problem_copy / "problem.yaml", "rtol: 1e-3", "rtol: 1e-x")
    with pytest.raises(ProblemSpecError, match=r"must be a number in \[0, 1\); got '1e-x'"):
        load_problem(problem_copy)


def test_one_table_of_distributions_for_gen_blocks_and_generator_specs(problem_copy: Path) -> None:
    """Every distribution in the table is accepted by a ``gen:`` block and by a case's generator spec, and draws."""

    def fail(message: str, key: str) -> ValueError:
        return ValueError(message)

    assert list(DISTRIBUTIONS) == ["normal", "uniform", "randint"]
    gen = parse_arg_gen({"shape": [2], "dist": list(DISTRIBUTIONS), "low": 0, "high": 3}, "array", fail)
    assert gen.dists == tuple(DISTRIBUTIONS)
    with pytest.raises(ValueError, match="dist must be one of normal, uniform, randint"):
        parse_arg_gen({"shape": [2], "dist": "cauchy"}, "array", fail)
    literal = "x: [[1.0], [2.0], [3.0], [4.0]]"
    for name, dist in DISTRIBUTIONS.items():
        params = ", low: 0, high: 3" if dist.params == ("low", "high") else ""
        generated = f"x: {{shape: [4, 2], dtype: float32, dist: {name}, seed: 1{params}}}"
        replace_in(problem_copy / "cases.yaml", literal, generated)
        problem = load_problem(problem_copy)
        assert materialize(problem, load_cases(problem)[0])["x"].shape == (4, 2)
        replace_in(problem_copy / "cases.yaml", generated, literal)


def test_arg_type_converts_scalars_as_solve_gets_them() -> None:
    assert ArgType.FLOAT.convert(2) == 2.0 and isinstance(ArgType.FLOAT.convert(2), float)
    assert ArgType.INT.convert(3.0) == 3 and isinstance(ArgType.INT.convert(3.0), int)
    assert ArgType.BOOL.convert(True) is True
    with pytest.raises(TypeError):
        ArgType.ARRAY.convert([1.0])


@pytest.fixture()
def embedding_copy(tmp_path: Path, repo: Path) -> Path:
    dest = tmp_path / "embedding"
    shutil.copytree(repo / "problems" / "embedding", dest)
    return dest


def test_integer_array_inputs_reach_solve_as_exact_integers(embedding_copy: Path) -> None:
    """embedding's int32 tokens: literal and randint-generated, materialized as int32 in range."""
    problem = load_problem(embedding_copy)
    assert problem.arg("tokens").dtype == "int32"
    for case in load_cases(problem):
        tokens = materialize(problem, case)["tokens"]
        assert tokens.dtype == np.int32 and tokens.ndim == 1
        assert 0 <= tokens.min() and tokens.max() < case.inputs["vocab_size"]
    literal = materialize(problem, next(c for c in load_cases(problem) if c.id == "large-vocabulary"))["tokens"]
    assert literal.tolist()[:3] == [999, 0, 500]


@pytest.mark.parametrize(
    ("new", "match"),
    [
        ("tokens: [3, 0.5, 3]", r"int32 array literal entries must be integers; got 0\.5"),
        ("tokens: [3, true, 3]", "int32 array literal entries must be integers; got True"),
        ("tokens: [3, 4294967296, 3]", r"4294967296 does not fit int32 \(\[-2147483648, 2147483647\]\)"),
        ("tokens: {shape: [3], dtype: int32, dist: normal, seed: 1}", "int32 arrays must use dist randint"),
        ("tokens: {shape: [3], dtype: int32, dist: randint, low: 0.5, high: 3, seed: 1}", "randint needs integer 'low' and 'high'"),
        ("tokens: {shape: [3], dtype: int32, dist: randint, low: 0, high: 5000000000, seed: 1}", r"\[0, 5000000000\), which does not fit int32"),
    ],
)
def test_integer_array_cases_are_refused_where_numpy_would_truncate_or_wrap(embedding_copy: Path, new: str, match: str) -> None:
    """Without these checks 0.5 became 0, True became 1, a normal draw became zeros, a too-wide
    randint range wrapped around, and 2**32 raised an OverflowError traceback."""
    cases_file = embedding_copy / "cases.yaml"
    replace_in(cases_file, "tokens: [3, 0, 3]", new)
    with pytest.raises(ProblemSpecError, match=match) as info:
        load_cases(load_problem(embedding_copy))
    assert info.value.field == "tokens" and info.value.case == "worked-example"
    assert info.value.line == line_of(cases_file, new)


@pytest.mark.parametrize(
    ("new", "match"),
    [
        ("gen: {shape: [L], dist: [randint, normal], low: 0, high: 16}", "int32 arrays must use dist randint"),
        ("gen: {shape: [L], dist: randint, low: 0, high: 4294967296}", r"which does not fit int32"),
    ],
)
def test_integer_array_gen_blocks_draw_only_integers_that_fit(embedding_copy: Path, new: str, match: str) -> None:
    problem_file = embedding_copy / "problem.yaml"
    replace_in(problem_file, "gen: {shape: [L], dist: randint, low: 0, high: 16}", new)
    with pytest.raises(ProblemSpecError, match=match) as info:
        load_problem(embedding_copy)
    assert info.value.field == "args[1].gen" and info.value.line == line_of(problem_file, new)

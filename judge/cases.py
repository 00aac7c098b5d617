"""``cases.yaml`` -> validated :class:`TestCase` objects -> materialized inputs for ``solve``.

An array input is either a literal nested list or a generator spec, so large inputs stay out of
the YAML::

    x: {shape: [300, 4], dtype: float32, dist: normal, seed: 7}          # mean/std optional
    x: {shape: [16, 2], dtype: float32, dist: uniform, low: -1, high: 1, seed: 3}
    x: {shape: [8, 3], dtype: int32, dist: randint, low: 0, high: 10, seed: 1}

The same spec always yields the same array (NumPy's PCG64 generator seeded with ``seed``).
The distributions, the keys each takes and how each is drawn are one table,
:data:`judge.genspec.DISTRIBUTIONS`.

Example (run from the repository root, where ``problems/`` is):
    >>> from judge.problem import load_problem
    >>> problem = load_problem("conv1d")
    >>> cases = load_cases(problem)
    >>> inputs = materialize(problem, cases[0])
    >>> inputs["x"].shape, inputs["seed"], inputs["kernel_size"]
    ((4, 1), 0.0, 3)
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ProblemSpecError
from .genspec import DEFAULT_DIST, DIST_PARAMS, DISTRIBUTIONS, INTEGER_RANGES, integer_draw_error
from .problem import ArgSpec, ArgType, Problem, Tolerance, dtype_error
from .yamlio import LineDict, LineList, load_yaml_file, yaml_number

_GEN_KEYS = {"shape", "dtype", "dist", "seed", *DIST_PARAMS}
_CASE_KEYS = {"id", "hidden", "note", "rtol", "atol"}
MAX_GENERATED_ELEMENTS = 50_000_000


@dataclass(frozen=True)
class TestCase:
    """One case: its id, visibility, raw inputs (as in the YAML) and optional tolerance overrides."""

    id: str
    hidden: bool
    inputs: Mapping[str, Any]
    rtol: float | None = None
    atol: float | None = None
    note: str = ""
    line: int = 0

    __test__ = False  # not a pytest test class

    def canonical(self) -> str:
        """A stable text of everything that decides this case's inputs and expected output."""
        return json.dumps(
            {"id": self.id, "inputs": _plain(self.inputs), "rtol": self.rtol, "atol": self.atol},
            sort_keys=True,
            separators=(",", ":"),
        )


def load_cases(problem: Problem, path: Path | None = None) -> tuple[TestCase, ...]:
    """Read and validate the problem's cases; errors name file, line, case id and field."""
    file = path or problem.cases_file
    doc = load_yaml_file(file, ProblemSpecError)
    if not isinstance(doc, LineDict) or "cases" not in doc:
        raise ProblemSpecError("the top level must be a mapping with a 'cases:' list", file=file, line=1)
    raw_cases = doc["cases"]
    if not isinstance(raw_cases, LineList) or not raw_cases:
        raise ProblemSpecError("must be a non-empty list", file=file, line=doc.line_of("cases"), field="cases")
    cases: list[TestCase] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(raw_cases):
        case = parse_case(problem, raw, file, raw_cases.line_at(index), index)
        if case.id in seen:
            raise ProblemSpecError(
                f"duplicate case id (first at line {seen[case.id]})", file=file, line=case.line, case=case.id, field="id"
            )
        seen[case.id] = case.line
        cases.append(case)
    return tuple(cases)


def parse_case(problem: Problem, raw: Any, file: Path, line: int, index: int) -> TestCase:
    """Validate one case mapping against the problem's argument list."""
    if not isinstance(raw, LineDict):
        raise ProblemSpecError(f"case #{index + 1} must be a mapping", file=file, line=line)
    case_id = raw.get("id")
    if not isinstance(case_id, (str, int)) or isinstance(case_id, bool) or not str(case_id).strip():
        raise ProblemSpecError(f"case #{index + 1} needs an 'id'", file=file, line=raw.line, field="id")
    case_id = str(case_id)

    def fail(message: str, field: str) -> ProblemSpecError:
        return ProblemSpecError(message, file=file, line=raw.line_of(field), case=case_id, field=field)

    arg_names = [a.name for a in problem.args]
    for key in raw:
        if key not in _CASE_KEYS and key not in arg_names:
            raise fail(f"unknown field; inputs of {problem.id}: {', '.join(arg_names)}", str(key))
    for name in arg_names:
        if name not in raw:
            raise ProblemSpecError(f"missing input {name!r}", file=file, line=raw.line, case=case_id, field=name)
    hidden = raw.get("hidden", False)
    if not isinstance(hidden, bool):
        raise fail("must be true or false", "hidden")
    tolerances: dict[str, float | None] = {}
    for key in ("rtol", "atol"):
        value = yaml_number(raw.get(key))
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1):
            raise fail("must be a number in [0, 1)", key)
        tolerances[key] = None if value is None else float(value)
    inputs: dict[str, Any] = {}
    for spec in problem.args:
        value = _numbers(spec, raw[spec.name])
        _check_input(spec, value, lambda msg, s=spec: fail(msg, s.name))
        inputs[spec.name] = _plain(value)
    conflict = shape_conflict(problem, inputs)
    if conflict is not None:
        raise fail(conflict[1], conflict[0])
    return TestCase(
        id=case_id,
        hidden=hidden,
        inputs=inputs,
        rtol=tolerances["rtol"],
        atol=tolerances["atol"],
        note=str(raw.get("note", "")),
        line=raw.line,
    )


def _numbers(spec: ArgSpec, value: Any) -> Any:
    """``value`` with the numbers YAML 1.1 reads as strings (``1e-6``, ``1.0e5``) made floats: a
    float input, or a generator spec's mean/std/low/high. Other strings stay as they are."""
    if spec.type is ArgType.FLOAT and isinstance(value, str):
        return yaml_number(value)
    if spec.type is ArgType.ARRAY and isinstance(value, Mapping):
        return {key: yaml_number(item) if key in DIST_PARAMS else item for key, item in value.items()}
    return value


def named_dims(spec: ArgSpec, shape: tuple[int, ...]) -> list[tuple[str, int, int]]:
    """``(name, axis, size)`` for each axis of ``spec``'s ``gen.shape`` that is a name (a
    ``gen.dims`` variable or an int argument); none when the rank differs from that shape."""
    if spec.gen is None or len(spec.gen.shape) != len(shape):
        return []
    return [(d, axis, int(size)) for axis, (d, size) in enumerate(zip(spec.gen.shape, shape, strict=True)) if isinstance(d, str)]


def shape_conflict(problem: Problem, inputs: Mapping[str, Any]) -> tuple[str, str] | None:
    """The first disagreement on a named dimension between a case's arrays (literal or generator
    spec) and int arguments, as ``(field, message)``; None if they agree.

    The names come from the ``gen:`` shapes of problem.yaml (``shape: [N, D]`` for ``x`` and
    ``[D]`` for ``gamma`` say both share ``D``), so a problem without them is never checked.

    Example:
        >>> from judge.problem import load_problem
        >>> problem = load_problem("layernorm")
        >>> shape_conflict(problem, {"x": [[1.0, 2.0]], "gamma": [1.0], "beta": [0.0, 0.0], "eps": 1e-5})
        ('gamma', "dimension D: gamma.shape[0] = 1, but x.shape[1] = 2 (problem.yaml's gen shapes name D for both)")
    """
    seen: dict[str, tuple[str, int]] = {}  # name -> (where, size)
    for spec in problem.args:
        if spec.type is ArgType.INT and isinstance(inputs.get(spec.name), int):
            seen.setdefault(spec.name, (spec.name, int(inputs[spec.name])))
    for spec in problem.args:
        raw = inputs.get(spec.name)
        if spec.type is not ArgType.ARRAY or spec.gen is None or raw is None:
            continue
        if isinstance(raw, Mapping):
            shape = tuple(raw.get("shape") or ())
        else:
            shape = np.shape(np.array(raw, dtype=spec.dtype))
        for name, axis, size in named_dims(spec, shape):
            where = f"{spec.name}.shape[{axis}]"
            if name not in seen:
                seen[name] = (where, size)
            elif seen[name][1] != size:
                other, other_size = seen[name]
                return spec.name, (f"dimension {name}: {where} = {size}, but {other} = {other_size} "
                                   f"(problem.yaml's gen shapes name {name} for both)")
    return None


def _check_input(spec: ArgSpec, value: Any, fail: Any) -> None:
    if spec.type is ArgType.INT:
        if isinstance(value, bool) or not isinstance(value, int):
            raise fail(f"must be an integer; got {value!r}")
    elif spec.type is ArgType.FLOAT:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise fail(f"must be a finite number; got {value!r}")
    elif spec.type is ArgType.BOOL:
        if not isinstance(value, bool):
            raise fail(f"must be true or false; got {value!r}")
    elif isinstance(value, dict):
        _check_generator(spec, value, fail)
    elif isinstance(value, list):
        if spec.dtype in INTEGER_RANGES:
            _check_integer_literal(spec.dtype, value, fail)
        try:
            array = np.array(value, dtype=spec.dtype)
        except (ValueError, TypeError) as exc:
            raise fail(f"not a rectangular numeric array: {exc}") from None
        if array.dtype.kind == "f" and not np.all(np.isfinite(array)):
            raise fail("array literal must hold finite numbers")
        if spec.ndim is not None and array.ndim != spec.ndim:
            raise fail(f"must be a {spec.ndim}-D array; the literal is {array.ndim}-D with shape {array.shape}")
    else:
        raise fail(f"must be a nested list or a generator spec mapping (shape, dtype, dist, seed); got {value!r}")


def _check_integer_literal(dtype: str, value: list[Any], fail: Any) -> None:
    """Every entry of an integer (or bool) array literal is an integer that ``dtype`` holds:
    NumPy would truncate ``1.5`` and wrap (or refuse with an OverflowError) what does not fit."""
    lo, hi = INTEGER_RANGES[dtype]
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif not isinstance(item, int) or (isinstance(item, bool) and dtype != "bool"):
            raise fail(f"{dtype} array literal entries must be integers; got {item!r}")
        elif not lo <= item <= hi:
            raise fail(f"{item} does not fit {dtype} ([{lo}, {hi}])")


def _check_generator(spec: ArgSpec, gen: Mapping[str, Any], fail: Any) -> None:
    for key in gen:
        if key not in _GEN_KEYS:
            raise fail(f"unknown generator key {key!r}; valid: {', '.join(sorted(_GEN_KEYS))}")
    shape = gen.get("shape")
    if not isinstance(shape, list) or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 1 for d in shape):
        raise fail(f"generator 'shape' must be a list of positive integers; got {shape!r}")
    if spec.ndim is not None and len(shape) != spec.ndim:
        raise fail(f"must be a {spec.ndim}-D array; generator shape {shape} has {len(shape)} dims")
    if math.prod(shape) > MAX_GENERATED_ELEMENTS:
        raise fail(f"generator shape {shape} exceeds {MAX_GENERATED_ELEMENTS} elements")
    dtype = gen.get("dtype", spec.dtype)
    if dtype_error(dtype):
        raise fail(f"generator {dtype_error(dtype)}")
    if dtype != spec.dtype:
        raise fail(f"generator dtype {dtype!r} differs from the declared dtype {spec.dtype!r}")
    dist = gen.get("dist", DEFAULT_DIST)
    if dist not in DISTRIBUTIONS:
        raise fail(f"unknown dist {dist!r}; valid: {', '.join(DISTRIBUTIONS)}")
    seed = gen.get("seed")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise fail(f"generator 'seed' must be a non-negative integer; got {seed!r}")
    for key in DIST_PARAMS:
        if key in gen and key not in DISTRIBUTIONS[dist].params:
            raise fail(f"{key!r} does not apply to dist {dist!r} (takes {', '.join(DISTRIBUTIONS[dist].params)})")
        v = gen.get(key)
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))):
            raise fail(f"generator {key!r} must be a number; got {v!r}")
    if dist == "randint" and ("low" not in gen or "high" not in gen or gen["low"] >= gen["high"]):
        raise fail("randint needs integer 'low' < 'high'")
    error = integer_draw_error(dtype, dist, gen.get("low"), gen.get("high"))
    if error:
        raise fail(f"generator {error}")
    if dist == "uniform" and gen.get("low", 0.0) >= gen.get("high", 1.0):
        raise fail("uniform needs 'low' < 'high'")
    if dist == "normal" and gen.get("std", 1.0) < 0:
        raise fail("normal needs 'std' >= 0")


def generate_array(spec: Mapping[str, Any], dtype: str) -> np.ndarray:
    """Materialize a generator spec deterministically."""
    rng = np.random.Generator(np.random.PCG64(int(spec["seed"])))
    data = DISTRIBUTIONS[spec.get("dist", DEFAULT_DIST)].draw(rng, spec, tuple(spec["shape"]))
    return np.ascontiguousarray(data.astype(dtype))


def materialize(problem: Problem, case: TestCase) -> dict[str, Any]:
    """The Python values passed to ``solve`` for ``case``: floats, ints, bools and NumPy arrays.

    Arrays are converted to ``jax.Array`` inside the process that calls ``solve`` (the parent
    never imports JAX).
    """
    values: dict[str, Any] = {}
    for spec in problem.args:
        raw = case.inputs[spec.name]
        if spec.type is not ArgType.ARRAY:
            values[spec.name] = spec.type.convert(raw)
        elif isinstance(raw, dict):
            values[spec.name] = generate_array(raw, spec.dtype or "float32")
        else:
            values[spec.name] = np.ascontiguousarray(np.array(raw, dtype=spec.dtype))
    return values


def tolerance_for(problem: Problem, case: TestCase) -> Tolerance:
    """The case's effective tolerance: its own ``rtol``/``atol`` where set, else the problem's.

    Example:
        >>> problem = type("P", (), {"tolerance": Tolerance(rtol=1e-5, atol=1e-6)})()
        >>> tolerance_for(problem, TestCase("c", False, {}, atol=1e-3))
        Tolerance(rtol=1e-05, atol=0.001)
    """
    return Tolerance(
        rtol=case.rtol if case.rtol is not None else problem.tolerance.rtol,
        atol=case.atol if case.atol is not None else problem.tolerance.atol,
    )


def fresh_inputs(problem: Problem, case: TestCase, seed: int) -> dict[str, Any]:
    """``case``'s inputs with every generated array drawn again from ``seed``: same shapes and
    distributions, values nobody knew before. Literal arrays and scalars stay as written.

    Example:
        >>> case = TestCase("c", False, {"x": {"shape": [2], "dtype": "float32", "seed": 1}})
        >>> problem = type("P", (), {"args": (ArgSpec("x", ArgType.ARRAY, dtype="float32"),)})()
        >>> a, b = fresh_inputs(problem, case, 7)["x"], fresh_inputs(problem, case, 8)["x"]
        >>> a.shape == b.shape == (2,) and not (a == b).all()
        True
    """
    inputs = dict(case.inputs)
    for position, spec in enumerate(problem.args):
        raw = inputs.get(spec.name)
        if spec.type is ArgType.ARRAY and isinstance(raw, Mapping):
            # One stream per argument, so two arrays of one call never share their values.
            inputs[spec.name] = {**raw, "seed": (seed * 1_000_003 + position) % 2**63}
    return materialize(problem, TestCase(case.id, case.hidden, inputs, case.rtol, case.atol))


def _plain(value: Any) -> Any:
    """YAML containers -> plain dict/list, so cases hash and serialize the same way."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value

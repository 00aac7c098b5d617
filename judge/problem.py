"""A problem folder on disk -> a validated, frozen :class:`Problem`.

A problem folder holds ``problem.yaml`` (this module), ``cases.yaml`` (see :mod:`judge.cases`),
``statement.md``, ``reference.py``, ``template.py`` and ``solutions/{accepted,wrong}/*.py``.

Example (run from the repository root, where ``problems/`` is):
    >>> problem = load_problem("conv1d", problems_dir=Path("problems"))
    >>> [a.name for a in problem.args]
    ['seed', 'x', 'features', 'kernel_size']
"""

from __future__ import annotations

import dataclasses
import difflib
import enum
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import Config, Limits
from .errors import ProblemSpecError
from .genspec import ArgGen, parse_arg_gen, parse_dims
from .output_tree import LeafSpec, TreeSpec, parse_tree_spec
from .yamlio import LineDict, LineList, load_yaml_file, yaml_number

PROBLEM_FILE = "problem.yaml"
CASES_FILE = "cases.yaml"
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
ARRAY_DTYPES = ("float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool")
REFERENCE_TRACEBACK = "Traceback (the problem's reference.py, not a learner's code):"
_LEARNER_TRACEBACK = "Traceback (your code only):"  # judge.worker's label, written for learners


def dtype_error(value: object) -> str | None:
    """Why ``value`` is not an array dtype the judge knows, with a did-you-mean; None if it is.

    Example:
        >>> dtype_error("float32") is None
        True
        >>> dtype_error("flaot32")
        "unknown dtype 'flaot32'; valid: float16, float32, float64, int8, int16, int32, int64, uint8, bool (did you mean 'float32'?)"
    """
    if isinstance(value, str) and value in ARRAY_DTYPES:
        return None
    message = f"unknown dtype {value!r}; valid: {', '.join(ARRAY_DTYPES)}"
    close = difflib.get_close_matches(value, ARRAY_DTYPES, n=1) if isinstance(value, str) else []
    return message + (f" (did you mean {close[0]!r}?)" if close else "")


def reference_traceback(message: str) -> str:
    """A failure message of the *reference*, with the worker's learner-facing traceback label
    ("your code only") replaced by one that says whose code failed.

    Example:
        >>> reference_traceback("ValueError: x\\nTraceback (your code only):\\n  File ...").splitlines()[1]
        "Traceback (the problem's reference.py, not a learner's code):"
    """
    return message.replace(_LEARNER_TRACEBACK, REFERENCE_TRACEBACK)


class ArgType(str, enum.Enum):
    """How a YAML value becomes the Python value passed to ``solve``."""

    FLOAT = "float"
    INT = "int"
    BOOL = "bool"
    ARRAY = "array"

    def convert(self, value: Any) -> Any:
        """A scalar (from YAML, JSON or a ``gen`` draw) as the Python value ``solve`` gets for
        this type: ``float``, ``int`` or ``bool``. Arrays have no scalar form.

        Example:
            >>> ArgType.FLOAT.convert(2), ArgType.INT.convert(3.0), ArgType.BOOL.convert(True)
            (2.0, 3, True)
        """
        if self is ArgType.FLOAT:
            return float(value)
        if self is ArgType.INT:
            return int(value)
        if self is ArgType.BOOL:
            return bool(value)
        raise TypeError("an array argument has no scalar value")


@dataclass(frozen=True)
class ArgSpec:
    """One parameter of ``solve``: its name, type and, for arrays, dtype, rank and container."""

    name: str
    type: ArgType
    dtype: str | None = None  # arrays only
    ndim: int | None = None  # arrays only; None means any rank
    container: str = "jax"  # arrays only: "jax" (jax.Array) or "numpy" (np.ndarray)
    description: str = ""
    line: int = 0
    gen: ArgGen | None = None  # the range `judge cases gen` draws from (see judge.genspec)


@dataclass(frozen=True)
class OutputSpec:
    """What ``solve`` must return. Any real numeric dtype is accepted unless ``strict_dtype``.

    ``tree``: the containers and leaves (see :mod:`judge.output_tree`); one leaf unless ``output.tree`` says otherwise.
    """

    description: str = ""
    dtype: str | None = None
    strict_dtype: bool = False
    tree: TreeSpec = LeafSpec()


@dataclass(frozen=True)
class Tolerance:
    """allclose-style: ``|got - expected| <= atol + rtol * |expected|`` element-wise."""

    rtol: float
    atol: float


class HiddenFeedback(str, enum.Enum):
    """How much a hidden case tells the learner (``feedback: {hidden: ...}`` in problem.yaml).

    ``verdict``: its verdict, a fixed message written by the judge, and the time the judge
    measured, rounded to 0.1 s. ``none``: its verdict only.
    """

    VERDICT = "verdict"
    NONE = "none"


@dataclass(frozen=True)
class Problem:
    """A validated problem. Paths are absolute."""

    id: str
    title: str
    root: Path
    entry_point: str
    args: tuple[ArgSpec, ...]
    output: OutputSpec
    tolerance: Tolerance
    limit_overrides: tuple[tuple[str, float], ...] = ()
    benchmark_cases: tuple[str, ...] = ()
    benchmark_repeats: int = 5
    benchmark_redraw: tuple[str, ...] = ()  # scalar args drawn afresh (from their gen range) per timed call
    gen_dims: tuple[tuple[str, int, int], ...] = ()  # shared dimension ranges for `judge cases gen`
    hidden_feedback: HiddenFeedback = HiddenFeedback.VERDICT

    @property
    def problem_file(self) -> Path:
        return self.root / PROBLEM_FILE

    @property
    def cases_file(self) -> Path:
        return self.root / CASES_FILE

    @property
    def reference_file(self) -> Path:
        return self.root / "reference.py"

    @property
    def statement_file(self) -> Path:
        return self.root / "statement.md"

    @property
    def template_file(self) -> Path:
        return self.root / "template.py"

    @property
    def solutions_dir(self) -> Path:
        return self.root / "solutions"

    def arg(self, name: str) -> ArgSpec:
        for spec in self.args:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def limits(self, config: Config) -> Limits:
        """The config's limits with this problem's overrides applied."""
        overrides: dict[str, Any] = {
            k: (int(v) if isinstance(getattr(config.limits, k), int) else v) for k, v in self.limit_overrides
        }
        return dataclasses.replace(config.limits, **overrides)


def resolve_problem_dir(name_or_path: str | Path, problems_dir: Path) -> Path:
    """A problem id under ``problems_dir``, or a path to a problem folder."""
    candidate = Path(name_or_path)
    if (candidate / PROBLEM_FILE).is_file():
        return candidate.resolve()
    by_id = problems_dir / str(name_or_path)
    if ID_PATTERN.match(str(name_or_path)) and (by_id / PROBLEM_FILE).is_file():
        return by_id.resolve()
    known = sorted(p.parent.name for p in problems_dir.glob(f"*/{PROBLEM_FILE}")) if problems_dir.is_dir() else []
    hint = f"; known problems in {problems_dir}: {', '.join(known)}" if known else f"; no problems found in {problems_dir}"
    raise ProblemSpecError(f"unknown problem {str(name_or_path)!r} (not an id nor a folder with {PROBLEM_FILE}){hint}")


def load_problem(name_or_path: str | Path, problems_dir: Path = Path("problems")) -> Problem:
    """Load and validate ``problem.yaml``; every error names the file, line and field."""
    root = resolve_problem_dir(name_or_path, problems_dir)
    file = root / PROBLEM_FILE
    doc = load_yaml_file(file, ProblemSpecError)
    if not isinstance(doc, LineDict):
        raise ProblemSpecError("the top level must be a mapping", file=file, line=1)
    return _parse_problem(doc, root, file)


_TOP_KEYS = {"id", "title", "entry_point", "args", "output", "tolerance", "limits", "benchmark", "gen", "feedback"}
_ARG_KEYS = {"name", "type", "dtype", "ndim", "as", "description", "gen"}


def _parse_problem(doc: LineDict, root: Path, file: Path) -> Problem:
    def fail(message: str, field: str, line: int | None = None) -> ProblemSpecError:
        return ProblemSpecError(message, file=file, line=line or doc.line_of(field.split(".")[0]), field=field)

    for key in doc:
        if key not in _TOP_KEYS:
            raise fail(f"unknown key; valid keys: {', '.join(sorted(_TOP_KEYS))}", str(key))

    def text(key: str, default: str | None = None) -> str:
        value = doc.get(key, default)
        if not isinstance(value, str) or not value.strip():
            raise fail("must be a non-empty string" if key in doc else "is required", key)
        return value.strip()

    problem_id = text("id")
    if not ID_PATTERN.match(problem_id):
        raise fail("must be lowercase letters, digits, '-' or '_'", "id")
    entry_point = text("entry_point", "solve")
    if not entry_point.isidentifier():
        raise fail("must be a Python identifier", "entry_point")

    raw_args = doc.get("args")
    if not isinstance(raw_args, LineList) or not raw_args:
        raise fail("must be a non-empty list of arguments", "args")
    args: list[ArgSpec] = []
    for index, item in enumerate(raw_args):
        line = raw_args.line_at(index)
        if not isinstance(item, LineDict):
            raise fail("each argument must be a mapping with name and type", f"args[{index}]", line)
        args.append(_parse_arg(item, index, file))
    names = [a.name for a in args]
    for name in names:
        if names.count(name) > 1:
            raise fail(f"argument {name!r} is declared twice", "args")

    output = _parse_output(doc, file)

    tol_doc = doc.get("tolerance")
    if not isinstance(tol_doc, LineDict):
        raise fail("is required: a mapping with rtol and atol", "tolerance")
    tolerance = Tolerance(
        rtol=_tolerance_value(tol_doc, "rtol", file), atol=_tolerance_value(tol_doc, "atol", file)
    )

    limits_doc = doc.get("limits", LineDict())
    if not isinstance(limits_doc, dict):
        raise fail("must be a mapping", "limits")
    valid_limits = {f.name for f in dataclasses.fields(Limits)}
    overrides: list[tuple[str, float]] = []
    for key, value in limits_doc.items():
        key_line = limits_doc.line_of(key) if isinstance(limits_doc, LineDict) else None
        if key not in valid_limits:
            raise fail(f"unknown limit; valid limits: {', '.join(sorted(valid_limits))}", f"limits.{key}", key_line)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise fail(f"must be a positive number; got {value!r}", f"limits.{key}", key_line)
        overrides.append((str(key), float(value)))

    bench_doc = doc.get("benchmark", LineDict())
    bench_cases: tuple[str, ...] = ()
    bench_repeats = 5
    if not isinstance(bench_doc, dict):
        raise fail("must be a mapping with 'cases' and optional 'repeats' and 'redraw'", "benchmark")
    if "cases" in bench_doc:
        raw = bench_doc["cases"]
        if not isinstance(raw, list) or not all(isinstance(c, str) for c in raw):
            raise fail("must be a list of case ids", "benchmark.cases")
        bench_cases = tuple(raw)
    bench_redraw: tuple[str, ...] = ()
    if "redraw" in bench_doc:
        redraw = bench_doc["redraw"]
        scalars = {a.name for a in args if a.type is not ArgType.ARRAY and a.gen is not None}
        if not isinstance(redraw, list) or not all(isinstance(n, str) and n in scalars for n in redraw):
            allowed = ", ".join(sorted(scalars)) or "none"
            raise fail(f"must be a list of scalar arguments that have a 'gen' range (here: {allowed})", "benchmark.redraw")
        bench_redraw = tuple(redraw)
    if "repeats" in bench_doc:
        bench_repeats = bench_doc["repeats"]
        if isinstance(bench_repeats, bool) or not isinstance(bench_repeats, int) or not 1 <= bench_repeats <= 1000:
            raise fail("must be an integer from 1 to 1000", "benchmark.repeats")

    hidden_feedback = HiddenFeedback.VERDICT
    feedback_doc = doc.get("feedback", LineDict())
    if not isinstance(feedback_doc, dict) or not set(feedback_doc) <= {"hidden"}:
        raise fail("must be a mapping with one key, 'hidden'", "feedback")
    if "hidden" in feedback_doc:
        levels = ", ".join(level.value for level in HiddenFeedback)
        try:
            hidden_feedback = HiddenFeedback(feedback_doc["hidden"])
        except ValueError:
            raise fail(f"must be one of {levels}; got {feedback_doc['hidden']!r}", "feedback.hidden") from None

    gen_dims = parse_dims(doc["gen"], lambda m, k: fail(m, k, doc.line_of("gen"))) if "gen" in doc else ()
    _check_gen_names(args, gen_dims, file)

    return Problem(
        id=problem_id,
        title=text("title", problem_id),
        root=root,
        entry_point=entry_point,
        args=tuple(args),
        output=output,
        tolerance=tolerance,
        limit_overrides=tuple(overrides),
        benchmark_cases=bench_cases,
        benchmark_repeats=bench_repeats,
        benchmark_redraw=bench_redraw,
        gen_dims=gen_dims,
        hidden_feedback=hidden_feedback,
    )


_OUTPUT_KEYS = ("description", "dtype", "strict_dtype", "tree")


def _parse_output(doc: LineDict, file: Path) -> OutputSpec:
    """``output:``: its dtype, and its ``tree`` when it returns more than one array (:mod:`judge.output_tree`)."""
    output_doc = doc.get("output", LineDict())
    if not isinstance(output_doc, dict):
        raise ProblemSpecError("must be a mapping", file=file, line=doc.line_of("output"), field="output")

    def fail(message: str, field: str, line: int | None = None) -> ProblemSpecError:
        return ProblemSpecError(message, file=file, line=line or doc.line_of("output"), field=field)

    def key_line(key: str) -> int:
        return output_doc.line_of(key) if isinstance(output_doc, LineDict) else doc.line_of("output")

    for key in output_doc:
        if key not in _OUTPUT_KEYS:
            close = difflib.get_close_matches(str(key), _OUTPUT_KEYS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise fail(f"unknown key; valid keys: {', '.join(_OUTPUT_KEYS)}{hint}", f"output.{key}", key_line(str(key)))
    out_dtype = output_doc.get("dtype")
    if out_dtype is not None and dtype_error(out_dtype):
        raise fail(str(dtype_error(out_dtype)), "output.dtype", key_line("dtype"))
    strict = output_doc.get("strict_dtype", False)
    if not isinstance(strict, bool):
        raise fail(f"must be true or false; got {strict!r}", "output.strict_dtype", key_line("strict_dtype"))
    tree: TreeSpec = LeafSpec(dtype=out_dtype)
    if "tree" in output_doc:
        tree = parse_tree_spec(
            output_doc["tree"], field="output.tree", line=key_line("tree"), default_dtype=out_dtype,
            fail=fail, dtype_error=dtype_error, number=yaml_number,
        )
    return OutputSpec(description=str(output_doc.get("description", "")), dtype=out_dtype, strict_dtype=strict, tree=tree)


def _check_gen_names(args: list[ArgSpec], gen_dims: tuple[tuple[str, int, int], ...], file: Path) -> None:
    """Every name in an array's ``gen.shape`` is a ``gen.dims`` variable or an int argument."""
    known = {name for name, _, _ in gen_dims} | {a.name for a in args if a.type is ArgType.INT}
    for index, spec in enumerate(args):
        for dim in spec.gen.shape if spec.gen else ():
            if isinstance(dim, str) and dim not in known:
                raise ProblemSpecError(
                    f"shape names {dim!r}, which is neither in gen.dims nor an int argument; known: {', '.join(sorted(known)) or 'none'}",
                    file=file, line=spec.line, field=f"args[{index}].gen",
                )


def _parse_arg(item: LineDict, index: int, file: Path) -> ArgSpec:
    def fail(message: str, key: str) -> ProblemSpecError:
        return ProblemSpecError(message, file=file, line=item.line_of(key), field=f"args[{index}].{key}")

    for key in item:
        if key not in _ARG_KEYS:
            raise fail(f"unknown key; valid keys: {', '.join(sorted(_ARG_KEYS))}", str(key))
    name = item.get("name")
    if not isinstance(name, str) or not name.isidentifier():
        raise fail("must be a Python identifier", "name")
    raw_type = item.get("type")
    try:
        arg_type = ArgType(raw_type)
    except ValueError:
        raise fail(f"unknown type {raw_type!r}; valid types: {', '.join(t.value for t in ArgType)}", "type") from None
    dtype = item.get("dtype")
    ndim = item.get("ndim")
    container = item.get("as", "jax")
    if arg_type is ArgType.ARRAY:
        if dtype is None:
            raise fail(f"arrays need a dtype; valid: {', '.join(ARRAY_DTYPES)}", "dtype")
        if dtype_error(dtype):
            raise fail(str(dtype_error(dtype)), "dtype")
        if ndim is not None and (isinstance(ndim, bool) or not isinstance(ndim, int) or ndim < 0):
            raise fail("must be a non-negative integer", "ndim")
        if container not in ("jax", "numpy"):
            raise fail(f"must be jax or numpy; got {container!r}", "as")
    elif dtype is not None or ndim is not None:
        raise fail("dtype and ndim apply to arrays only", "dtype" if dtype is not None else "ndim")
    gen = None
    if "gen" in item:
        gen = parse_arg_gen(
            item["gen"], arg_type.value, lambda m, k: ProblemSpecError(m, file=file, line=item.line_of("gen"), field=f"args[{index}].gen"), ndim,
            dtype,
        )
    return ArgSpec(
        name=name,
        type=arg_type,
        dtype=dtype,
        ndim=ndim,
        container=container,
        description=str(item.get("description", "")),
        line=item.line,
        gen=gen,
    )


def _tolerance_value(doc: LineDict, key: str, file: Path) -> float:
    value = yaml_number(doc.get(key))
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise ProblemSpecError(
            f"must be a number in [0, 1); got {value!r}", file=file, line=doc.line_of(key), field=f"tolerance.{key}"
        )
    return float(value)

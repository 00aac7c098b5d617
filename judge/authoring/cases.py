"""Authoring a problem's cases: show the materialized cases, add and generate cases.

``judge cases show`` (:func:`show_cases`), ``judge cases add`` (:func:`add_case`) and
``judge cases gen`` (:func:`gen_cases`) are thin wrappers over this module.

Adding a case never re-dumps ``cases.yaml``: the new case is appended as text at the end of the
file (indented like the existing cases), so comments and layout stay as the author wrote them;
the whole new file is parsed and validated before it replaces the old one.

Which wrong solutions a case rejects is decided by running the problem's ``solutions/wrong/``
files as *trusted* code (unsandboxed, like the reference; see :mod:`judge.hints`), cached on disk.

Example (``add_case`` runs the reference and the wrong solutions, so it is not run here):
    >>> import tempfile
    >>> from judge.problem import load_problem
    >>> tmp = tempfile.TemporaryDirectory()
    >>> from pathlib import Path
    >>> from judge.authoring.scaffold import scaffold
    >>> problem = load_problem(scaffold("dense", Path(tmp.name)))
    >>> fields = build_case_fields(problem, "tiny", {"x": "[[1.0, 2.0]]", "seed": "3", "features": "2"})
    >>> fields
    {'id': 'tiny', 'seed': 3.0, 'x': [[1.0, 2.0]], 'features': 2}
    >>> result = add_case(problem, fields, config)                          # doctest: +SKIP
    >>> result.rejects                                                      # doctest: +SKIP
    ('wrong/example_wrong.py',)
    >>> tmp.cleanup()
"""

from __future__ import annotations

import logging
import math
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import yaml

from ..cases import TestCase, load_cases, materialize, parse_case
from ..config import Config
from ..errors import AuthoringError, JudgeError, ProblemSpecError
from ..expected import expected_outputs
from ..genspec import DISTRIBUTIONS
from ..hints import PitfallOutput, rejects, solution_outputs
from ..problem import ArgType, Problem, reference_traceback
from ..runner import OutcomeKind
from ..solutions import solution_files
from ..yamlio import LineDict, LineList, load_yaml_text, yaml_number

log = logging.getLogger(__name__)


# -- judge cases show ------------------------------------------------------------------------


def show_cases(
    problem: Problem, *, hidden: bool | None = None, case_ids: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """The materialized cases as plain data: what the judge feeds ``solve``.

    ``hidden``: None for all cases, True for hidden only, False for public only. ``case_ids``:
    only these cases (an unknown id is an :class:`AuthoringError` listing the ids). Arrays become
    nested lists of exactly the values passed to ``solve`` (float32 values are exact as Python
    floats), so ``np.array(value, dtype)`` gives the same array back.

    Example (run from the repository root, where ``problems/`` is):
        >>> from judge.problem import load_problem
        >>> show_cases(load_problem("conv1d"), hidden=False)[0]["inputs"]["x"]
        [[1.0], [2.0], [3.0], [4.0]]
    """
    out = []
    cases = load_cases(problem)
    unknown = [c for c in case_ids or () if c not in {case.id for case in cases}]
    if unknown:
        raise AuthoringError(f"no case {', '.join(map(repr, unknown))} in {problem.id}; cases: {', '.join(c.id for c in cases)}",
                             file=problem.cases_file)
    for case in cases:
        if hidden is not None and case.hidden != hidden:
            continue
        if case_ids is not None and case.id not in case_ids:
            continue
        values = materialize(problem, case)
        out.append({
            "id": case.id,
            "hidden": case.hidden,
            "inputs": {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in values.items()},
        })
    return out


# -- appending a case ------------------------------------------------------------------------


def flow_yaml(value: Any) -> str:
    """One-line YAML (flow style) for a value.

    Example:
        >>> flow_yaml({"shape": [5, 2], "dist": "normal", "seed": 3})
        '{shape: [5, 2], dist: normal, seed: 3}'
    """
    text = yaml.safe_dump([value], default_flow_style=True, width=1 << 30, sort_keys=False).strip()
    return text[1:-1]


def case_yaml(fields: Mapping[str, Any], indent: int = 2) -> str:
    """A case as block YAML text, as one item of the ``cases:`` list at ``indent``."""
    pad = " " * indent
    lines = []
    for i, (key, value) in enumerate(fields.items()):
        prefix = f"{pad}- " if i == 0 else f"{pad}  "
        lines.append(f"{prefix}{key}: {flow_yaml(value)}")
    return "\n".join(lines) + "\n"


def append_cases(problem: Problem, new_cases: Sequence[Mapping[str, Any]]) -> tuple[TestCase, ...]:
    """Append cases (plain field mappings) to ``cases.yaml`` as text, keeping the rest intact.

    The new file is validated (every case, ids unique) before it atomically replaces the old
    one; returns the cases as loaded from the new file.
    """
    file = problem.cases_file
    old = file.read_text(encoding="utf-8")
    doc = load_yaml_text(old, file, ProblemSpecError)
    if not isinstance(doc, LineDict) or not isinstance(doc.get("cases"), LineList):
        raise AuthoringError("cases.yaml must be a mapping with a block 'cases:' list to append to", file=file)
    if list(doc)[-1] != "cases":
        raise AuthoringError("'cases:' must be the last top-level key of cases.yaml to append to it", file=file)
    raw_cases = doc["cases"]
    indent = 2
    if raw_cases:
        first_line = old.splitlines()[raw_cases.line_at(0) - 1]
        indent = len(first_line) - len(first_line.lstrip(" "))
    text = old if old.endswith("\n") else old + "\n"
    for fields in new_cases:
        text += "\n" + case_yaml(fields, indent)
    probe = file.with_name(f".{file.name}.new")
    try:
        probe.write_text(text, encoding="utf-8")
        loaded = load_cases(problem, probe)
    except JudgeError as exc:
        raise AuthoringError(f"the case would make cases.yaml invalid ({exc.message}); file left unchanged",
                             file=file, line=exc.line, case=exc.case, field=exc.field) from None
    finally:
        probe.unlink(missing_ok=True)
    if len(loaded) != len(raw_cases) + len(new_cases) or [c.id for c in loaded[-len(new_cases):]] != [str(f["id"]) for f in new_cases]:
        raise AuthoringError("appending did not add the case at the end of the 'cases:' list (is it in flow style?)", file=file)
    fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=".tmp-")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, file)
    return loaded


# -- judge cases add -------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseEffect:
    """What one case does to the problem's wrong solutions."""

    case_id: str
    rejects: tuple[str, ...]  # wrong solutions (e.g. "wrong/flipped_kernel.py") this case rejects
    newly_rejects: tuple[str, ...]  # ... of which no existing case rejects
    surviving_before: tuple[str, ...]  # wrong solutions no existing case rejected
    written: bool = False
    reason: str = ""  # gen: why the case is proposed
    fields: Mapping[str, Any] | None = None  # the case as written to cases.yaml

    def to_json(self) -> dict[str, Any]:
        data = {"id": self.case_id, "rejects": list(self.rejects), "newly_rejects": list(self.newly_rejects),
                "surviving_before": list(self.surviving_before), "written": self.written}
        if self.reason:
            data["reason"] = self.reason
        if self.fields is not None:
            data["case"] = dict(self.fields)
        return data


def parse_value(text: str, name: str) -> Any:
    """A ``--set NAME=VALUE`` value: YAML/JSON text (``3``, ``2.0``, ``[[1.0]]``, ``{shape: [5, 2], seed: 3}``)."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise AuthoringError(f"--set {name}=...: not valid YAML: {str(exc).splitlines()[0]}") from None


def build_case_fields(
    problem: Problem,
    case_id: str,
    values: Mapping[str, str],
    *,
    hidden: bool = False,
    note: str = "",
    rtol: float | None = None,
    atol: float | None = None,
) -> dict[str, Any]:
    """The case's fields in file order (id, hidden, note, tolerances, then inputs in arg order)."""
    names = [a.name for a in problem.args]
    unknown = [k for k in values if k not in names]
    if unknown:
        raise AuthoringError(f"unknown input(s) {', '.join(unknown)}; inputs of {problem.id}: {', '.join(names)}")
    missing = [n for n in names if n not in values]
    if missing:
        raise AuthoringError(f"missing --set for input(s): {', '.join(missing)}")
    fields: dict[str, Any] = {"id": case_id}
    if hidden:
        fields["hidden"] = True
    if note:
        fields["note"] = note
    if rtol is not None:
        fields["rtol"] = rtol
    if atol is not None:
        fields["atol"] = atol
    for name in names:
        value = parse_value(values[name], name)
        spec = problem.arg(name)
        if spec.type is ArgType.FLOAT and isinstance(value, str):
            value = yaml_number(value)  # --set eps=1e-6: YAML 1.1 reads 1e-6 as a string
        if spec.type is ArgType.FLOAT and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        fields[name] = value
    return fields


def validate_fields(problem: Problem, fields: Mapping[str, Any], existing: Sequence[TestCase]) -> TestCase:
    """Validate a case exactly like ``cases.yaml`` would (via :func:`judge.cases.parse_case`)."""
    text = "".join(f"{key}: {flow_yaml(value)}\n" for key, value in fields.items())
    try:
        raw = load_yaml_text(text, "<new case>", ProblemSpecError)
        case = parse_case(problem, raw, problem.cases_file, 0, len(existing))
    except JudgeError as exc:
        raise AuthoringError(f"invalid case: {exc.message}", file=problem.cases_file, case=exc.case, field=exc.field) from None
    if any(c.id == case.id for c in existing):
        raise AuthoringError(f"a case with id {case.id!r} already exists", file=problem.cases_file, case=case.id, field="id")
    return case


def _rejection_sets(
    problem: Problem, cases: Sequence[TestCase], config: Config
) -> tuple[dict[str, set[str]], dict[str, str]]:
    """For every case: the wrong solutions it rejects; and per case the reference's failure, if any."""
    inputs = [materialize(problem, c) for c in cases]
    expected = expected_outputs(problem, cases, inputs, config)
    wrong = solution_files(problem, "wrong")
    outputs = solution_outputs(problem, wrong, cases, inputs, config) if wrong else {}
    result: dict[str, set[str]] = {}
    failures: dict[str, str] = {}
    for case in cases:
        exp = expected[case.id]
        if exp.array is None:
            failures[case.id] = exp.error
            result[case.id] = set()
            continue
        result[case.id] = {
            str(path.relative_to(problem.solutions_dir))
            for path in wrong
            if rejects(outputs[path].get(case.id, PitfallOutput(None, OutcomeKind.INTERNAL)), exp.array, case, problem)
        }
    return result, failures


def add_case(
    problem: Problem,
    fields: Mapping[str, Any],
    config: Config,
    *,
    write: bool = True,
) -> CaseEffect:
    """Validate a new case, run the reference on it, append it, and say what it rejects.

    Raises :class:`AuthoringError` (file untouched) if the case is invalid or the reference
    fails on it.
    """
    existing = load_cases(problem)
    case = validate_fields(problem, fields, existing)
    sets, failures = _rejection_sets(problem, [*existing, case], config)
    if case.id in failures:
        raise AuthoringError(f"the reference fails on the new case: {reference_traceback(failures[case.id])}; "
                             "cases.yaml left unchanged", case=case.id)
    rejected_before = set().union(*(sets[c.id] for c in existing)) if existing else set()
    all_wrong = {str(p.relative_to(problem.solutions_dir)) for p in solution_files(problem, "wrong")}
    surviving = all_wrong - rejected_before
    if write:
        append_cases(problem, [fields])
    return CaseEffect(
        case.id,
        tuple(sorted(sets[case.id])),
        tuple(sorted(sets[case.id] & surviving)),
        tuple(sorted(surviving)),
        written=write,
        fields=dict(fields),
    )


# -- judge cases gen -------------------------------------------------------------------------


def propose_candidates(problem: Problem, count: int, seed: int, existing_ids: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Draw ``count`` cases from the problem's ``gen:`` ranges; deterministic for a ``seed``.

    Example (run from the repository root, where ``problems/`` is):
        >>> from judge.problem import load_problem
        >>> problem = load_problem("conv1d")
        >>> propose_candidates(problem, 2, seed=0) == propose_candidates(problem, 2, seed=0)
        True
        >>> [case["id"] for case in propose_candidates(problem, 2, seed=0)]
        ['gen-0-0', 'gen-0-1']
    """
    lacking = [a.name for a in problem.args if a.gen is None]
    if lacking:
        raise AuthoringError(
            f"cannot generate cases: argument(s) {', '.join(lacking)} have no 'gen:' range in problem.yaml "
            "(see docs/authoring.md)", file=problem.problem_file,
        )
    rng = np.random.Generator(np.random.PCG64(seed))
    taken = set(existing_ids)
    out: list[dict[str, Any]] = []
    for index in range(count):
        values: dict[str, Any] = {}
        for spec in problem.args:  # scalars first: array shapes may name int arguments
            gen = spec.gen
            assert gen is not None
            if spec.type is ArgType.ARRAY:
                continue
            if gen.choices:
                values[spec.name] = gen.choices[int(rng.integers(len(gen.choices)))]
            elif gen.low is None or gen.high is None:  # parse_arg_gen gives scalars a range or choices
                raise AssertionError(f"argument {spec.name!r} has no range to draw from")
            elif gen.integer:
                drawn = int(rng.integers(int(math.ceil(gen.low)), int(math.floor(gen.high)) + 1))
                values[spec.name] = spec.type.convert(drawn)
            else:
                values[spec.name] = round(float(rng.uniform(gen.low, gen.high)), 6)
        dims = {name: int(rng.integers(lo, hi + 1)) for name, lo, hi in problem.gen_dims}
        for spec in problem.args:
            gen = spec.gen
            assert gen is not None
            if spec.type is not ArgType.ARRAY:
                continue
            shape = []
            for d in gen.shape:
                if isinstance(d, int):
                    shape.append(d)
                elif isinstance(d, tuple):
                    shape.append(int(rng.integers(d[0], d[1] + 1)))
                else:
                    shape.append(int(dims[d] if d in dims else values[d]))
            dist = gen.dists[int(rng.integers(len(gen.dists)))]
            array: dict[str, Any] = {"shape": shape, "dtype": spec.dtype, "dist": dist}
            array.update({k: v for k, v in gen.params if k in DISTRIBUTIONS[dist].params})
            array["seed"] = int(rng.integers(0, 2**31 - 1))
            values[spec.name] = array
        case_id = f"gen-{seed}-{index}"
        while case_id in taken:
            case_id += "x"
        taken.add(case_id)
        out.append({"id": case_id, "hidden": True, **{a.name: values[a.name] for a in problem.args}})
    return out


def _extents(problem: Problem, case: TestCase) -> dict[str, int]:
    """Size facts of a case for coverage: each array dimension and each int argument."""
    facts: dict[str, int] = {}
    for spec in problem.args:
        raw = case.inputs[spec.name]
        if spec.type is ArgType.INT:
            facts[spec.name] = int(raw)
        elif spec.type is ArgType.ARRAY:
            shape = raw["shape"] if isinstance(raw, dict) else list(np.shape(np.array(raw, dtype=spec.dtype)))
            for axis, size in enumerate(shape):
                facts[f"{spec.name}.shape[{axis}]"] = int(size)
    return facts


def gen_cases(problem: Problem, config: Config, *, count: int, seed: int = 0, write: bool = False) -> list[CaseEffect]:
    """Draw ``count`` candidates and keep those that add something, in draw order.

    A candidate is kept if it rejects a wrong solution that no existing (or already kept) case
    rejects, or if it widens coverage: an array dimension or int argument smaller or larger
    than in any existing (or already kept) case. With ``write``, kept cases are appended to
    ``cases.yaml`` (hidden, with the reason as their note).
    """
    if count < 1:
        raise AuthoringError("--count must be at least 1")
    existing = load_cases(problem)
    raw_candidates = propose_candidates(problem, count, seed, [c.id for c in existing])
    candidates: list[tuple[dict[str, Any], TestCase]] = []
    dropped = 0
    for fields in raw_candidates:
        try:
            candidates.append((fields, validate_fields(problem, fields, existing)))
        except JudgeError as exc:
            dropped += 1
            log.warning("generated case %s is invalid, dropped: %s", fields["id"], exc)
    sets, failures = _rejection_sets(problem, [*existing, *(c for _, c in candidates)], config)
    rejected = set().union(*(sets[c.id] for c in existing)) if existing else set()
    all_wrong = {str(p.relative_to(problem.solutions_dir)) for p in solution_files(problem, "wrong")}
    lo: dict[str, int] = {}
    hi: dict[str, int] = {}
    for case in existing:
        for key, size in _extents(problem, case).items():
            lo[key], hi[key] = min(lo.get(key, size), size), max(hi.get(key, size), size)
    kept: list[CaseEffect] = []
    for fields, case in candidates:
        if case.id in failures:
            log.warning("the reference fails on generated case %s, dropped: %s", case.id, reference_traceback(failures[case.id]))
            continue
        new = sets[case.id] - rejected
        reasons = []
        if new:
            reasons.append("rejects " + ", ".join(sorted(new)) + ", which no other case rejects")
        for key, size in _extents(problem, case).items():
            if key not in lo or size < lo[key]:
                reasons.append(f"{key} = {size} < previous min {lo.get(key, '-')}")
            elif size > hi[key]:
                reasons.append(f"{key} = {size} > previous max {hi[key]}")
        if not reasons:
            continue
        surviving = tuple(sorted(all_wrong - rejected))
        rejected |= sets[case.id]
        for key, size in _extents(problem, case).items():
            lo[key], hi[key] = min(lo.get(key, size), size), max(hi.get(key, size), size)
        reason = "; ".join(reasons)
        with_note = {"id": fields["id"], "hidden": True, "note": f"judge cases gen --seed {seed}: {reason}",
                     **{k: v for k, v in fields.items() if k not in ("id", "hidden")}}
        kept.append(CaseEffect(case.id, tuple(sorted(sets[case.id])), tuple(sorted(new)), surviving,
                               written=write, reason=reason, fields=with_note))
    if write and kept:
        append_cases(problem, [k.fields for k in kept if k.fields is not None])
    if dropped:
        log.warning("%d generated case(s) were invalid and dropped", dropped)
    return kept

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
import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
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
        if exp.value is None:
            failures[case.id] = exp.error
            result[case.id] = set()
            continue
        result[case.id] = {
            str(path.relative_to(problem.solutions_dir))
            for path in wrong
            if rejects(outputs[path].get(case.id, PitfallOutput(None, OutcomeKind.INTERNAL)), exp.value, case, problem)
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


def _unique_id(base: str, taken: set[str]) -> str:
    """``base``, or ``base-2``, ``base-3``... whichever is not taken yet (and now is).

    Example:
        >>> taken = {"max-features-16"}
        >>> _unique_id("max-features-16", taken), _unique_id("max-features-16", taken)
        ('max-features-16-2', 'max-features-16-3')
    """
    case_id, n = base, 1
    while case_id in taken:
        n += 1
        case_id = f"{base}-{n}"
    taken.add(case_id)
    return case_id


def _slug(text: str) -> str:
    """Lowercase letters, digits and ``-``, as in problem ids (``x.shape[1]`` -> ``x-shape-1``).

    Example:
        >>> _slug("x.shape[1]"), _slug("kernel_size"), _slug("wrong/Flipped_Kernel")
        ('x-shape-1', 'kernel-size', 'wrong-flipped-kernel')
    """
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "case"


def propose_candidates(problem: Problem, count: int, seed: int, existing_ids: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Draw ``count`` cases from the problem's ``gen:`` ranges; deterministic for a ``seed``.

    Each candidate has a provisional id, ``candidate-<seed>-<index>`` (unique against
    ``existing_ids``); :func:`gen_cases` renames the ones it keeps by what they add.

    Example (run from the repository root, where ``problems/`` is):
        >>> from judge.problem import load_problem
        >>> problem = load_problem("conv1d")
        >>> propose_candidates(problem, 2, seed=0) == propose_candidates(problem, 2, seed=0)
        True
        >>> [case["id"] for case in propose_candidates(problem, 2, seed=0)]
        ['candidate-0-0', 'candidate-0-1']
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
        case_id = _unique_id(f"candidate-{seed}-{index}", taken)
        out.append({"id": case_id, "hidden": True, **{a.name: values[a.name] for a in problem.args}})
    return out


def _shape(raw: Any, dtype: str | None) -> list[int]:
    return list(raw["shape"]) if isinstance(raw, dict) else list(np.shape(np.array(raw, dtype=dtype)))


def _extents(problem: Problem, case: TestCase) -> dict[str, int]:
    """Size facts of a case for coverage: each array dimension and each int argument."""
    facts: dict[str, int] = {}
    for spec in problem.args:
        raw = case.inputs[spec.name]
        if spec.type is ArgType.INT:
            facts[spec.name] = int(raw)
        elif spec.type is ArgType.ARRAY:
            for axis, size in enumerate(_shape(raw, spec.dtype)):
                facts[f"{spec.name}.shape[{axis}]"] = int(size)
    return facts


def _elements(problem: Problem, case: TestCase) -> int:
    """Total number of input array elements: how big a case is, to prefer the smaller of equals."""
    return sum(math.prod(_shape(case.inputs[spec.name], spec.dtype))
               for spec in problem.args if spec.type is ArgType.ARRAY)


def _gen_ranges(problem: Problem) -> dict[str, tuple[int, int]]:
    """The least and greatest value each extent (as in :func:`_extents`) can take per the ``gen:`` blocks.

    Example (run from the repository root, where ``problems/`` is):
        >>> from judge.problem import load_problem
        >>> _gen_ranges(load_problem("conv1d"))
        {'features': (1, 16), 'kernel_size': (1, 9), 'x.shape[0]': (1, 512), 'x.shape[1]': (1, 8)}
    """
    ranges: dict[str, tuple[int, int]] = {}
    for spec in problem.args:
        gen = spec.gen
        if spec.type is not ArgType.INT or gen is None:
            continue
        if gen.choices:
            ranges[spec.name] = (min(int(v) for v in gen.choices), max(int(v) for v in gen.choices))
        elif gen.low is not None and gen.high is not None:
            ranges[spec.name] = (int(math.ceil(gen.low)), int(math.floor(gen.high)))
    dims = {name: (lo, hi) for name, lo, hi in problem.gen_dims}
    for spec in problem.args:
        if spec.type is not ArgType.ARRAY or spec.gen is None:
            continue
        for axis, d in enumerate(spec.gen.shape):
            bounds = (d, d) if isinstance(d, int) else (int(d[0]), int(d[1])) if isinstance(d, tuple) else dims.get(d, ranges.get(d))
            if bounds is not None:
                ranges[f"{spec.name}.shape[{axis}]"] = bounds
    return ranges


@dataclass(frozen=True)
class Candidate:
    """A drawn case as :func:`select_candidates` sees it."""

    index: int  # draw order
    fields: Mapping[str, Any]  # as drawn, with its provisional id
    rejects: frozenset[str]  # wrong solutions it rejects ("wrong/flipped_kernel.py")
    extents: Mapping[str, int]  # as in _extents: "x.shape[1]" -> 63, "kernel_size" -> 1
    size: int  # total input elements


@dataclass(frozen=True)
class Widening:
    """A size a kept case takes further than every case before the run, on one side."""

    extent: str  # "x.shape[1]", "features"
    side: str  # "min" or "max"
    value: int
    previous: int | None  # the extreme on this side before the run; None without cases
    bound: int | None  # the gen range's bound on this side (None: the range does not say)

    @property
    def edge(self) -> bool:
        """Whether the value is the gen range's bound: no draw can go further."""
        return self.value == self.bound

    def describe(self) -> str:
        """Why this is new, for the kept case's note.

        Example:
            >>> Widening("features", "max", 15, 4, bound=16).describe()
            'features = 15 > previous max 4, the largest drawn (gen range max 16)'
            >>> Widening("x.shape[1]", "min", 1, 3, bound=1).describe()
            'x.shape[1] = 1 < previous min 3, the edge of the gen range'
        """
        before = (f"{'<' if self.side == 'min' else '>'} previous {self.side} {self.previous}"
                  if self.previous is not None else "(no case before)")
        if self.edge:
            return f"{self.extent} = {self.value} {before}, the edge of the gen range"
        extreme = f"the {'smallest' if self.side == 'min' else 'largest'} drawn"
        range_note = f" (gen range {self.side} {self.bound})" if self.bound is not None else ""
        return f"{self.extent} = {self.value} {before}, {extreme}{range_note}"


@dataclass(frozen=True)
class Pick:
    """A kept candidate and what it adds that no other case of the final set does."""

    index: int  # Candidate.index
    private_rejects: tuple[str, ...]  # wrong solutions no other case (existing or kept) rejects
    widens: tuple[Widening, ...]  # new extremes, each credited to the first kept case reaching it


def _minimal_cover(candidates: Sequence[Candidate], adds: Mapping[int, frozenset[Any]]) -> list[Candidate]:
    """Candidates that together add everything any of them adds, none of them needless.

    Greedy set cover (most not-yet-added things first; ties: fewer input elements, then earlier
    draw), then picks whose additions the other picks all make as well are dropped, largest
    first: greedy alone can keep an early pick that later picks make needless.
    """
    uncovered = set().union(*(adds[c.index] for c in candidates))
    picks: list[Candidate] = []
    while uncovered:
        best = max(candidates, key=lambda c: (len(adds[c.index] & uncovered), -c.size, -c.index))
        picks.append(best)
        uncovered -= adds[best.index]
    for pick in sorted(picks, key=lambda c: (c.size, c.index), reverse=True):
        others: set[Any] = set().union(*(adds[p.index] for p in picks if p is not pick))
        if adds[pick.index] <= others:
            picks.remove(pick)
    return sorted(picks, key=lambda c: c.index)


def select_candidates(
    candidates: Sequence[Candidate],
    *,
    rejected_before: set[str],
    bounds_before: Mapping[str, tuple[int, int]],
    ranges: Mapping[str, tuple[int, int]],
) -> list[Pick]:
    """The candidates worth adding to cases that reject ``rejected_before`` and span ``bounds_before``.

    First, a minimal cover of the wrong solutions some candidate rejects and no case before does.
    Then sizes: for each extent and side, the most extreme value drawn, if it goes beyond every
    case before and every case picked so far, is covered the same way (one candidate reaching
    several such extremes is one case, not several). Last, a pick whose rejections and extremes
    the other picks all have as well is dropped: every kept case adds something that is still
    new once all the others are in, so a greedy cover of the final set's wrong solutions (what
    ``judge check`` lists redundant cases by) picks every case kept for a rejection. Returns
    the picks in draw order.

    Example:
        >>> draws = [Candidate(0, {}, frozenset({"w"}), {"n": 3}, 10), Candidate(1, {}, frozenset(), {"n": 9}, 10)]
        >>> [(p.index, p.private_rejects, [w.describe() for w in p.widens])
        ...  for p in select_candidates(draws, rejected_before=set(), bounds_before={"n": (2, 4)}, ranges={"n": (1, 9)})]
        [(0, ('w',), []), (1, (), ['n = 9 > previous max 4, the edge of the gen range'])]
    """
    fresh = {c.index: frozenset(c.rejects - rejected_before) for c in candidates}
    picks = _minimal_cover(candidates, fresh)

    keys = list(dict.fromkeys([*bounds_before, *(k for c in candidates for k in c.extents)]))
    sides = (("min", min), ("max", max))

    def beyond(value: int, side: str, bound: int | None) -> bool:
        return bound is None or (value < bound if side == "min" else value > bound)

    def previous(key: str, side: str) -> int | None:
        return bounds_before[key][side == "max"] if key in bounds_before else None

    targets: set[tuple[str, str, int]] = set()
    for key in keys:
        values = [c.extents[key] for c in candidates if key in c.extents]
        for side, most in sides:
            if not values:
                continue
            best = most(values)
            picked = [p.extents[key] for p in picks if key in p.extents]
            reached = most(picked) if picked else None
            if beyond(best, side, previous(key, side)) and (reached is None or beyond(best, side, reached)):
                targets.add((key, side, best))
    reach = {c.index: frozenset(t for t in targets if c.extents.get(t[0]) == t[2]) for c in candidates}
    picks += _minimal_cover([c for c in candidates if c not in picks], reach)

    # What each pick adds in the final set: its new rejections and the new extremes it reaches.
    extremes: dict[tuple[str, str], int] = {}
    for key in keys:
        for side, most in sides:
            values = [p.extents[key] for p in picks if key in p.extents]
            if values and beyond(most(values), side, previous(key, side)):
                extremes[(key, side)] = most(values)
    adds = {p.index: fresh[p.index] | {t for t, v in extremes.items() if p.extents.get(t[0]) == v} for p in picks}
    picks = _minimal_cover(picks, adds)

    out: list[Pick] = []
    credited: set[tuple[str, str]] = set()
    for pick in picks:
        others: set[str] = set().union(*(fresh[p.index] for p in picks if p is not pick))
        widens = []
        for (key, side), value in extremes.items():
            if pick.extents.get(key) == value and (key, side) not in credited:
                credited.add((key, side))
                bounds = ranges.get(key)
                widens.append(Widening(key, side, value, previous(key, side), None if bounds is None else bounds[side == "max"]))
        out.append(Pick(pick.index, tuple(sorted(fresh[pick.index] - others)), tuple(widens)))
    return out


def _kept_id(pick: Pick, fallback: str, taken: set[str]) -> str:
    """Name a kept case by what it adds: ``rejects-<wrong file>`` or ``max-x-shape-1-63``."""
    if pick.private_rejects:
        base = "rejects-" + _slug(PurePosixPath(pick.private_rejects[0]).stem)
    elif pick.widens:
        w = pick.widens[0]
        base = f"{w.side}-{_slug(w.extent)}-{str(w.value).replace('-', 'minus')}"
    else:  # cannot happen: every pick adds a rejection or an extreme
        base = fallback
    return _unique_id(base, taken)


def gen_cases(problem: Problem, config: Config, *, count: int, seed: int = 0, write: bool = False) -> list[CaseEffect]:
    """Draw ``count`` candidates and keep those that add something (:func:`select_candidates`).

    A candidate is kept for a wrong solution it rejects that no other case rejects, or for a new
    extreme of an array dimension or int argument: at most one new min and one new max per
    size, the most extreme drawn. Kept cases are named by what they add (``rejects-<wrong
    file>``, ``max-x-shape-1-63``), in draw order. With ``write``, they are appended to
    ``cases.yaml`` (hidden, with the reason as their note).
    """
    if count < 1:
        raise AuthoringError("--count must be at least 1")
    existing = load_cases(problem)
    raw_candidates = propose_candidates(problem, count, seed, [c.id for c in existing])
    candidates: list[tuple[int, dict[str, Any], TestCase]] = []
    dropped = 0
    for index, fields in enumerate(raw_candidates):
        try:
            candidates.append((index, fields, validate_fields(problem, fields, existing)))
        except JudgeError as exc:
            dropped += 1
            log.warning("generated case %s is invalid, dropped: %s", fields["id"], exc)
    sets, failures = _rejection_sets(problem, [*existing, *(c for _, _, c in candidates)], config)
    rejected_before: set[str] = set().union(*(sets[c.id] for c in existing))
    all_wrong = {str(p.relative_to(problem.solutions_dir)) for p in solution_files(problem, "wrong")}
    bounds: dict[str, tuple[int, int]] = {}
    for case in existing:
        for key, size in _extents(problem, case).items():
            lo, hi = bounds.get(key, (size, size))
            bounds[key] = (min(lo, size), max(hi, size))
    drawn: list[Candidate] = []
    for index, fields, case in candidates:
        if case.id in failures:
            log.warning("the reference fails on generated case %s, dropped: %s", case.id, reference_traceback(failures[case.id]))
            continue
        drawn.append(Candidate(index, fields, frozenset(sets[case.id]), _extents(problem, case), _elements(problem, case)))
    by_index = {c.index: c for c in drawn}
    picks = select_candidates(drawn, rejected_before=rejected_before, bounds_before=bounds, ranges=_gen_ranges(problem))
    surviving = tuple(sorted(all_wrong - rejected_before))
    taken = {c.id for c in existing}
    kept: list[CaseEffect] = []
    for pick in picks:
        candidate = by_index[pick.index]
        case_id = _kept_id(pick, str(candidate.fields["id"]), taken)
        reasons = [f"rejects {', '.join(pick.private_rejects)}, which no other case rejects"] if pick.private_rejects else []
        reasons += [w.describe() for w in pick.widens]
        reason = "; ".join(reasons)
        with_note = {"id": case_id, "hidden": True, "note": f"judge cases gen --seed {seed}: {reason}",
                     **{k: v for k, v in candidate.fields.items() if k not in ("id", "hidden")}}
        kept.append(CaseEffect(case_id, tuple(sorted(candidate.rejects)), tuple(sorted(candidate.rejects - rejected_before)),
                               surviving, written=write, reason=reason, fields=with_note))
    if write and kept:
        append_cases(problem, [k.fields for k in kept if k.fields is not None])
    if dropped:
        log.warning("%d generated case(s) were invalid and dropped", dropped)
    return kept

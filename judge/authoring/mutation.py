"""``judge check --mutants``: run the reference's mutants on the cases, and find cases for the survivors.

Every mutant made by :mod:`judge.authoring.mutants` runs as *trusted* code, exactly like the
reference (unsandboxed, in its own worker process, public cases in one process and hidden ones
in another; its compiled programs go to a cache of their own, :func:`~judge.authoring.margins.authoring_caches`),
on every case, smallest first. Its fate:

* **killed**: some case rejects it (a wrong value beyond the case's tolerance, a wrong shape or
  dtype, or an error raised on that case while it answers some other case). The run stops at
  the first rejecting case. A timeout is not a rejection (on a busy machine it says nothing).
* **stillborn**: it answers no case (an error at import or on every case): an obviously broken
  program, counted but not listed as a gap.
* **equivalent**: its syntax tree equals the reference's, or its output equals the reference's
  (same dtype and shape, ``numpy.array_equal`` with NaN equal to NaN, so ``-0.0`` equals ``0.0``)
  on every case *and* on every input drawn for the search below. That is a sampling check, not a
  proof: such a mutant computes the same as the reference on every input tried (``y[1]`` for
  ``y[0]`` on an axis of length 1, which JAX clamps; ``+ bias`` for ``- bias`` with a zero
  bias), so no case could reject it.
* **survived**: no case rejects it and it is not equivalent: a gap in the case set. Then the
  search: ``draws`` inputs are drawn from the problem's ``gen:`` ranges (:func:`propose_candidates`,
  the drawing of ``judge cases gen``), the mutant runs on them smallest first, and the first one
  that rejects it (the smallest drawn that does) is offered as a new case; with ``write``, the
  offered cases are appended to ``cases.yaml`` (:func:`append_cases`, comments kept). A survivor
  that no drawn input rejects either differs from the reference only within the tolerance on
  every input tried.

Example (runs JAX workers, so not run here):
    >>> report = run_mutation(problem, cases, inputs, expected, config, sample=8)   # doctest: +SKIP
    >>> [r.mutant.id for r in report.survivors]                                     # doctest: +SKIP
    []
"""

from __future__ import annotations

import enum
import logging
import tempfile
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..cases import TestCase, materialize, tolerance_for
from ..compare import compare_tree
from ..config import Config
from ..errors import JudgeError
from ..expected import expected_outputs
from ..output_tree import OutputTree
from ..problem import Problem
from ..runner import OutcomeKind
from .cases import _elements, _unique_id, append_cases, propose_candidates, validate_fields
from .margins import authoring_plan
from .mutants import Mutant, generate_mutants, select_subset

log = logging.getLogger(__name__)

WORKERS = 2
INCONCLUSIVE = frozenset({OutcomeKind.TIMEOUT, OutcomeKind.INTERNAL})
DEFAULT_DRAWS = 16
DEFAULT_SEED = 0


@dataclass(frozen=True)
class MutationOptions:
    """What ``judge check --mutants`` runs: all mutants or a ``sample``, of some ``operators`` or all."""

    sample: int | None = None
    operators: tuple[str, ...] | None = None
    draws: int = DEFAULT_DRAWS
    seed: int = DEFAULT_SEED
    write: bool = False


class Fate(str, enum.Enum):
    """What the cases did to a mutant (see the module docstring)."""

    KILLED = "killed"
    SURVIVED = "survived"
    EQUIVALENT = "equivalent"
    STILLBORN = "stillborn"


@dataclass(frozen=True)
class MutantResult:
    """One mutant's fate, and for a survivor the drawn input that rejects it (if one does)."""

    mutant: Mutant
    fate: Fate
    killed_by: str = ""  # the first case that rejects it
    why: str = ""  # equivalent: on what evidence; stillborn: its first error
    offered: str = ""  # survived: id of the offered case that rejects it ("" when no draw does)

    def to_json(self) -> dict[str, Any]:
        return {**self.mutant.to_json(), "fate": self.fate.value, "killed_by": self.killed_by, "why": self.why,
                "offered_case": self.offered or None}


@dataclass(frozen=True)
class MutationReport:
    """Every mutant run, and the cases offered for the survivors."""

    generated: int  # mutants of the reference, before any sampling
    results: tuple[MutantResult, ...]
    offered: tuple[Mapping[str, Any], ...] = ()  # case fields, as cases.yaml would get them
    written: bool = False
    draws: int = 0  # inputs drawn from gen: for equivalence and the search (0: the problem has no gen: ranges)
    note: str = ""  # why there were no draws

    def of(self, fate: Fate) -> tuple[MutantResult, ...]:
        return tuple(r for r in self.results if r.fate is fate)

    @property
    def survivors(self) -> tuple[MutantResult, ...]:
        return self.of(Fate.SURVIVED)

    def summary(self) -> str:
        """``'34 mutants: 24 killed, 5 equivalent, 5 stillborn, 0 survived'``."""
        counts = ", ".join(f"{len(self.of(f))} {f.value}" for f in (Fate.KILLED, Fate.EQUIVALENT, Fate.STILLBORN, Fate.SURVIVED))
        sampled = f" (a sample of {self.generated})" if len(self.results) < self.generated else ""
        return f"{len(self.results)} mutants{sampled}: {counts}"

    def to_json(self) -> dict[str, Any]:
        return {
            "generated": self.generated,
            "run": len(self.results),
            "counts": {f.value: len(self.of(f)) for f in Fate},
            "mutants": [r.to_json() for r in self.results],
            "offered_cases": [dict(c) for c in self.offered],
            "written": self.written,
            "draws": self.draws,
            "note": self.note,
        }


@dataclass
class _Trial:
    """What running a mutant over some inputs showed."""

    rejected_at: int | None = None  # the first input (index) that rejects it
    errors: int = 0  # inputs it failed on
    answered: int = 0  # inputs it returned a valid answer for
    equal: bool = True  # every answer equals the reference's
    first_error: str = ""
    inconclusive: int = 0  # inputs it timed out on (or the judge failed to run it on)


def _same(a: OutputTree, b: OutputTree) -> bool:
    """Same containers, and every leaf of the same dtype and shape with equal values (NaN equal to NaN)."""
    if a.layout() != b.layout():
        return False
    return all(
        x.dtype == y.dtype and x.shape == y.shape and bool(np.array_equal(x, y, equal_nan=x.dtype.kind == "f"))
        for (_, x), (_, y) in zip(a.leaves(), b.leaves(), strict=True)
    )


def _trial(
    problem: Problem, config: Config, program: Path, cases: Sequence[TestCase], inputs: Sequence[Mapping[str, Any]],
    expected: Sequence[OutputTree], order: Sequence[int],
) -> _Trial:
    """Run ``program`` on the inputs in ``order``; stop at the first one it answers wrongly, or, after
    errors, at the first answer of any kind (so an error alone never stops it: stillborn needs all)."""
    public = [i for i in order if not cases[i].hidden]
    hidden = [i for i in order if cases[i].hidden]
    run = authoring_plan(problem, config, len(order)).run(
        program, inputs, case_ids=[c.id for c in cases], order=public + hidden, secret=hidden, public=public,
    )
    trial = _Trial()
    outcomes = run.outcomes()
    try:
        for outcome in outcomes:
            index = outcome.index
            if outcome.kind in INCONCLUSIVE:
                trial.inconclusive += 1
                trial.equal = False
                continue
            if outcome.kind is not OutcomeKind.OK or outcome.value is None:
                trial.errors += 1
                if not trial.first_error:
                    lines = (outcome.message or "").splitlines()
                    trial.first_error = f"{outcome.kind.value}: {lines[0]}" if lines else outcome.kind.value
                if trial.rejected_at is None:
                    trial.rejected_at = index
                if outcome.kind is OutcomeKind.COMPILE_ERROR:
                    break
                continue
            trial.answered += 1
            exp = expected[index]
            tol = tolerance_for(problem, cases[index])
            ok = compare_tree(exp, outcome.value, problem.output.tree, rtol=tol.rtol, atol=tol.atol, reveal=False,
                              strict_dtype=problem.output.strict_dtype).ok
            trial.equal = trial.equal and _same(exp, outcome.value)
            if not ok:
                trial.rejected_at = index if trial.rejected_at is None else trial.rejected_at
                break
            if trial.rejected_at is not None:
                break  # it errs somewhere and answers elsewhere: killed, not stillborn
    finally:
        outcomes.close()
    return trial


def _by_size(problem: Problem, cases: Sequence[TestCase], indices: Sequence[int]) -> list[int]:
    return sorted(indices, key=lambda i: (_elements(problem, cases[i]), i))


@dataclass(frozen=True)
class _Draws:
    """Inputs drawn from ``gen:``: the cases, their fields (as cases.yaml would get them), the reference's outputs."""

    cases: tuple[TestCase, ...] = ()
    fields: tuple[Mapping[str, Any], ...] = ()
    expected: tuple[OutputTree, ...] = ()
    note: str = ""  # why there are none


def _draw(problem: Problem, cases: Sequence[TestCase], config: Config, count: int, seed: int) -> _Draws:
    """``count`` inputs drawn from ``gen:`` (validated, the reference answering each), or why none."""
    if count <= 0:
        return _Draws(note="no inputs drawn (--draws 0)")
    try:
        raw = propose_candidates(problem, count, seed, [c.id for c in cases])
    except JudgeError as exc:
        return _Draws(note=f"no inputs drawn: {exc.message}")
    valid: list[tuple[TestCase, Mapping[str, Any]]] = []
    for fields in raw:
        try:
            valid.append((validate_fields(problem, fields, cases), fields))
        except JudgeError as exc:
            log.warning("drawn input %s is invalid, skipped: %s", fields["id"], exc)
    drawn = [c for c, _ in valid]
    outputs = expected_outputs(problem, drawn, [materialize(problem, c) for c in drawn], config)
    kept = [(c, f, outputs[c.id].value) for c, f in valid if outputs[c.id].value is not None]
    return _Draws(tuple(c for c, _, _ in kept), tuple(f for _, f, _ in kept), tuple(a for _, _, a in kept if a is not None))


def run_mutation(
    problem: Problem,
    cases: Sequence[TestCase],
    inputs: Sequence[Mapping[str, Any]],
    expected: Mapping[str, OutputTree],
    config: Config,
    *,
    sample: int | None = None,
    operators: Sequence[str] | None = None,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    write: bool = False,
) -> MutationReport:
    """Make the reference's mutants, run them (all, or a deterministic ``sample`` spread over the
    operators), classify them, and offer (and with ``write`` append) cases rejecting the survivors."""
    source = problem.reference_file.read_text(encoding="utf-8")
    mutants = generate_mutants(source, operators=operators, filename=problem.reference_file.name)
    chosen = select_subset(mutants, sample, seed) if sample is not None else mutants
    case_order = _by_size(problem, cases, range(len(cases)))
    case_expected = [expected[c.id] for c in cases]
    results: dict[str, MutantResult] = {}
    pending: list[tuple[Mutant, _Trial]] = []

    with tempfile.TemporaryDirectory(prefix="judge-mutants-") as tmp:
        def program(mutant: Mutant) -> Path:
            path = Path(tmp) / f"{mutant.id.replace('-', '_')}.py"
            path.write_text(mutant.source, encoding="utf-8")
            return path

        def on_cases(mutant: Mutant) -> tuple[Mutant, _Trial | None]:
            if mutant.same_tree:
                return mutant, None
            return mutant, _trial(problem, config, program(mutant), cases, inputs, case_expected, case_order)

        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            for mutant, trial in pool.map(on_cases, chosen):
                if trial is None:
                    results[mutant.id] = MutantResult(mutant, Fate.EQUIVALENT, why="its syntax tree equals the reference's")
                elif trial.answered == 0 and trial.errors:
                    results[mutant.id] = MutantResult(mutant, Fate.STILLBORN, why=trial.first_error)
                elif trial.rejected_at is not None:
                    results[mutant.id] = MutantResult(mutant, Fate.KILLED, killed_by=cases[trial.rejected_at].id)
                else:
                    pending.append((mutant, trial))

        draw = _draw(problem, cases, config, draws, seed) if pending else _Draws()
        drawn, drawn_expected = draw.cases, draw.expected
        drawn_inputs = [materialize(problem, c) for c in drawn]
        drawn_order = _by_size(problem, drawn, range(len(drawn)))

        def on_draws(item: tuple[Mutant, _Trial]) -> tuple[Mutant, _Trial, _Trial]:
            mutant, trial = item
            return mutant, trial, _trial(problem, config, program(mutant), drawn, drawn_inputs, drawn_expected, drawn_order)

        killers: dict[int, list[Mutant]] = {}
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            for mutant, trial, search in pool.map(on_draws, pending):
                if search.rejected_at is not None:
                    killers.setdefault(search.rejected_at, []).append(mutant)
                    results[mutant.id] = MutantResult(mutant, Fate.SURVIVED)
                elif trial.equal and search.equal:
                    evidence = f"{len(cases)} cases" + (f" and {len(drawn)} drawn inputs" if drawn else " (no inputs drawn)")
                    results[mutant.id] = MutantResult(mutant, Fate.EQUIVALENT, why=f"equal outputs on all {evidence}")
                elif trial.inconclusive or search.inconclusive:
                    results[mutant.id] = MutantResult(mutant, Fate.SURVIVED,
                                                      why=f"timed out on {trial.inconclusive + search.inconclusive} input(s), rejected by none")
                else:
                    results[mutant.id] = MutantResult(mutant, Fate.SURVIVED,
                                                      why=f"within the tolerance on every case and all {len(drawn)} drawn inputs")

    offered: list[dict[str, Any]] = []
    taken = {c.id for c in cases}
    for index in sorted(killers, key=lambda i: drawn_order.index(i)):
        victims = killers[index]
        case_id = _unique_id(f"kills-{victims[0].id}", taken)
        what = "; ".join(f"{m.id} (line {m.line}, {m.change.replace(chr(39), '')})" for m in victims)  # no quotes to escape in YAML
        raw = draw.fields[index]
        fields = {"id": case_id, "hidden": True, "note": f"judge check --mutants --seed {seed}: rejects mutant {what}",
                  **{k: v for k, v in raw.items() if k not in ("id", "hidden")}}
        offered.append(fields)
        for mutant in victims:
            results[mutant.id] = MutantResult(mutant, Fate.SURVIVED, offered=case_id)
    if write and offered:
        append_cases(problem, offered)
    ordered = tuple(results[m.id] for m in chosen)
    return MutationReport(len(mutants), ordered, tuple(offered), write and bool(offered), len(drawn), draw.note)

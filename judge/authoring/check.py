"""``judge check``: the gate a problem folder must pass before learners see it.

Checks, in order (a failed early check skips the ones that need it):

1. ``problem.yaml`` and ``cases.yaml`` load: errors name file, line, case id and field.
2. The files the judge expects exist (statement, reference, template, at least one accepted and
   one wrong solution, each with a valid ``# expect:`` line and, for wrong ones, a ``# hint:``),
   and no ``TODO(author)`` placeholder left by ``judge new`` remains.
3. The reference runs on every case twice (bypassing the expected-output cache) with bitwise
   identical, finite outputs, in the containers ``output.tree`` declares and with the kinds of
   dtype (float, integer, bool) it declares for each leaf.
4. Every ``solutions/accepted/`` file is accepted and every ``solutions/wrong/`` file gets the
   verdict it declares (graded with :func:`judge.grade.grade`, sandboxed, two at a time).
5. Every wrong solution is rejected by at least one case. The table of which case rejects which
   wrong solution is printed; *redundant* cases are those a greedy set cover does not need
   (informational only: a redundant case may still guard a shape edge or a pitfall no wrong
   solution covers yet).
6. Tolerance sanity, per case and per float leaf compared with a tolerance (its effective
   rtol/atol): an all-zeros answer fails, and so does the reference's own output rounded to
   bfloat16. A case whose expected output is all zeros (or exactly representable in bfloat16) in
   every such leaf cannot be tested this way and is listed.
7. Float margins (:mod:`judge.authoring.margins`): the reference computed in float64 lands
   within half the tolerance of the float32 reference on every case; a case where it does not
   is a warning (``!``), not a failure.
8. Mutants (:mod:`judge.authoring.mutation`), with ``mutation`` options (``judge check
   --mutants``): every mutant of the reference that is not equivalent to it is rejected by some
   case. Without them, one line says how many mutants there are and how to run them.

The check never raises for a bad problem: every finding is a :class:`CheckItem`.

Example:
    >>> report = check_problem(problem_dir, config)     # doctest: +SKIP
    >>> report.ok, [i.name for i in report.items if not i.ok]   # doctest: +SKIP
    (True, [])
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..cases import TestCase, load_cases, materialize, tolerance_for
from ..compare import compare_leaf, leaf_rules
from ..config import Config
from ..errors import JudgeError
from ..expected import expected_outputs
from ..grade import grade
from ..output_tree import OutputTree, format_path, spec_at
from ..problem import Problem, load_problem
from ..safe_text import strict_json, visible
from ..sandbox import SandboxPolicy
from ..solutions import read_header, solution_files
from ..verdict import SubmissionResult, Verdict
from .margins import CaseMargin, float64_margins, format_margin
from .mutants import OPERATORS, generate_mutants
from .mutation import Fate, MutationOptions, MutationReport, run_mutation

log = logging.getLogger(__name__)

TODO_MARK = "TODO(author)"
WORKERS = 2


@dataclass(frozen=True)
class CheckItem:
    """One line of the report: what was checked, whether it holds, and why not."""

    name: str
    ok: bool
    message: str = ""
    details: tuple[str, ...] = ()
    warn: bool = False  # holds, but with findings the author should read (shown with "!")

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "warn": self.warn, "message": self.message, "details": list(self.details)}


@dataclass(frozen=True)
class SolutionCheck:
    """One known solution graded: what it declares and what it got."""

    file: str  # relative to the problem folder, e.g. "wrong/flipped_kernel.py"
    declared: Verdict | None  # None: the file has no ``# expect:`` line
    got: Verdict
    rejected_by: tuple[str, ...] = ()  # case ids whose verdict is not accepted
    score: float = 0.0  # share of cases passed
    sandboxed: bool = False  # graded in the sandbox, as learners' code is

    @property
    def ok(self) -> bool:
        return self.declared is self.got

    @property
    def declared_text(self) -> str:
        return "?" if self.declared is None else self.declared.value

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "declared": None if self.declared is None else self.declared.value, "got": self.got.value,
                "ok": self.ok, "rejected_by": list(self.rejected_by), "score": self.score, "sandboxed": self.sandboxed}


@dataclass(frozen=True)
class CheckReport:
    """Everything ``judge check`` found about one problem."""

    problem: str
    root: str
    items: tuple[CheckItem, ...]
    case_ids: tuple[str, ...] = ()
    solutions: tuple[SolutionCheck, ...] = ()
    redundant_cases: tuple[str, ...] = ()
    untestable_tolerance_cases: tuple[str, ...] = ()
    margins: tuple[CaseMargin, ...] = ()
    mutation: MutationReport | None = None
    wall_s: float = 0.0

    @property
    def ok(self) -> bool:
        return all(item.ok for item in self.items)

    @property
    def wrong(self) -> tuple[SolutionCheck, ...]:
        return tuple(s for s in self.solutions if s.file.startswith("wrong/"))

    def to_json(self) -> dict[str, Any]:
        return {
            "problem": self.problem,
            "root": self.root,
            "ok": self.ok,
            "checks": [i.to_json() for i in self.items],
            "solutions": [s.to_json() for s in self.solutions],
            "table": {s.file: list(s.rejected_by) for s in self.wrong},
            "redundant_cases": list(self.redundant_cases),
            "untestable_tolerance_cases": list(self.untestable_tolerance_cases),
            "margins": [m.to_json() for m in self.margins],
            "mutation": None if self.mutation is None else self.mutation.to_json(),
            "wall_s": round(self.wall_s, 2),
        }


def check_problem(
    root: Path, config: Config, *, policy: SandboxPolicy | None = None, mutation: MutationOptions | None = None
) -> CheckReport:
    """Run every check on the problem folder ``root`` (see the module docstring); ``mutation``: run the mutants too."""
    started = time.monotonic()
    items: list[CheckItem] = []

    def finish(problem_id: str, **extra: Any) -> CheckReport:
        return CheckReport(problem_id, str(root), tuple(items), wall_s=time.monotonic() - started, **extra)

    try:
        problem = load_problem(root, config.problems_dir)
        items.append(CheckItem("problem.yaml is valid", True, f"{len(problem.args)} arguments"))
    except JudgeError as exc:
        items.append(CheckItem("problem.yaml is valid", False, str(exc)))
        return finish(root.name)
    try:
        cases = load_cases(problem)
        n_hidden = sum(c.hidden for c in cases)
        items.append(CheckItem("cases.yaml is valid", True, f"{len(cases)} cases ({len(cases) - n_hidden} public, {n_hidden} hidden)"))
    except JudgeError as exc:
        items.append(CheckItem("cases.yaml is valid", False, str(exc)))
        return finish(problem.id)

    items.append(_check_files(problem))

    inputs = [materialize(problem, case) for case in cases]
    ref_item, expected = _check_reference(problem, cases, inputs, config)
    items.append(ref_item)
    if expected is None:
        return finish(problem.id, case_ids=tuple(c.id for c in cases))

    solutions = _grade_solutions(problem, cases, config, policy)
    for sol in solutions:
        if sol.file.startswith("accepted/"):
            message = "accepted" if sol.ok else f"declared accepted, got {sol.got.value}"
        else:
            message = (f"{sol.got.value}, rejected by {len(sol.rejected_by)}/{len(cases)} cases" if sol.ok
                       else f"declared {sol.declared_text}, got {sol.got.value}")
        items.append(CheckItem(f"solutions/{sol.file}", sol.ok, message))

    wrong = [s for s in solutions if s.file.startswith("wrong/")]
    slipping = [s.file for s in wrong if not s.rejected_by]
    items.append(CheckItem(
        "every wrong solution is rejected by some case",
        not slipping,
        f"no case rejects: {', '.join(slipping)}" if slipping else f"{len(wrong)} wrong solutions",
    ))
    redundant = redundant_cases([c.id for c in cases], {s.file: set(s.rejected_by) for s in wrong})

    tol_item, untestable = _check_tolerances(problem, cases, expected)
    items.append(tol_item)
    margins = float64_margins(problem, cases, inputs, expected, config)
    items.append(_margin_item(margins))
    mutated = None
    if mutation is None:
        items.append(_mutants_not_run(problem))
    else:
        mutated = run_mutation(problem, cases, inputs, expected, config, sample=mutation.sample, operators=mutation.operators,
                               draws=mutation.draws, seed=mutation.seed, write=mutation.write)
        survivors = [f"{r.mutant.id}: {r.mutant.change} (line {r.mutant.line})" for r in mutated.survivors]
        items.append(CheckItem("every non-equivalent mutant of the reference is rejected by some case", not survivors,
                               mutated.summary(), tuple(survivors)))
    return finish(
        problem.id,
        case_ids=tuple(c.id for c in cases),
        solutions=tuple(solutions),
        redundant_cases=tuple(redundant),
        untestable_tolerance_cases=tuple(untestable),
        margins=tuple(margins),
        mutation=mutated,
    )


def _margin_item(margins: Sequence[CaseMargin]) -> CheckItem:
    name = "float64 reference within half the tolerance (2x margin) on every case"
    low = [m for m in margins if m.low]
    unmeasured = [m for m in margins if m.margin is None]
    measured = [m for m in margins if m.margin is not None]
    details = tuple(f"{m.describe()}: a correct float64 solution could be rejected on another backend" for m in low)
    details += tuple(m.describe() for m in unmeasured)
    if not measured:
        return CheckItem(name, True, "not measured: " + (unmeasured[0].note if unmeasured else "no cases"), details, warn=bool(unmeasured))
    least = min(measured, key=lambda m: m.margin if m.margin is not None else 0.0)
    assert least.margin is not None
    message = f"smallest margin {format_margin(least.margin)} ({least.case_id})"
    if low:
        message = f"{len(low)} case(s) under 2x: " + ", ".join(f"{m.case_id} {format_margin(m.margin or 0.0)}" for m in low)
    elif unmeasured:
        message += f"; {len(unmeasured)} case(s) not measured"
    return CheckItem(name, True, message, details, warn=bool(low or unmeasured))


def _mutants_not_run(problem: Problem) -> CheckItem:
    try:
        count = len(generate_mutants(problem.reference_file.read_text(encoding="utf-8")))
    except (OSError, SyntaxError, ValueError) as exc:
        return CheckItem("mutants of the reference", True, f"none made: {exc}")
    return CheckItem("mutants of the reference", True,
                     f"not run: `judge check --mutants` runs its {count} mutants ({len(OPERATORS)} operators)")


def _check_files(problem: Problem) -> CheckItem:
    problems: list[str] = []
    for path in (problem.statement_file, problem.reference_file, problem.template_file):
        if not path.is_file() or not path.read_text(encoding="utf-8", errors="replace").strip():
            problems.append(f"{path.name} is missing or empty")
    if problem.template_file.is_file():
        try:
            compile(problem.template_file.read_text(encoding="utf-8"), str(problem.template_file), "exec")
        except SyntaxError as exc:
            problems.append(f"template.py: SyntaxError at line {exc.lineno}: {exc.msg}")
    accepted, wrong = solution_files(problem, "accepted"), solution_files(problem, "wrong")
    if not accepted:
        problems.append("solutions/accepted/ has no .py file")
    if not wrong:
        problems.append("solutions/wrong/ has no .py file")
    for path in accepted + wrong:
        header = read_header(path)
        rel = path.relative_to(problem.solutions_dir)
        if header.expect is None:
            problems.append(f"solutions/{rel}: {header.header_error}")
        elif path in accepted and header.expect is not Verdict.ACCEPTED:
            problems.append(f"solutions/{rel}: declares {header.expect.value} but is in accepted/")
        elif path in wrong and header.expect is Verdict.ACCEPTED:
            problems.append(f"solutions/{rel}: declares accepted but is in wrong/")
        elif path in wrong and not header.hint:
            problems.append(f"solutions/{rel}: line 2 must be '# hint: <text for learners>'")
    for path in sorted(problem.root.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".md", ".yaml") and TODO_MARK in path.read_text(encoding="utf-8", errors="replace"):
            problems.append(f"{path.relative_to(problem.root)} still has {TODO_MARK} placeholders")
    summary = f"statement.md, reference.py, template.py, {len(accepted)} accepted, {len(wrong)} wrong"
    message = summary if not problems else problems[0] if len(problems) == 1 else f"{len(problems)} problems"
    return CheckItem("problem files are complete", not problems, message, tuple(problems))


def _check_reference(
    problem: Problem, cases: Sequence[TestCase], inputs: Sequence[dict[str, Any]], config: Config
) -> tuple[CheckItem, dict[str, OutputTree] | None]:
    name = "reference is deterministic and finite"
    first = expected_outputs(problem, cases, inputs, config, use_cache=False)
    second = expected_outputs(problem, cases, inputs, config, use_cache=False)
    faults: list[str] = []
    values: dict[str, OutputTree] = {}
    for case in cases:
        a, b = first[case.id].value, second[case.id].value
        if a is None or b is None:
            faults.append(f"case {case.id!r}: {first[case.id].error or second[case.id].error}")
            continue
        if not a.identical(b):
            faults.append(f"case {case.id!r}: two runs differ (not bitwise identical)")
            continue
        if any(x.dtype.kind == "f" and not np.all(np.isfinite(x)) for _, x in a.leaves()):
            faults.append(f"case {case.id!r}: non-finite output")
            continue
        wrong_kind = _dtype_mismatch(problem, a)
        if wrong_kind:
            faults.append(f"case {case.id!r}: {wrong_kind}")
            continue
        values[case.id] = a
    if faults:
        return CheckItem(name, False, "; ".join(faults[:3]) + (f" (+{len(faults) - 3} more)" if len(faults) > 3 else ""), tuple(faults)), None
    return CheckItem(name, True, f"{len(cases)} cases, 2 runs, bitwise identical"), values


def _dtype_mismatch(problem: Problem, value: OutputTree) -> str:
    """Where the reference returns another kind of dtype (float, int, bool) than problem.yaml declares; "" if nowhere.

    The declared dtype decides whether a leaf compares exactly, so a reference that disagrees with it is a fault.
    """
    for path, array in value.leaves():
        declared = spec_at(problem.output.tree, path).dtype
        if declared and _kind(np.dtype(declared)) != _kind(array.dtype):
            return f"the reference returns {array.dtype} at {format_path(path)}, but problem.yaml declares {declared}"
    return ""


def _kind(dtype: np.dtype) -> str:
    return {"b": "bool", "i": "integer", "u": "integer", "f": "float"}.get(dtype.kind, dtype.kind)


def _grade_solutions(
    problem: Problem, cases: Sequence[TestCase], config: Config, policy: SandboxPolicy | None
) -> list[SolutionCheck]:
    files = solution_files(problem, "accepted") + solution_files(problem, "wrong")

    def one(path: Path) -> SolutionCheck:
        header = read_header(path)
        result: SubmissionResult = grade(path, problem, config, cases=cases, policy=policy, hints=False)
        rejected = tuple(c.case_id for c in result.cases if not c.passed)
        return SolutionCheck(
            str(path.relative_to(problem.solutions_dir)), header.expect, result.verdict, rejected,
            score=result.score, sandboxed=result.run is not None and result.run.sandboxed,
        )

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(one, files))


def redundant_cases(case_ids: Sequence[str], rejected_by: dict[str, set[str]]) -> list[str]:
    """Cases a greedy set cover of the wrong solutions does not pick, in file order.

    Greedy: repeatedly take the case that rejects the most wrong solutions not yet rejected
    (ties: the earlier case in the file) until every rejectable wrong solution is covered.

    Example:
        >>> redundant_cases(["a", "b", "c"], {"w1": {"a", "b"}, "w2": {"b"}})
        ['a', 'c']
    """
    rejects = {cid: {w for w, by in rejected_by.items() if cid in by} for cid in case_ids}
    uncovered = set().union(*rejects.values()) if rejects else set()
    chosen: set[str] = set()
    while uncovered:
        best = max(case_ids, key=lambda cid: (len(rejects[cid] & uncovered), -case_ids.index(cid)))
        chosen.add(best)
        uncovered -= rejects[best]
    return [cid for cid in case_ids if cid not in chosen]


def bfloat16_round(array: np.ndarray) -> np.ndarray:
    """``array`` rounded to bfloat16 (round to nearest even) and back to float32.

    Example:
        >>> float(bfloat16_round(np.array([1.0 + 2**-9], dtype=np.float32))[0])
        1.0
    """
    x = np.ascontiguousarray(array, dtype=np.float32)
    try:
        import ml_dtypes

        return x.astype(ml_dtypes.bfloat16).astype(np.float32)
    except ImportError:  # emulate: keep the top 16 bits, rounding the rest to nearest even
        bits = x.view(np.uint32).astype(np.uint64)
        rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
        out = rounded.astype(np.uint32).view(np.float32)
        return np.where(np.isnan(x), x, out)


def _check_tolerances(
    problem: Problem, cases: Sequence[TestCase], expected: dict[str, OutputTree]
) -> tuple[CheckItem, list[str]]:
    """Each float leaf compared with a tolerance (not exactly) must reject zeros and its bfloat16 rounding."""
    name = "tolerance rejects zeros and a bfloat16-rounded reference"
    loose: list[str] = []
    untestable: list[str] = []
    for case in cases:
        tol = tolerance_for(problem, case)
        testable = False
        for rule in leaf_rules(expected[case.id], problem.output.tree, rtol=tol.rtol, atol=tol.atol):
            exp = rule.expected
            if exp.dtype.kind != "f" or rule.exact:
                continue
            where = f" at {format_path(rule.path)}" if rule.path else ""
            bf16 = bfloat16_round(exp).astype(exp.dtype)
            testable = testable or (bool(np.any(exp)) and not np.array_equal(bf16, exp))
            if np.any(exp) and compare_leaf(rule, np.zeros_like(exp), reveal=False).ok:
                loose.append(f"case {case.id!r}: an all-zeros answer{where} passes rtol={rule.rtol:g}, atol={rule.atol:g}")
            if not np.array_equal(bf16, exp):
                if compare_leaf(rule, bf16, reveal=False).ok:
                    loose.append(f"case {case.id!r}: the bfloat16-rounded reference{where} passes rtol={rule.rtol:g}, atol={rule.atol:g}")
        if not testable:
            untestable.append(case.id)
    if loose:
        return CheckItem(name, False, "; ".join(loose[:3]) + (f" (+{len(loose) - 3} more)" if len(loose) > 3 else ""), tuple(loose)), untestable
    note = f"{len(cases) - len(untestable)} cases"
    if untestable:
        note += f"; not testable (all-zero or bf16-exact output): {', '.join(untestable)}"
    return CheckItem(name, True, note), untestable


# -- rendering -------------------------------------------------------------------------------


def render_json(report: CheckReport) -> str:
    """Exactly one strict JSON document."""
    return strict_json(report.to_json(), indent=2)


def render_text(report: CheckReport) -> str:
    """The human report: a ✓/✗ line per check, the rejection table, redundant cases, the result.

    Names, case ids and messages come from the problem's files (and from errors quoting them):
    each is shown on one line with control characters visible.
    """
    lines = [visible(f"check {report.problem} ({report.root})")]
    for item in report.items:
        mark = "✗" if not item.ok else "!" if item.warn else "✓"
        lines.append(visible(f"  {mark} {item.name}" + (f": {item.message}" if item.message else "")))
        if (not item.ok and len(item.details) > 1) or (item.warn and item.details):
            lines.extend(f"      - {visible(d)}" for d in item.details)
    wrong = report.wrong
    if wrong and report.case_ids:
        lines.extend(["", *_rejection_table(report)])
    if report.mutation is not None:
        lines.extend(["", *_mutation_lines(report.mutation)])
    lines.append("")
    failed = [i for i in report.items if not i.ok]
    verdict = "PASS" if not failed else f"FAIL ({len(failed)} of {len(report.items)} checks failed)"
    lines.append(f"Result: {verdict} · {report.wall_s:.1f}s")
    return "\n".join(lines)


def _rejection_table(report: CheckReport) -> list[str]:
    wrong = report.wrong
    lines = ["Which case rejects which wrong solution (x = rejected):"]
    ids = {cid: visible(cid) for cid in report.case_ids}
    width = max(len(c) for c in ids.values())
    lines.append(" " * (width + 4) + " ".join(f"{i + 1:>2}" for i in range(len(wrong))))
    for cid in report.case_ids:
        cells = " ".join(f"{'x' if cid in s.rejected_by else '.':>2}" for s in wrong)
        mark = "  (redundant)" if cid in report.redundant_cases else ""
        lines.append(f"  {ids[cid]:<{width}}  {cells}{mark}")
    totals = " ".join(f"{len(s.rejected_by):>2}" for s in wrong)
    lines.append(f"  {'cases rejecting':<{width}}  {totals}")
    for i, s in enumerate(wrong):
        flag = "   <- NO CASE REJECTS IT" if not s.rejected_by else ""
        lines.append(f"  {i + 1:>2}: {visible(s.file)} ({s.declared_text}){flag}")
    if report.redundant_cases:
        redundant = ", ".join(visible(c) for c in report.redundant_cases)
        lines.append(f"Redundant cases (reject no wrong solution that the greedy cover's cases do not): {redundant}")
    return lines


def _mutation_lines(report: MutationReport) -> list[str]:
    """The mutants section: survivors with their diffs and the cases offered, then the equivalent
    ones, then the count of stillborn ones."""
    lines = [f"Mutants of the reference: {report.summary()}"]
    offered = {str(c["id"]): c for c in report.offered}
    if report.survivors:
        lines.append("  Survived (no case rejects them):")
        for r in report.survivors:
            lines.append(visible(f"    {r.mutant.id}: {r.mutant.change} (line {r.mutant.line})"))
            lines.extend(f"      {visible(d)}" for d in r.mutant.diff.rstrip("\n").splitlines())
            if r.offered:
                lines.append(visible(f"      -> rejected by the drawn case {r.offered} (offered below)"))
            else:
                lines.append(visible(f"      -> no drawn input rejects it{': ' + r.why if r.why else ''}{'; ' + report.note if report.note else ''}"))
    equivalent = report.of(Fate.EQUIVALENT)
    if equivalent:
        lines.append("  Equivalent (not gaps: the same output as the reference on every input tried):")
        lines.extend(visible(f"    {r.mutant.id}: {r.mutant.change} (line {r.mutant.line}): {r.why}") for r in equivalent)
    stillborn = report.of(Fate.STILLBORN)
    if stillborn:
        lines.append(f"  Stillborn (fail on every case, not gaps): {len(stillborn)}")
    if offered:
        from .cases import case_yaml

        verb = "Appended to cases.yaml" if report.written else "Cases that reject them (append with --write)"
        lines.append(f"{verb}:")
        for fields in offered.values():
            lines.append(visible(case_yaml(fields).rstrip(), newlines=True))
    return lines

"""Feedback that teaches: recognise a known pitfall in a learner's wrong output.

Every file in ``solutions/wrong/`` is a known pitfall: its first line declares the verdict it
gets (``# expect: wrong_answer``) and its second line a hint for learners (``# hint: ...``).
The outputs of these files on every case are computed by *trusted* runs (unsandboxed, like the
reference: they are the author's code) and cached on disk beside the expected outputs, keyed by
the expected-output key of the case plus the content of the wrong solution's file.

When a learner's output fails a case and matches, within the case's tolerance, what a known
wrong solution returns on that same case (while that wrong solution itself fails the case), the
case result carries that file's hint. A hint is the author's text only: it reveals no input,
expected value or error figure, so it is shown on hidden cases too; all it tells is that the
learner's output coincides with a known mistake on that case.

Runtime errors get hints too (:meth:`HintMatcher.hint_for_error`):

* a case whose ``solve`` raised an exception of the same class (its name, as the worker reports
  it) as a known pitfall raised on that same case gets that pitfall's hint. Pitfalls declaring
  ``# expect: runtime_error`` are tried first, then the ``wrong_answer`` ones that raise on it;
* a ``solve`` that cannot take the problem's arguments (the worker's signature check at import,
  or a ``TypeError`` such as ``solve() takes 1 positional argument but 4 were given``) gets a
  hint stating the expected signature, ``solve(seed, x, features, kernel_size)``: public text,
  from ``problem.yaml``.

Either way the hint is fixed text chosen by a class name or a message pattern; no input or value
of the case reaches it.

Example:
    >>> matcher = HintMatcher(problem, cases, inputs, expected, config)   # doctest: +SKIP
    >>> matcher.hint_for(case, outcome.value)                       # doctest: +SKIP
    'Neural-network "convolution" is a cross-correlation: ...'
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .cases import TestCase, tolerance_for
from .compare import compare_tree
from .config import Config
from .expected import Expected, cache_key
from .output_store import OutputStore
from .output_tree import OutputTree
from .plan import RunPlan
from .problem import Problem
from .runner import CaseOutcome, OutcomeKind
from .safe_text import strict_json
from .solutions import Pitfall, load_pitfalls
from .verdict import Verdict

log = logging.getLogger(__name__)

WORKERS = 2


@dataclass(frozen=True)
class PitfallOutput:
    """What a trusted run of a wrong solution produced on one case: its value or a failure kind.

    ``exc_type`` is the class name of the exception a failed run raised (as the worker reports
    it; empty when the failure was not an exception).
    """

    value: OutputTree | None
    failure: OutcomeKind | None = None  # why there is no value
    exc_type: str = ""


def solution_outputs(
    problem: Problem,
    solutions: Sequence[Path],
    cases: Sequence[TestCase],
    inputs: Sequence[Mapping[str, Any]],
    config: Config,
    *,
    use_cache: bool = True,
) -> dict[Path, dict[str, PitfallOutput]]:
    """Outputs of trusted (author-written) solution files on every case, cached on disk.

    Each file runs once over the cases it has no cache entry for; files run two at a time.
    Only for the problem's own files: they run UNSANDBOXED, like the reference.
    """
    store = pitfall_store(config)
    base_keys = {case.id: cache_key(problem, case, config) for case in cases}

    def key(path: Path, digest: str, case: TestCase) -> str:
        return _entry_key(base_keys[case.id], digest)

    def one(path: Path) -> dict[str, PitfallOutput]:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        found: dict[str, PitfallOutput] = {}
        missing: list[int] = []
        for index, case in enumerate(cases):
            cached = _load(store, key(path, digest, case)) if use_cache else None
            if cached is None:
                missing.append(index)
            else:
                found[case.id] = cached
        if missing:
            for index, output in _run_trusted(problem, path, [inputs[i] for i in missing], config, [cases[i] for i in missing]):
                case = cases[missing[index]]
                found[case.id] = output
                _save(store, key(path, digest, case), output)
        return found

    with store.lock(problem.id):  # graders of one problem, in any process, compute the cache once
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            return dict(zip(solutions, pool.map(one, solutions), strict=True))


def pitfall_store(config: Config) -> OutputStore:
    """Where trusted outputs of the known solutions are cached."""
    return OutputStore(config.cache_dir / "pitfalls")


def pitfall_key(problem: Problem, path: Path, case: TestCase, config: Config) -> str:
    """The cache key of ``path``'s output on ``case``: the case's expected-output key + the file's content."""
    return _entry_key(cache_key(problem, case, config), hashlib.sha256(path.read_bytes()).hexdigest())


def _entry_key(base: str, digest: str) -> str:
    return hashlib.sha256(f"{base}\0{digest}".encode()).hexdigest()


def _run_trusted(
    problem: Problem, path: Path, inputs: Sequence[Mapping[str, Any]], config: Config, cases: Sequence[TestCase]
) -> list[tuple[int, PitfallOutput]]:
    run = RunPlan.trusted(problem, config).run_cases(path, cases, inputs)
    results = []
    for outcome in run.outcomes():
        if outcome.kind is OutcomeKind.OK and outcome.value is not None:
            results.append((outcome.index, PitfallOutput(outcome.value)))
        else:
            results.append((outcome.index, PitfallOutput(None, outcome.kind, outcome.exc_type)))
    return results


def _load(store: OutputStore, key: str) -> PitfallOutput | None:
    """A cached pitfall output, or None (absent, unreadable: computed again).

    A ``.fail`` marker written before markers recorded ``exc_type`` still loads, with an empty
    ``exc_type``, except for an EXCEPTION: its class name is what error hints match on, so such an
    entry reads as absent and is rebuilt once.
    """
    value = store.load(key)
    if value is not None:
        return PitfallOutput(value)
    marker = store.root / key[:2] / f"{key}.fail"
    try:
        data = json.loads(marker.read_text())
        failure = OutcomeKind(data["failure"])
        exc_type = data.get("exc_type", None if failure is OutcomeKind.EXCEPTION else "")
        if not isinstance(exc_type, str):
            return None
        return PitfallOutput(None, failure, exc_type)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _save(store: OutputStore, key: str, output: PitfallOutput) -> None:
    if output.value is not None:
        store.save(key, output.value)
        return
    marker = store.root / key[:2] / f"{key}.fail"
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(
            strict_json({"failure": output.failure.value if output.failure else None, "exc_type": output.exc_type})
        )
    except OSError as exc:
        log.warning("cannot write pitfall cache %s: %s", marker, exc)


def rejects(output: PitfallOutput, expected: OutputTree, case: TestCase, problem: Problem) -> bool:
    """Whether ``output`` fails ``case`` (a failed run always does)."""
    if output.value is None:
        return True
    tol = tolerance_for(problem, case)
    return not compare_tree(
        expected, output.value, problem.output.tree, rtol=tol.rtol, atol=tol.atol, reveal=False, strict_dtype=problem.output.strict_dtype
    ).ok


ARITY_COMPILE = re.compile(r"\(.*\) cannot be called with the problem's \d+ positional arguments$")
ARITY_TYPE_ERROR = (
    r"(takes (from \d+ to )?\d+ positional arguments? but \d+ (was|were) given"
    r"|missing \d+ required positional arguments?\b"
    r"|takes no arguments)"
)


def signature_hint(problem: Problem) -> str:
    """The hint for a ``solve`` that cannot take the problem's arguments: its expected signature.

    Public text: the signature is in the statement and the template.

    Example:
        >>> from judge.problem import load_problem
        >>> signature_hint(load_problem("problems/conv1d"))
        'The judge calls solve(seed, x, features, kernel_size): define solve with exactly these 4 parameters, in this order.'
    """
    names = ", ".join(a.name for a in problem.args)
    entry = problem.entry_point
    return f"The judge calls {entry}({names}): define {entry} with exactly these {len(problem.args)} parameters, in this order."


def is_arity_error(problem: Problem, outcome: CaseOutcome) -> bool:
    """Whether ``outcome`` says the entry point cannot take the problem's arguments.

    Either the worker's signature check at import (a COMPILE_ERROR written by the judge:
    ``solve(x) cannot be called with the problem's 4 positional arguments``) or a ``TypeError``
    raised by calling the entry point itself (``solve() takes 1 positional argument but 4 were
    given``, ``solve() missing 1 required positional argument: 'x'``). Only the first line of the
    message is read: a helper of the learner's called with the wrong arguments is another mistake.
    """
    first = outcome.message.splitlines()[0] if outcome.message else ""
    entry = re.escape(problem.entry_point)
    if outcome.kind is OutcomeKind.COMPILE_ERROR:
        return first.startswith(f"{problem.entry_point}(") and ARITY_COMPILE.search(first) is not None
    if outcome.kind is OutcomeKind.EXCEPTION and outcome.exc_type == "TypeError":
        return re.search(rf"(^|[\s.:]){entry}\(\) {ARITY_TYPE_ERROR}", first) is not None
    return False


class HintMatcher:
    """Finds the known pitfall a failed case matches; pitfall outputs are computed lazily, once.

    Nothing is run until the first case that needs them, so an accepted submission pays nothing;
    a runtime error first runs only the pitfalls that declare ``runtime_error``.
    """

    def __init__(
        self,
        problem: Problem,
        cases: Sequence[TestCase],
        inputs: Sequence[Mapping[str, Any]],
        expected: Mapping[str, Expected],
        config: Config,
    ) -> None:
        self.problem, self.cases, self.inputs, self.expected, self.config = problem, cases, inputs, expected, config
        self._outputs: dict[Path, dict[str, PitfallOutput]] = {}
        self._pitfalls: tuple[Pitfall, ...] | None = None
        self._seen: dict[Path, int] = {}

    @property
    def pitfalls(self) -> tuple[Pitfall, ...]:
        if self._pitfalls is None:
            self._pitfalls = load_pitfalls(self.problem)
        return self._pitfalls

    def _outputs_of(self, pitfalls: Sequence[Pitfall]) -> dict[Path, dict[str, PitfallOutput]]:
        missing = [p.path for p in pitfalls if p.path not in self._outputs]
        if missing:
            try:
                self._outputs.update(solution_outputs(self.problem, missing, self.cases, self.inputs, self.config))
            except Exception:  # noqa: BLE001 - hints are a bonus; never let them break grading
                log.exception("cannot compute the known pitfalls of %s; grading without hints", self.problem.id)
                self._outputs.update({path: {} for path in missing})
        return {p.path: self._outputs.get(p.path, {}) for p in pitfalls}

    def _pick(self, matches: Sequence[Pitfall]) -> str | None:
        """The hint of the match this submission matched most so far (then the first by file name)."""
        if not matches:
            return None
        # Several pitfalls can coincide on one case: prefer the one this submission matched most.
        best = max(matches, key=lambda p: self._seen.get(p.path, 0))
        for pitfall in matches:
            self._seen[pitfall.path] = self._seen.get(pitfall.path, 0) + 1
        return f"{best.hint} (known pitfall: {best.name})"

    def hint_for(self, case: TestCase, got: OutputTree) -> str | None:
        """The hint of a known wrong solution whose output ``got`` matches on ``case``, or None.

        When several match, the one matched most often so far by this submission wins (then
        the first by file name), so one recurring mistake gives one consistent hint.
        """
        expected = self.expected[case.id].value
        if expected is None:
            return None
        outputs = self._outputs_of(self.pitfalls)
        tol = tolerance_for(self.problem, case)
        matches = []
        for pitfall in self.pitfalls:
            output = outputs[pitfall.path].get(case.id)
            if output is None or output.value is None or not rejects(output, expected, case, self.problem):
                continue
            # The pitfall's output stands for the expected one: same structure, same leaf rules.
            if compare_tree(output.value, got, self.problem.output.tree, rtol=tol.rtol, atol=tol.atol, reveal=False).ok:
                matches.append(pitfall)
        return self._pick(matches)

    def hint_for_error(self, case: TestCase, outcome: CaseOutcome) -> str | None:
        """The hint for a case that ended in an exception or a compile error, or None.

        A ``solve`` that cannot take the problem's arguments gets the expected signature
        (:func:`is_arity_error`). Otherwise an exception whose class name equals the one a known
        pitfall raised on this same case gets that pitfall's hint: the ``runtime_error`` pitfalls
        are tried first (and only they are run, until one fails to match), then the
        ``wrong_answer`` ones. Only the class name is compared, never the message: the hint is the
        author's fixed text and says nothing of the case's inputs.
        """
        if is_arity_error(self.problem, outcome):
            return signature_hint(self.problem)
        if outcome.kind is not OutcomeKind.EXCEPTION or not outcome.exc_type:
            return None
        for declared in (Verdict.RUNTIME_ERROR, Verdict.WRONG_ANSWER):
            stage = [p for p in self.pitfalls if p.expect is declared]
            if not stage:
                continue
            outputs = self._outputs_of(stage)
            matches = []
            for pitfall in stage:
                output = outputs[pitfall.path].get(case.id)
                if output is not None and output.failure is OutcomeKind.EXCEPTION and output.exc_type == outcome.exc_type:
                    matches.append(pitfall)
            if matches:
                return self._pick(matches)
        return None

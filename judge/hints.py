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

Example:
    >>> matcher = HintMatcher(problem, cases, inputs, expected, config)   # doctest: +SKIP
    >>> matcher.hint_for(case, outcome.array)                       # doctest: +SKIP
    'Neural-network "convolution" is a cross-correlation: ...'
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .cases import TestCase, tolerance_for
from .compare import compare
from .config import Config
from .expected import Expected, cache_key
from .output_store import OutputStore
from .plan import RunPlan
from .problem import Problem
from .runner import OutcomeKind
from .safe_text import strict_json
from .solutions import Pitfall, load_pitfalls

log = logging.getLogger(__name__)

WORKERS = 2


@dataclass(frozen=True)
class PitfallOutput:
    """What a trusted run of a wrong solution produced on one case: an array or a failure kind."""

    array: np.ndarray | None
    failure: OutcomeKind | None = None  # why there is no array


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
    store = OutputStore(config.cache_dir / "pitfalls")
    base_keys = {case.id: cache_key(problem, case, config) for case in cases}

    def key(path: Path, digest: str, case: TestCase) -> str:
        return hashlib.sha256(f"{base_keys[case.id]}\0{digest}".encode()).hexdigest()

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
            for index, output in _run_trusted(problem, path, [inputs[i] for i in missing], config, [cases[i].id for i in missing]):
                case = cases[missing[index]]
                found[case.id] = output
                _save(store, key(path, digest, case), output)
        return found

    with store.lock(problem.id):  # graders of one problem, in any process, compute the cache once
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            return dict(zip(solutions, pool.map(one, solutions), strict=True))


def _run_trusted(
    problem: Problem, path: Path, inputs: Sequence[Mapping[str, Any]], config: Config, case_ids: Sequence[str]
) -> list[tuple[int, PitfallOutput]]:
    run = RunPlan.trusted(problem, config).run(path, inputs, case_ids=case_ids)
    results = []
    for outcome in run.outcomes():
        if outcome.kind is OutcomeKind.OK and outcome.array is not None:
            results.append((outcome.index, PitfallOutput(outcome.array)))
        else:
            results.append((outcome.index, PitfallOutput(None, outcome.kind)))
    return results


def _load(store: OutputStore, key: str) -> PitfallOutput | None:
    array = store.load(key)
    if array is not None:
        return PitfallOutput(array)
    marker = store.root / key[:2] / f"{key}.fail"
    try:
        return PitfallOutput(None, OutcomeKind(json.loads(marker.read_text())["failure"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _save(store: OutputStore, key: str, output: PitfallOutput) -> None:
    if output.array is not None:
        store.save(key, output.array)
        return
    marker = store.root / key[:2] / f"{key}.fail"
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(strict_json({"failure": output.failure.value if output.failure else None}))
    except OSError as exc:
        log.warning("cannot write pitfall cache %s: %s", marker, exc)


def rejects(output: PitfallOutput, expected: np.ndarray, case: TestCase, problem: Problem) -> bool:
    """Whether ``output`` fails ``case`` (a failed run always does)."""
    if output.array is None:
        return True
    tol = tolerance_for(problem, case)
    return not compare(expected, output.array, rtol=tol.rtol, atol=tol.atol, reveal=False, strict_dtype=problem.output.strict_dtype).ok


class HintMatcher:
    """Finds the known pitfall a wrong output matches; pitfall outputs are computed lazily, once.

    Nothing is run until the first wrong answer, so an accepted submission pays nothing.
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
        self._outputs: dict[Path, dict[str, PitfallOutput]] | None = None
        self._pitfalls: tuple[Pitfall, ...] | None = None
        self._seen: dict[Path, int] = {}

    def _ensure(self) -> None:
        if self._outputs is not None:
            return
        self._pitfalls = load_pitfalls(self.problem)
        try:
            self._outputs = solution_outputs(
                self.problem, [p.path for p in self._pitfalls], self.cases, self.inputs, self.config
            )
        except Exception:  # noqa: BLE001 - hints are a bonus; never let them break grading
            log.exception("cannot compute the known pitfalls of %s; grading without hints", self.problem.id)
            self._outputs = {}

    def hint_for(self, case: TestCase, got: np.ndarray) -> str | None:
        """The hint of a known wrong solution whose output ``got`` matches on ``case``, or None.

        When several match, the one matched most often so far by this submission wins (then
        the first by file name), so one recurring mistake gives one consistent hint.
        """
        expected = self.expected[case.id].array
        if expected is None:
            return None
        self._ensure()
        assert self._outputs is not None and self._pitfalls is not None
        tol = tolerance_for(self.problem, case)
        matches = []
        for pitfall in self._pitfalls:
            output = self._outputs.get(pitfall.path, {}).get(case.id)
            if output is None or output.array is None or not rejects(output, expected, case, self.problem):
                continue
            if compare(output.array, got, rtol=tol.rtol, atol=tol.atol, reveal=False).ok:
                matches.append(pitfall)
        if not matches:
            return None
        # Several pitfalls can coincide on one case: prefer the one this submission matched most.
        best = max(matches, key=lambda p: self._seen.get(p.path, 0))
        for pitfall in matches:
            self._seen[pitfall.path] = self._seen.get(pitfall.path, 0) + 1
        return f"{best.hint} (known pitfall: {best.name})"

"""Expected outputs: the trusted reference run on the same inputs, cached on disk when possible.

The reference runs in its own (unsandboxed, trusted) worker process, never in the process that
runs a submission. Each case's output is cached under a key made of everything it depends on:
the problem's ``problem.yaml`` and ``reference.py``, the case's content, the versions of the
judge, JAX, jaxlib, Flax and NumPy, the backend, precision and x64 flag. A cache entry whose
checksum does not match is ignored and rebuilt, never trusted.

Example:
    >>> outputs = expected_outputs(problem, cases, inputs, config)   # doctest: +SKIP
    >>> outputs["worked-example"].value.single.shape                  # doctest: +SKIP
    (8,)
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from typing import Any

import numpy as np

from .cases import TestCase
from .config import Config
from .output_store import OutputStore
from .output_tree import OutputTree, format_path, structure_difference
from .plan import RunPlan
from .problem import Problem, reference_traceback
from .runner import CompileCaches, OutcomeKind

log = logging.getLogger(__name__)

CACHE_FORMAT = "1"


@dataclass(frozen=True)
class Expected:
    """The reference's answer for one case (an array, or a tree of them), or why there is none."""

    value: OutputTree | None
    error: str = ""
    from_cache: bool = False

    def __post_init__(self) -> None:
        if self.value is not None and not isinstance(self.value, OutputTree):
            raise TypeError("Expected.value is an OutputTree (OutputTree.of(array) for a single array)")


def package_versions() -> dict[str, str]:
    """Versions of the packages whose behaviour decides outputs (read without importing them)."""
    versions = {}
    for name in ("judge", "jax", "jaxlib", "flax", "numpy"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


def cache_key(problem: Problem, case: TestCase, config: Config) -> str:
    """Everything an expected output depends on, hashed."""
    digest = hashlib.sha256()
    payload = {
        "format": CACHE_FORMAT,
        "versions": package_versions(),
        "backend": config.backend,
        "precision": config.precision,
        "x64": config.x64,
        "case": case.canonical(),
    }
    digest.update(json.dumps(payload, sort_keys=True).encode())
    for path in (problem.problem_file, problem.reference_file):
        digest.update(b"\0" + path.read_bytes())
    return digest.hexdigest()


def expected_outputs(
    problem: Problem,
    cases: Sequence[TestCase],
    inputs: Sequence[Mapping[str, Any]],
    config: Config,
    *,
    use_cache: bool = True,
) -> dict[str, Expected]:
    """The reference's output for every case, from the cache or from one reference run."""
    store = OutputStore(config.cache_dir / "expected")
    results: dict[str, Expected] = {}
    keys = {case.id: cache_key(problem, case, config) for case in cases}
    missing: list[int] = []
    for index, case in enumerate(cases):
        cached = store.load(keys[case.id]) if use_cache else None
        if cached is not None:
            results[case.id] = Expected(cached, from_cache=True)
        else:
            missing.append(index)
    if missing:
        # One filler at a time, across processes and machines sharing the cache: the others wait,
        # then find the entries it wrote.
        with store.lock(problem.id):
            if use_cache:
                for index in list(missing):
                    cached = store.load(keys[cases[index].id])
                    if cached is not None:
                        results[cases[index].id] = Expected(cached, from_cache=True)
                        missing.remove(index)
            if missing:
                ran = _run_reference(problem, [cases[i] for i in missing], [inputs[i] for i in missing], config)
                for case_id, expected in ran.items():
                    results[case_id] = expected
                    if expected.value is not None:
                        store.save(keys[case_id], expected.value)
    return results


def reference_outputs(
    problem: Problem,
    cases: Sequence[TestCase],
    inputs: Sequence[Mapping[str, Any]],
    config: Config,
    *,
    caches: CompileCaches | None = None,
) -> dict[str, Expected]:
    """The reference's output for each of ``cases`` (ids must be unique), computed now, never cached.

    ``caches``: the compilation caches this run fills instead of the usual two (the ranking's own).
    """
    return _run_reference(problem, cases, inputs, config, caches)


def _run_reference(
    problem: Problem,
    cases: Sequence[TestCase],
    inputs: Sequence[Mapping[str, Any]],
    config: Config,
    caches: CompileCaches | None = None,
) -> dict[str, Expected]:
    plan = RunPlan.trusted(problem, config)
    if caches is not None:
        plan = dataclasses.replace(plan, options=dataclasses.replace(plan.options, compile_caches=caches))
    run = plan.run_cases(problem.reference_file, cases, inputs)
    results: dict[str, Expected] = {}
    for outcome in run.outcomes():
        case = cases[outcome.index]
        if outcome.kind is OutcomeKind.OK and outcome.value is not None:
            results[case.id] = _checked(problem, outcome.value)
        else:
            message = reference_traceback(outcome.message)
            detail = message.splitlines()[0] if message else outcome.kind.value
            results[case.id] = Expected(None, f"the reference failed ({outcome.kind.value}): {detail}")
            log.error("reference of %s failed on case %s: %s", problem.id, case.id, message)
    return results


def _checked(problem: Problem, value: OutputTree) -> Expected:
    """The reference's answer, if it is finite and has the containers ``output.tree`` declares."""
    difference = structure_difference(problem.output.tree, value.root)  # a spec's leaves stand for arrays
    if difference is not None:
        where, what = difference
        return Expected(None, f"the reference's output does not match problem.yaml's output.tree: {format_path(where)}: {what}")
    for path, array in value.leaves():
        if array.dtype.kind == "f" and not np.all(np.isfinite(array)):
            return Expected(None, "the reference returned non-finite values" + (f" (in {format_path(path)})" if path else ""))
    return Expected(value)


"""Cache maintenance around the pipeline: ``judge cache clear`` and ``judge cache warm``.

Warming runs only trusted code (the reference and the problem's shipped solutions) with the
compilation cache writable; learner code only ever reads it.

Example:
    >>> from judge.config import load_config
    >>> clear_caches(load_config(None, overrides={"cache_dir": "/nonexistent/judge-cache"}))
    0
"""

from __future__ import annotations

import shutil

from ..cases import load_cases, materialize
from ..config import Config
from ..expected import expected_outputs
from ..hints import solution_outputs
from ..plan import RunPlan
from ..problem import Problem
from ..solutions import load_pitfalls


def clear_caches(config: Config) -> int:
    """Remove every file under the cache directory; return how many."""
    removed = 0
    for sub in ("expected", "xla", "xla-public", "xla-bench", "pitfalls", "float64", "xla-authoring"):
        folder = config.cache_dir / sub
        if folder.is_dir():
            removed += sum(1 for p in folder.rglob("*") if p.is_file())
            shutil.rmtree(folder)
    return removed


def warm_caches(problem: Problem, config: Config) -> str:
    """Compute expected outputs and fill JAX's compilation cache from trusted runs only.

    The reference and the problem's shipped solutions (accepted and wrong: written by the problem's
    author, so trusted) run unsandboxed with the compilation cache writable, so the operations
    typical submissions use are compiled once; learner code never writes to the cache.
    """
    cases = load_cases(problem)
    inputs = [materialize(problem, c) for c in cases]
    expected = expected_outputs(problem, cases, inputs, config)
    failures = [cid for cid, e in expected.items() if e.value is None]

    # Pitfall outputs (for hints) come from trusted runs of the wrong solutions, which also
    # fill the compilation cache with their operations.
    pitfalls = load_pitfalls(problem)
    solution_outputs(problem, [p.path for p in pitfalls], cases, inputs, config)
    warmed = len(pitfalls)
    others = [p for p in sorted(problem.solutions_dir.glob("*/*.py")) if p not in {q.path for q in pitfalls}]
    for solution in others:
        run = RunPlan.trusted(problem, config).run_cases(solution, cases, inputs)
        for _ in run.outcomes():
            pass
        warmed += 1
    line = (
        f"{problem.id}: {len(cases) - len(failures)}/{len(cases)} expected outputs cached; "
        f"compilation cache warmed by the reference and {warmed} shipped solution(s)"
    )
    if failures:
        line += f"; the reference FAILED on: {', '.join(failures)}"
    return line

"""A sandboxed, fair judge for JAX/Flax exercises.

The public API, for tools and tests that skip the CLI::

    from judge import load_config, load_problem, grade
    config = load_config("config.yaml")
    problem = load_problem("conv1d", config.problems_dir)
    result = grade(Path("submissions/alice_correct.py"), problem, config)
    print(result.verdict.value, result.score)

Names are imported lazily: the sandboxed worker imports ``judge.worker`` and ``judge.channel``
only, and must not pay for (or expose) the rest of the judge.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "CaseResult": "verdict",
    "Config": "config",
    "JudgeError": "errors",
    "Limits": "config",
    "Problem": "problem",
    "SubmissionResult": "verdict",
    "TestCase": "cases",
    "Verdict": "verdict",
    "grade": "grade",
    "grade_stream": "grade",
    "load_cases": "cases",
    "load_config": "config",
    "load_problem": "problem",
    "materialize": "cases",
    "run_batch": "batch",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'judge' has no attribute {name!r}")
    return getattr(importlib.import_module(f"judge.{_EXPORTS[name]}"), name)


def __dir__() -> list[str]:
    return __all__

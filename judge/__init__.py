"""A sandboxed, fair judge for JAX/Flax exercises.

The public API, for tools and tests that skip the CLI::

    from judge import load_config, read_job, run_job
    config = load_config("config.yaml")
    record = run_job(read_job(Path("submissions/alice_correct.py"), "conv1d"), config)
    print(record.verdict.value, record.score)

Names are imported lazily: the sandboxed worker imports ``judge.worker`` and ``judge.channel``
only, and must not pay for (or expose) the rest of the judge.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "CaseResult": "verdict",
    "Config": "config",
    "Job": "record",
    "JudgeError": "errors",
    "Limits": "config",
    "Problem": "problem",
    "SubmissionResult": "verdict",
    "ResultRecord": "record",
    "TestCase": "cases",
    "Verdict": "verdict",
    "grade": "grade",
    "grade_stream": "grade",
    "load_cases": "cases",
    "load_config": "config",
    "load_problem": "problem",
    "materialize": "cases",
    "read_job": "job",
    "run_batch": "batch",
    "run_job": "job",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'judge' has no attribute {name!r}")
    return getattr(importlib.import_module(f"judge.{_EXPORTS[name]}"), name)


def __dir__() -> list[str]:
    return __all__

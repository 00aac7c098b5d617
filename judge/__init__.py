"""A sandboxed, fair judge for JAX/Flax exercises.

The public API, for tools and tests that skip the CLI::

    from judge import load_config, load_problem, grade
    config = load_config("config.yaml")
    problem = load_problem("conv1d", config.problems_dir)
    result = grade(Path("submissions/alice_correct.py"), problem, config)
    print(result.verdict.value, result.score)
"""

from .cases import TestCase, load_cases, materialize
from .config import Config, Limits, load_config
from .errors import JudgeError
from .grade import grade, grade_stream
from .problem import Problem, load_problem
from .verdict import CaseResult, SubmissionResult, Verdict

__all__ = [
    "CaseResult",
    "Config",
    "JudgeError",
    "Limits",
    "Problem",
    "SubmissionResult",
    "TestCase",
    "Verdict",
    "grade",
    "grade_stream",
    "load_cases",
    "load_config",
    "load_problem",
    "materialize",
]

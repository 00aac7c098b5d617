"""The baseline a user would write instead of the judge (for bench/grade_speed.py only).

A fresh Python per submission: import JAX, Flax, the submission and the reference in one process,
run every case through both, compare with numpy.allclose. No sandbox, no caches.

    python bench/naive_grader.py SUBMISSION PROBLEM_DIR
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import jax
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from judge.cases import load_cases, materialize  # noqa: E402  (YAML + NumPy only)
from judge.problem import load_problem  # noqa: E402


def load(path: Path, name: str):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules[name] = module
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def main() -> None:
    submission, problem_dir = Path(sys.argv[1]), Path(sys.argv[2])
    problem = load_problem(problem_dir)
    reference = load(problem.reference_file, "reference")
    passed = 0
    cases = load_cases(problem)
    try:
        learner = load(submission, "submission")
    except Exception:  # noqa: BLE001
        print(json.dumps({"verdict": "compile_error", "passed": 0, "total": len(cases)}))
        return
    for case in cases:
        values = materialize(problem, case)
        args = [jax.numpy.asarray(v) if isinstance(v, np.ndarray) else v for v in values.values()]
        expected = np.asarray(reference.solve(*args))
        try:
            got = np.asarray(learner.solve(*args))
            ok = got.shape == expected.shape and np.allclose(got, expected, rtol=problem.tolerance.rtol, atol=problem.tolerance.atol)
        except Exception:  # noqa: BLE001
            ok = False
        passed += bool(ok)
    verdict = "accepted" if passed == len(cases) else "wrong_answer"
    print(json.dumps({"verdict": verdict, "passed": passed, "total": len(cases)}))


if __name__ == "__main__":
    main()

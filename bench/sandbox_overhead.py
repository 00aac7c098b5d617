"""Sandbox overhead: grade one accepted solution N times sandboxed and N times unsandboxed.

Runs alternate (sandboxed, unsandboxed, sandboxed, ...) so drift in machine load hits both alike,
after one warm-up run of each so the expected outputs and the JAX compilation cache are warm.
Prints the median wall time of each and their ratio.

Usage:
    python bench/sandbox_overhead.py [--runs 5] [--cases 3] [--solution PATH] [--cache-dir DIR]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from judge.cases import load_cases
from judge.config import load_config
from judge.grade import grade
from judge.problem import load_problem
from judge.verdict import Verdict

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cases", type=int, default=0, help="first N cases only (0: all)")
    parser.add_argument("--problem", default="conv1d")
    parser.add_argument("--solution", type=Path, default=REPO / "problems/conv1d/solutions/accepted/compact_lax.py")
    parser.add_argument("--cache-dir", type=Path, default=None, help="default: a fresh temporary directory")
    opts = parser.parse_args()

    cache = opts.cache_dir or Path(tempfile.mkdtemp(prefix="judge-bench-"))
    config = load_config(None, overrides={"cache_dir": str(cache), "problems_dir": str(REPO / "problems")})
    problem = load_problem(opts.problem, config.problems_dir)
    cases = load_cases(problem)
    if opts.cases:
        cases = cases[: opts.cases]
    configs = {"sandbox": config.with_overrides(sandbox="auto"), "none": config.with_overrides(sandbox="none")}

    def once(mode: str) -> float:
        started = time.perf_counter()
        result = grade(opts.solution, problem, configs[mode], cases=cases)
        elapsed = time.perf_counter() - started
        if result.verdict is not Verdict.ACCEPTED:
            raise SystemExit(f"{opts.solution} was not accepted ({mode}): {result.verdict.value}")
        return elapsed

    for mode in configs:  # warm-up: reference outputs and compile cache
        once(mode)
    times: dict[str, list[float]] = {mode: [] for mode in configs}
    for _ in range(opts.runs):
        for mode in configs:
            times[mode].append(once(mode))

    print(f"{opts.solution.name}: {len(cases)} cases, {opts.runs} runs each, alternating, warm caches ({cache})")
    for mode, values in times.items():
        print(f"  {mode:8s} median {statistics.median(values):.3f} s   runs: {', '.join(f'{v:.3f}' for v in values)}")
    ratio = statistics.median(times["sandbox"]) / statistics.median(times["none"])
    extra = statistics.median(times["sandbox"]) - statistics.median(times["none"])
    print(f"  sandbox / none = {ratio:.2f}x  (+{extra:.3f} s per submission)")


if __name__ == "__main__":
    main()

"""How noisy is the ranking time? Grade the same accepted submissions N times and report the spread.

Run by hand: .venv/bin/python bench/ranking_noise.py [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from judge.config import load_config
from judge.grade import grade
from judge.problem import load_problem

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    opts = parser.parse_args()
    config = load_config(REPO / "config.yaml")
    problem = load_problem("conv1d", config.problems_dir)
    for name in ("compact_lax.py", "manual_window_numpy.py", "jnp_pad_valid.py"):
        path = problem.solutions_dir / "accepted" / name
        times = []
        for _ in range(opts.runs):
            result = grade(path, problem, config, measure=True)
            assert result.ranking_time_s is not None, result.verdict
            times.append(result.ranking_time_s * 1e3)
        median = statistics.median(times)
        spread = (max(times) - min(times)) / median
        print(f"{name:<24} median {median:8.3f} ms  min {min(times):8.3f}  max {max(times):8.3f}  "
              f"(max-min)/median {spread:.1%}  runs {opts.runs}")


if __name__ == "__main__":
    main()

"""How noisy is the ranking time? Measure the same accepted submissions N times and report the spread.

Two ways to take each measurement:

- ``--what grade`` (the default): a whole grading with ``measure=True``, as ``judge batch`` does
  for each submission, one solution after another (all runs of the first, then the second, ...);
- ``--what ranking``: only the ranking-time measurement (:meth:`judge.ranking.Bench.measure`: a
  fresh sandboxed worker, fresh inputs, every answer checked), which is what ``judge batch``
  repeats when it re-times close contenders; with ``--alternate`` the runs take turns
  (A, B, C, A, B, C, ...) in one time window, exactly as re-timing does.

The spread printed is (max - min) / median over the runs of one solution: the leaderboard's noise
band (``judge.batch.ties.NOISE``) should sit above what this shows on the machine that judges. The
load average is printed before and after, since the spread depends on it.

Run by hand: .venv/bin/python bench/ranking_noise.py [--runs 7] [--what ranking --alternate]
"""

from __future__ import annotations

import argparse
import os
import statistics
from collections.abc import Callable
from pathlib import Path

from judge.batch.ties import NOISE
from judge.config import load_config
from judge.grade import grade
from judge.problem import load_problem
from judge.ranking import Bench

REPO = Path(__file__).resolve().parent.parent
SOLUTIONS = ("compact_lax.py", "manual_window_numpy.py", "jnp_pad_valid.py")


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--what", choices=("grade", "ranking"), default="grade")
    parser.add_argument("--alternate", action="store_true", help="take turns between the solutions (with --what ranking)")
    parser.add_argument("--solutions", default=",".join(SOLUTIONS), help="accepted solutions of conv1d, comma-separated")
    opts = parser.parse_args()
    config = load_config(REPO / "config.yaml")
    problem = load_problem("conv1d", config.problems_dir)
    paths = [problem.solutions_dir / "accepted" / name for name in opts.solutions.split(",")]
    measure: Callable[[Path], float | None]
    if opts.what == "ranking":
        bench = Bench.load(problem, config)

        def measure(path: Path) -> float | None:
            return bench.measure(path).time_s
    else:

        def measure(path: Path) -> float | None:
            return grade(path, problem, config, measure=True).ranking_time_s

    print(f"{opts.what}{' (alternating)' if opts.alternate else ''}, {opts.runs} runs each; {load()}")
    times: dict[Path, list[float]] = {path: [] for path in paths}
    order = [p for _ in range(opts.runs) for p in paths] if opts.alternate else [p for p in paths for _ in range(opts.runs)]
    for path in order:
        time_s = measure(path)
        assert time_s is not None, f"{path.name}: no ranking time"
        times[path].append(time_s * 1e3)
    for path, ms in times.items():
        median = statistics.median(ms)
        spread = (max(ms) - min(ms)) / median
        print(f"{path.name:<24} median {median:8.3f} ms  min {min(ms):8.3f}  max {max(ms):8.3f}  "
              f"(max-min)/median {spread:.1%}  runs {len(ms)}")
        print(f"{'':<24} runs {', '.join(f'{t:.3f}' for t in ms)}")
    if opts.alternate and len(paths) > 1:
        # Runs that took turns share their load: how much does one solution's time relative to
        # the first's vary from round to round? That is what re-timing together can resolve.
        first = times[paths[0]]
        for path in paths[1:]:
            ratios = [t / f for t, f in zip(times[path], first, strict=True)]
            middle = statistics.median(ratios)
            print(f"{path.name:<24} / {paths[0].name}: median ratio {middle:.3f}, "
                  f"(max-min)/median {(max(ratios) - min(ratios)) / middle:.1%}")
    medians = sorted(statistics.median(ms) for ms in times.values())
    print(f"noise band {NOISE:.0%}; after: {load()}; medians {', '.join(f'{m:.3f}' for m in medians)} ms")


if __name__ == "__main__":
    main()

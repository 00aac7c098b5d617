"""Benchmark: what a case costs in a fresh process on a warm compilation cache, and what sharing
MLIR contexts saves (issue #12). Run by hand, never from the test suite:

    .venv/bin/python bench/lowering_cost.py [--rounds 5] [--problem conv1d] [--solution PATH]

It fills a private compilation cache with one trusted run of the solution over the problem's
cases, then alternates fresh processes that run the same cases on that cache, JAX as it comes
(``plain``) and with the worker's shared MLIR contexts (``shared``,
``judge.worker._share_ir_contexts``). Each child reports wall and CPU seconds for all cases
after a tiny warm-up (the warm pool pays that before a submission arrives) and writes its
outputs; the parent checks the two modes' outputs are bitwise equal and prints medians and the
ratio. No sandbox: this isolates JAX's own per-case cost (tracing, lowering, loading each
eagerly dispatched operation's executable per new input shape).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def child(mode: str, cache: str, problem_dir: str, solution: str, out: str) -> None:
    os.environ["JAX_PLATFORMS"] = "cpu"
    sys.path.insert(0, str(REPO))
    import importlib.util

    import numpy as np

    from judge import worker

    if mode == "shared":
        worker._share_ir_contexts()
    import jax

    jax.config.update("jax_default_matmul_precision", "highest")
    jax.config.update("jax_compilation_cache_dir", cache)
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", -1)
    from judge.cases import load_cases, materialize
    from judge.problem import load_problem

    problem = load_problem(Path(problem_dir))
    inputs = [materialize(problem, case) for case in load_cases(problem)]
    worker._warm_up(jax)
    spec = importlib.util.spec_from_file_location("submission", solution)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["submission"] = module
    spec.loader.exec_module(module)
    outputs = []
    wall, cpu = time.perf_counter(), time.process_time()
    for values in inputs:
        args = [jax.numpy.asarray(v) if isinstance(v, np.ndarray) else v for v in values.values()]
        outputs.append(np.asarray(jax.block_until_ready(module.solve(*args))))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    np.savez(out, *outputs)
    print(json.dumps({"wall_s": wall, "cpu_s": cpu, "cases": len(inputs)}))


def run(mode: str, cache: Path, problem: Path, solution: Path, out: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(cache), str(problem), str(solution), str(out)],
        capture_output=True, text=True, check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--problem", default="conv1d")
    parser.add_argument("--solution", type=Path)
    parser.add_argument("--child", nargs=5)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    import numpy as np

    problem = REPO / "problems" / args.problem
    solution = args.solution or next(iter(sorted((problem / "solutions" / "accepted").glob("*.py"))))
    with tempfile.TemporaryDirectory(prefix="lowering-cost-") as tmp:
        cache = Path(tmp) / "xla"
        filled = run("plain", cache, problem, solution, Path(tmp) / "fill.npz")
        print(f"{args.problem}, {solution.name}: {filled['cases']} cases; filling the cache took {filled['wall_s']:.2f} s",
              file=sys.stderr)
        times: dict[str, list[dict[str, float]]] = {"plain": [], "shared": []}
        for _ in range(args.rounds):
            for mode in times:
                times[mode].append(run(mode, cache, problem, solution, Path(tmp) / f"{mode}.npz"))
        plain, shared = np.load(Path(tmp) / "plain.npz"), np.load(Path(tmp) / "shared.npz")
        same = all(np.array_equal(plain[k], shared[k]) and plain[k].dtype == shared[k].dtype for k in plain.files)
    print(f"load average at the end: {os.getloadavg()[0]:.1f}; outputs bitwise equal: {same}")
    print("| mode | wall (median) | CPU (median) | per case (wall) |\n|---|---|---|---|")
    medians = {}
    for mode, rows in times.items():
        wall = statistics.median(r["wall_s"] for r in rows)
        cpu = statistics.median(r["cpu_s"] for r in rows)
        medians[mode] = (wall, cpu)
        print(f"| {mode} | {wall:.3f} s | {cpu:.3f} s | {wall / filled['cases'] * 1000:.0f} ms |")
    print(f"ratio shared/plain: wall {medians['shared'][0] / medians['plain'][0]:.2f}, "
          f"CPU {medians['shared'][1] / medians['plain'][1]:.2f}")


if __name__ == "__main__":
    main()

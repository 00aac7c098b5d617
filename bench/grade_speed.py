"""Benchmark: the judge against a naive grader, side by side, on the conv1d problem's full case set.

Run by hand (never from the test suite); figures go in the README:

    .venv/bin/python bench/grade_speed.py [--pairs 7] [--batch-rounds 3]

1. Single grade: ``judge grade`` of a correct submission with warm caches vs the naive grader
   (bench/naive_grader.py: fresh Python, submission + reference in one process, numpy.allclose),
   alternating, ``--pairs`` times. Target: median ratio <= 0.35.
2. Batch: ``judge batch --jobs 2`` of 12 different submissions vs the naive grader running the
   same 12 two at a time. Target: ratio <= 0.2.
3. Peak memory per worker: max RSS of each naive process vs the sandbox's cgroup peak.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
JUDGE = [PYTHON, "-m", "judge"]
PROBLEM = REPO / "problems" / "conv1d"


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MiB) of the process tree's largest member, stdout."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=REPO, env=env)
    out = proc.stdout.read().decode() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}")
    return wall, usage.ru_maxrss / 1024, out


def naive(sub: Path) -> tuple[float, float, str]:
    return timed([PYTHON, str(REPO / "bench" / "naive_grader.py"), str(sub), str(PROBLEM)])


def judge_grade(sub: Path, env: dict[str, str]) -> tuple[float, float, dict]:
    wall, rss, out = timed([*JUDGE, "grade", str(sub), "--problem", str(PROBLEM), "--format", "json"], env)
    return wall, rss, json.loads(out)


def pick_twelve() -> list[Path]:
    accepted = sorted((PROBLEM / "solutions" / "accepted").glob("*.py"))
    wrong = sorted((PROBLEM / "solutions" / "wrong").glob("*.py"))
    chosen = (accepted + wrong)[:12]
    if len(chosen) < 12:
        raise SystemExit("need 12 solutions under problems/conv1d/solutions")
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=7)
    parser.add_argument("--batch-rounds", type=int, default=3)
    opts = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="judge-bench-"))
    env = {**os.environ, "JUDGE_CACHE_DIR": str(work / "cache")}
    correct = PROBLEM / "solutions" / "accepted" / "compact_lax.py"
    print(f"machine: {os.cpu_count()} cores, {os.uname().machine}, python {sys.version.split()[0]}")
    print("warming the judge's caches (reference + shipped solutions)...")
    subprocess.run([*JUDGE, "cache", "warm", "--problem", str(PROBLEM)], cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL)
    judge_grade(correct, env)

    naive_walls, judge_walls, ratios, naive_rss, judge_peaks, judge_rss = [], [], [], [], [], []
    for i in range(opts.pairs):
        order = [("naive", naive), ("judge", None)] if i % 2 == 0 else [("judge", None), ("naive", naive)]
        pair: dict[str, float] = {}
        for name, _ in order:
            if name == "naive":
                wall, rss, out = naive(correct)
                assert json.loads(out)["verdict"] == "accepted", out
                naive_walls.append(wall)
                naive_rss.append(rss)
            else:
                wall, rss, data = judge_grade(correct, env)
                assert data["verdict"] == "accepted", data["verdict"]
                judge_walls.append(wall)
                judge_rss.append(rss)
                judge_peaks.append(data["run"]["peak_memory_mib"] or float("nan"))
            pair[name] = wall
        ratios.append(pair["judge"] / pair["naive"])
        print(f"  pair {i + 1}: naive {pair['naive']:.2f}s  judge {pair['judge']:.2f}s  ratio {ratios[-1]:.3f}")
    print("\n== single grade, warm caches (compact_lax.py, all cases) ==")
    print(f"naive grader  median {statistics.median(naive_walls):.2f}s")
    print(f"judge grade   median {statistics.median(judge_walls):.2f}s")
    print(f"ratio of medians {statistics.median(judge_walls) / statistics.median(naive_walls):.3f}; "
          f"median of paired ratios {statistics.median(ratios):.3f}  (target <= 0.35)")

    subs = pick_twelve()
    sub_dir = work / "subs"
    for i, path in enumerate(subs):
        (sub_dir / f"user{i:02d}").mkdir(parents=True)
        shutil.copy(path, sub_dir / f"user{i:02d}" / path.name)
    naive_batch, judge_batch = [], []
    for r in range(opts.batch_rounds):
        for name in (["naive", "judge"] if r % 2 == 0 else ["judge", "naive"]):
            start = time.perf_counter()
            if name == "naive":
                with ThreadPoolExecutor(max_workers=2) as pool:
                    list(pool.map(naive, subs))
                naive_batch.append(time.perf_counter() - start)
            else:
                out = work / f"results-{r}"
                timed([*JUDGE, "batch", str(sub_dir), "--problem", str(PROBLEM), "--out", str(out), "--jobs", "2"], env)
                judge_batch.append(time.perf_counter() - start)
                lines = (out / "results.jsonl").read_text().splitlines()
                assert len(lines) == 12, len(lines)
                judge_peaks += [p for p in (json.loads(line).get("peak_memory_mib") for line in lines) if p]
        print(f"  round {r + 1}: naive {naive_batch[-1]:.1f}s  judge {judge_batch[-1]:.1f}s")
    print("\n== batch of 12 different submissions, 2 at a time ==")
    print(f"naive grader  median {statistics.median(naive_batch):.1f}s")
    print(f"judge batch   median {statistics.median(judge_batch):.1f}s")
    print(f"ratio {statistics.median(judge_batch) / statistics.median(naive_batch):.3f}  (target <= 0.2)")

    print("\n== peak memory per worker ==")
    print(f"naive grader process   median {statistics.median(naive_rss):.0f} MiB, max {max(naive_rss):.0f} MiB")
    print(f"judge sandbox (cgroup) median {statistics.median(judge_peaks):.0f} MiB, max {max(judge_peaks):.0f} MiB")
    print(f"judge parent process   median {statistics.median(judge_rss):.0f} MiB")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

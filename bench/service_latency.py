"""Benchmark: verdict latency with warm sandboxes against the naive grader, side by side (issue #12).

Run by hand (never from the test suite); figures go in the README:

    .venv/bin/python bench/service_latency.py [--rounds 10] [--rows service,novel,batch,novel-batch]

On the conv1d problem and its full case set, in one run, alternating the two graders:

- ``service``: a warm ``judge serve`` (2 graders, warm workers waiting) gets one correct shipped
  submission at a time (each with its own comment line, so no two sources are equal); latency is
  from ``POST /v1/submissions`` to the final verdict (long-poll), ranking time included, as the
  service always measures it. Against the naive grader (bench/naive_grader.py: a fresh Python
  importing submission and reference together, no sandbox) on the same file. Target <= 0.12.
- ``novel``: the same with the twelve correct submissions of bench/novel_solutions.py, written
  with operations no trusted run compiled (so the compilation caches cannot help them).
- ``batch`` / ``novel-batch``: ``judge batch --jobs 2`` of 12 different submissions against the
  naive grader running the same 12 two at a time. Target <= 0.1.
- memory: an idle warm sandbox (its cgroup's usage once booted) and the peak of a grading.
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
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
from novel_solutions import write as write_novel  # noqa: E402
from service_load import Server, create_token, load  # noqa: E402

from judge.config import load_config  # noqa: E402
from judge.plan import RunPlan  # noqa: E402
from judge.problem import load_problem  # noqa: E402
from judge.runner import WorkerPool, worker_spec  # noqa: E402
from judge.service.client import Client  # noqa: E402

PYTHON = sys.executable
JUDGE = [PYTHON, "-m", "judge"]
PROBLEM = REPO / "problems" / "conv1d"
CORRECT = PROBLEM / "solutions" / "accepted" / "compact_lax.py"


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def naive(sub: Path) -> tuple[float, str]:
    start = time.perf_counter()
    out = subprocess.run([PYTHON, str(REPO / "bench" / "naive_grader.py"), str(sub), str(PROBLEM)],
                         cwd=REPO, capture_output=True, text=True, check=True).stdout
    return time.perf_counter() - start, json.loads(out.strip().splitlines()[-1])["verdict"]


def service_once(client: Client, sub: Path) -> tuple[float, str, dict]:
    start = time.perf_counter()
    document = client.submit("conv1d", sub.read_text(), filename=sub.name)
    while document.get("result") is None:
        document = client.status(document["id"], wait_s=60)
    return time.perf_counter() - start, document["result"]["verdict"], document["result"]


def unique_copy(source: Path, out: Path, tag: str) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(f"{source.read_text().rstrip()}\n# bench/service_latency.py {tag}\n")
    return out


def idle_sandbox_mib(env: dict[str, str]) -> list[float]:
    """The memory cgroup usage of warm workers, booted and waiting (the pool's cost per worker)."""
    config = load_config(REPO / "config.yaml", overrides={"cache_dir": env["JUDGE_CACHE_DIR"]})
    plan = RunPlan.learner(load_problem("conv1d", config.problems_dir), config)
    pool = WorkerPool(size=2)
    spec = worker_spec(plan.options, plan.limits, plan.policy, public=True)
    try:
        pool.fill(spec)
        pool.wait_booted(spec, timeout_s=120)
        time.sleep(1.0)  # the warm-up finishes after hello
        sizes = []
        for worker in list(pool._idle[spec]):  # noqa: SLF001 - measuring what a waiting worker holds
            cgroup = worker.sandbox.cgroup
            if cgroup is not None and cgroup.memory_dir is not None:
                sizes.append(int((cgroup.memory_dir / "memory.usage_in_bytes").read_text()) / 2**20)
        return sizes
    finally:
        pool.close()


def row(name: str, naive_s: list[float], judge_s: list[float], target: float | None) -> dict:
    ratios = [j / n for j, n in zip(judge_s, naive_s, strict=False)]
    result = {"row": name, "n": len(judge_s), "naive_median_s": statistics.median(naive_s),
              "judge_median_s": statistics.median(judge_s),
              "ratio_of_medians": statistics.median(judge_s) / statistics.median(naive_s),
              "median_of_ratios": statistics.median(ratios) if ratios else None, "target": target}
    say(f"== {name}: naive median {result['naive_median_s']:.2f}s, judge median {result['judge_median_s']:.2f}s, "
        f"ratio of medians {result['ratio_of_medians']:.3f}" + (f" (target <= {target})" if target else ""))
    return result


def service_rows(env: dict[str, str], work: Path, rounds: int, rows: set[str], novel: list[Path]) -> list[dict]:
    data = work / "data"
    token = create_token(data, env, "bench")
    server = Server(data, {**env}, 2, work / "serve.log")
    out = []
    try:
        server.wait_healthy()
        client = Client(server.url, token, timeout_s=120)
        # Warm service: the first gradings fill what a running service has filled (and its pool).
        for i in range(2):
            service_once(client, unique_copy(CORRECT, work / "warm" / f"w{i}.py", f"warm-up {i}"))
        time.sleep(5.0)  # the pool's replacements boot
        if "service" in rows:
            naive_s, judge_s = [], []
            for i in range(rounds):
                sub = unique_copy(CORRECT, work / "svc" / f"s{i}" / CORRECT.name, f"round {i}")
                order = ("naive", "service") if i % 2 == 0 else ("service", "naive")
                for which in order:
                    if which == "naive":
                        wall, verdict = naive(sub)
                        naive_s.append(wall)
                    else:
                        wall, verdict, _ = service_once(client, sub)
                        judge_s.append(wall)
                        time.sleep(3.0)  # as a learner would: the pool's replacement boots meanwhile
                    assert verdict == "accepted", (which, verdict)
                say(f"  round {i + 1}: naive {naive_s[-1]:.2f}s  service {judge_s[-1]:.2f}s  load {load()}")
            out.append(row("service: one correct shipped submission, POST to final verdict", naive_s, judge_s, 0.12))
        if "novel" in rows:
            naive_s, judge_s = [], []
            for i, sub in enumerate(novel):
                order = ("naive", "service") if i % 2 == 0 else ("service", "naive")
                for which in order:
                    if which == "naive":
                        wall, verdict = naive(sub)
                        naive_s.append(wall)
                    else:
                        wall, verdict, _ = service_once(client, sub)
                        judge_s.append(wall)
                        time.sleep(3.0)
                    assert verdict == "accepted", (sub.name, which, verdict)
                say(f"  {sub.stem}: naive {naive_s[-1]:.2f}s  service {judge_s[-1]:.2f}s  load {load()}")
            out.append(row("service: twelve novel correct submissions, one at a time", naive_s, judge_s, None))
    finally:
        server.stop()
    return out


def batch_row(name: str, env: dict[str, str], work: Path, subs: list[Path], peaks: list[float]) -> dict:
    folder = work / f"batch-{name}"
    for i, path in enumerate(subs):
        (folder / f"user{i:02d}").mkdir(parents=True)
        shutil.copy(path, folder / f"user{i:02d}" / path.name)
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(naive, subs))
    naive_s = time.perf_counter() - start
    say(f"  naive, 2 at a time: {naive_s:.1f}s (load {load()})")
    results = work / f"results-{name}"
    start = time.perf_counter()
    subprocess.run([*JUDGE, "batch", str(folder), "--problem", str(PROBLEM), "--out", str(results), "--jobs", "2", "--no-retime"],
                   cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    judge_s = time.perf_counter() - start
    say(f"  judge batch --jobs 2: {judge_s:.1f}s (load {load()})")
    lines = [json.loads(line) for line in (results / "results.jsonl").read_text().splitlines()]
    peaks += [p for p in ((line.get("run") or {}).get("peak_memory_mib") for line in lines) if p is not None]
    return row(f"judge batch --jobs 2, {name}", [naive_s], [judge_s], 0.1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=10, help="service submissions (and naive runs) in the service row")
    parser.add_argument("--rows", default="service,novel,batch,novel-batch")
    opts = parser.parse_args()
    rows = set(opts.rows.split(","))
    work = Path(tempfile.mkdtemp(prefix="judge-latency-"))
    env = {**os.environ, "JUDGE_CACHE_DIR": str(work / "cache")}
    say(f"machine: {os.cpu_count()} cores, {os.uname().machine}, python {sys.version.split()[0]}; load {load()}")
    results: list[dict] = []
    try:
        say("warming a fresh cache (reference + shipped solutions: what a deployed problem has)...")
        subprocess.run([*JUDGE, "cache", "warm", "--problem", str(PROBLEM)], cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL)
        novel = write_novel(work / "novel")
        idle = idle_sandbox_mib(env)
        say(f"idle warm sandbox: {', '.join(f'{m:.0f} MiB' for m in idle)} (memory cgroup usage, booted and waiting)")
        results += service_rows(env, work, opts.rounds, rows, novel)
        peaks: list[float] = []
        if "batch" in rows:
            accepted = sorted((PROBLEM / "solutions" / "accepted").glob("*.py"))
            wrong = sorted((PROBLEM / "solutions" / "wrong").glob("*.py"))
            results.append(batch_row("12 shipped submissions", env, work, (accepted + wrong)[:12], peaks))
        if "novel-batch" in rows:
            results.append(batch_row("12 novel submissions", env, work, novel, peaks))
        if peaks:
            say(f"grading peak memory (sandbox cgroup): median {statistics.median(peaks):.0f} MiB, max {max(peaks):.0f} MiB")
        print(json.dumps({"idle_sandbox_mib": idle, "grading_peak_mib": peaks, "rows": results}, indent=2))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

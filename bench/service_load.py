"""Benchmark: a warm ``judge serve`` under a burst of submissions vs the naive grader, same sources.

Run by hand (never from the test suite):

    .venv/bin/python bench/service_load.py [--problem conv1d] [-n 12] [--workers 2] [--json]

1. Fills a fresh cache (``judge cache warm``: reference outputs, JAX compilation cache), starts
   ``python -m judge serve`` on a free loopback port with a fresh --data folder and --workers
   grading workers, creates a learner token (``judge token create``) and waits for /healthz.
2. Builds N different submissions: the problem's shipped solutions (solutions/*/*.py, cycled),
   each with a distinct comment line appended, so no two sources (and no earlier run's) are equal.
3. Service: posts all N at once (a thread each), each thread long-polling
   GET /v1/submissions/{id}?wait=60 until its result is there. Latency: POST sent to result
   received. Total: first POST to last verdict. The server is then stopped.
4. Naive: bench/naive_grader.py (a fresh Python per submission, as bench/grade_speed.py runs it)
   on the same N sources, ``--workers`` at a time. Latency: the batch's start (every submission
   "arrives" at once, as with the POSTs) to its verdict; run: that process's own wall time.
5. Prints total, p50/p95 latency and p50/p95 run time of each, the ratios service/naive, and any
   verdict mismatch. The naive grader knows only accepted, wrong_answer and compile_error: a
   case that raises, hangs or runs out of memory is just a failed case to it, so a service
   verdict of runtime_error / time_limit_exceeded / memory_limit_exceeded / output_limit_exceeded
   matches its wrong_answer. Anything else that differs is a mismatch (exit status 1).

The service does more per submission than the naive grader: it grades in a sandbox and, as
``judge serve`` always does, measures a ranking time for each accepted submission (a second
sandboxed run; marked "+rank" per submission). The load average is noted before each phase and
at the end: on a shared machine, compare the phases' loads before the ratios (--naive-first
swaps the order).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from judge.service.client import Client, ServiceError  # noqa: E402

PYTHON = sys.executable
JUDGE = [PYTHON, "-m", "judge"]
NAIVE = REPO / "bench" / "naive_grader.py"
PER_USER_PER_MINUTE = 25  # below the service's default submissions_per_minute (30): one token per 25 submissions
FOLDED_INTO_WRONG_ANSWER = {"runtime_error", "time_limit_exceeded", "memory_limit_exceeded", "output_limit_exceeded"}


@dataclass
class Outcome:
    """One submission graded one way."""

    index: int
    name: str
    verdict: str | None = None
    passed: int | None = None
    total: int | None = None
    latency_s: float | None = None  # arrival (POST / batch start) to verdict
    run_s: float | None = None  # grading alone: the service's result wall_s, the naive process's wall time
    ranked: bool = False  # the service also measured a ranking time (accepted submissions: a second sandboxed run)
    error: str | None = None


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f}"


def percentile(values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default, 'inclusive')."""
    if not values:
        return math.nan
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    low, high = math.floor(pos), math.ceil(pos)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_submissions(problem_dir: Path, count: int, out: Path) -> list[Path]:
    """``count`` different sources: shipped solutions, cycled, each with its own comment line."""
    shipped = sorted(problem_dir.glob("solutions/accepted/*.py")) + sorted(
        p for p in problem_dir.glob("solutions/*/*.py") if p.parent.name != "accepted")
    if not shipped:
        raise SystemExit(f"no shipped solutions under {problem_dir / 'solutions'}")
    nonce = secrets.token_hex(4)
    paths = []
    for i in range(count):
        original = shipped[i % len(shipped)]
        target = out / f"user{i:03d}" / original.name
        target.parent.mkdir(parents=True)
        text = original.read_text(encoding="utf-8")
        target.write_text(f"{text.rstrip()}\n# bench/service_load.py submission {i} of {count}, run {nonce}\n", encoding="utf-8")
        paths.append(target)
    return paths


class Server:
    """``judge serve`` in its own process group, on a free loopback port."""

    def __init__(self, data: Path, env: dict[str, str], workers: int, log_path: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._log = log_path.open("wb")
        self.proc = subprocess.Popen(
            [*JUDGE, "serve", "--data", str(data), "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(workers)],
            cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_healthy(self, timeout_s: float = 120.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"judge serve exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:  # noqa: S310 - our own loopback server
                    return dict(json.loads(response.read()))
            except (urllib.error.URLError, OSError, ValueError):
                time.sleep(0.2)
        raise SystemExit(f"judge serve did not answer /healthz within {timeout_s:.0f}s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 20) -> str:
        self._log.flush()
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        """SIGTERM to the whole group (a graceful uvicorn shutdown), SIGKILL whatever is left after 15 s."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # stragglers of the group, even once the leader is gone
        except (ProcessLookupError, PermissionError):
            pass
        if self.proc.poll() is None:
            self.proc.wait(timeout=10)
        self._log.close()


def create_token(data: Path, env: dict[str, str], user: str) -> str:
    out = subprocess.run([*JUDGE, "token", "create", user, "--role", "learner", "--data", str(data)],
                         cwd=REPO, env=env, check=True, capture_output=True, text=True)
    return out.stdout.strip().splitlines()[-1]


def run_service(server: Server, tokens: list[str], problem: str, subs: list[Path], timeout_s: float) -> tuple[list[Outcome], float]:
    """Every submission posted at once (a thread each); the wall time from the first POST to the last verdict."""
    outcomes = [Outcome(i, f"{p.parent.name}/{p.name}") for i, p in enumerate(subs)]
    sources = [p.read_text(encoding="utf-8") for p in subs]
    gate = threading.Barrier(len(subs) + 1)
    done_at = [math.nan] * len(subs)

    def one(i: int) -> None:
        client = Client(server.url, tokens[i % len(tokens)], timeout_s=30)
        outcome = outcomes[i]
        gate.wait()
        sent = time.perf_counter()
        try:
            queued = client.submit(problem, sources[i], filename=subs[i].name)
            deadline = time.monotonic() + timeout_s
            document = queued
            while document.get("result") is None:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"still {document.get('status')} after {timeout_s:.0f}s")
                document = client.status(queued["id"], wait_s=60)
            done_at[i] = time.perf_counter()
            result = document["result"]
            outcome.latency_s = done_at[i] - sent
            outcome.verdict, outcome.passed, outcome.total = result["verdict"], result.get("passed"), result.get("total")
            outcome.run_s = result.get("wall_s")
            outcome.ranked = result.get("ranking_time_s") is not None
        except (ServiceError, TimeoutError, KeyError, ValueError) as exc:
            outcome.error = f"{type(exc).__name__}: {exc}"

    threads = [threading.Thread(target=one, args=(i,), name=f"submit-{i}", daemon=True) for i in range(len(subs))]
    for thread in threads:
        thread.start()
    gate.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    finished = [t for t in done_at if not math.isnan(t)]
    return outcomes, (max(finished) - start) if finished else math.nan


def run_naive(problem_dir: Path, subs: list[Path], parallel: int) -> tuple[list[Outcome], float]:
    """The naive grader on every submission, ``parallel`` at a time (as bench/grade_speed.py runs it)."""
    start = time.perf_counter()

    def one(i: int) -> Outcome:
        outcome = Outcome(i, f"{subs[i].parent.name}/{subs[i].name}")
        began = time.perf_counter()
        proc = subprocess.run([PYTHON, str(NAIVE), str(subs[i]), str(problem_dir)], cwd=REPO, capture_output=True, text=True)
        ended = time.perf_counter()
        outcome.run_s, outcome.latency_s = ended - began, ended - start
        try:
            data = json.loads(proc.stdout.strip().splitlines()[-1]) if proc.returncode == 0 else None
        except (IndexError, ValueError):
            data = None
        if data is None:
            outcome.error = f"exit {proc.returncode}: {(proc.stderr.strip().splitlines() or ['no output'])[-1][:200]}"
        else:
            outcome.verdict, outcome.passed, outcome.total = data["verdict"], data.get("passed"), data.get("total")
        return outcome

    with ThreadPoolExecutor(max_workers=parallel) as pool:
        outcomes = list(pool.map(one, range(len(subs))))
    return outcomes, time.perf_counter() - start


def summary(outcomes: list[Outcome], total_s: float) -> dict[str, float | int]:
    latencies = [o.latency_s for o in outcomes if o.verdict is not None and o.latency_s is not None]
    runs = [o.run_s for o in outcomes if o.verdict is not None and o.run_s is not None]
    return {
        "graded": len(latencies),
        "total_s": total_s,
        "latency_p50_s": percentile(latencies, 0.5),
        "latency_p95_s": percentile(latencies, 0.95),
        "run_p50_s": percentile(runs, 0.5),
        "run_p95_s": percentile(runs, 0.95),
    }


def _s(seconds: float | None) -> str:
    return "     -" if seconds is None else f"{seconds:5.1f}s"


def verdicts_match(service: str | None, naive: str | None) -> bool:
    if naive is None:  # the naive grader reported nothing: nothing to compare against
        return True
    if service == naive:
        return True
    return naive == "wrong_answer" and service in FOLDED_INTO_WRONG_ANSWER


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--problem", default="conv1d", help="problem id under problems/ (default: conv1d)")
    parser.add_argument("-n", type=int, default=12, help="how many different submissions (default: 12)")
    parser.add_argument("--workers", type=int, default=2, help="service grading workers, and naive graders at a time (default: 2)")
    parser.add_argument("--timeout", type=float, default=1200.0, help="seconds each submission may take in the service (default: 1200)")
    parser.add_argument("--naive-first", action="store_true", help="run the naive grader before the service")
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of the table")
    opts = parser.parse_args()
    if opts.n < 1 or opts.workers < 1:
        parser.error("-n and --workers must be at least 1")
    problem_dir = REPO / "problems" / opts.problem
    if not (problem_dir / "problem.yaml").is_file():
        parser.error(f"no problem {opts.problem!r} under {REPO / 'problems'}")

    load_before = load()
    say(f"machine: {os.cpu_count()} cores, {os.uname().machine}, python {sys.version.split()[0]}; load average {load_before}")
    work = Path(tempfile.mkdtemp(prefix="judge-service-load-"))
    env = {**os.environ, "JUDGE_CACHE_DIR": str(work / "cache")}
    server: Server | None = None
    try:
        subs = make_submissions(problem_dir, opts.n, work / "subs")
        say(f"warming a fresh cache for {opts.problem} (reference + shipped solutions)...")
        began = time.perf_counter()
        subprocess.run([*JUDGE, "cache", "warm", "--problem", opts.problem], cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL)
        warm_s = time.perf_counter() - began
        say(f"  {warm_s:.1f}s")

        data = work / "data"
        tokens = [create_token(data, env, f"bench{u}") for u in range(math.ceil(opts.n / PER_USER_PER_MINUTE))]
        server = Server(data, env, opts.workers, work / "serve.log")
        health = server.wait_healthy()
        say(f"judge serve at {server.url}: {health}")

        phase_load: dict[str, str] = {}

        def naive_phase() -> tuple[list[Outcome], float]:
            phase_load["naive"] = load()
            say(f"naive grader: the same {opts.n}, {opts.workers} at a time (load average {phase_load['naive']})...")
            outcomes, total = run_naive(problem_dir, subs, opts.workers)
            say(f"  {total:.1f}s")
            return outcomes, total

        if opts.naive_first:
            naive, naive_total = naive_phase()
        phase_load["service"] = load()
        say(f"service: {opts.n} submissions at once, {opts.workers} worker(s) (load average {phase_load['service']})...")
        service, service_total = run_service(server, tokens, opts.problem, subs, opts.timeout)
        say(f"  {service_total:.1f}s")
        server.stop()
        server = None
        if not opts.naive_first:
            naive, naive_total = naive_phase()
        load_after = load()

        s_sum, n_sum = summary(service, service_total), summary(naive, naive_total)
        ratios = {
            "total": s_sum["total_s"] / n_sum["total_s"],
            "latency_p50": s_sum["latency_p50_s"] / n_sum["latency_p50_s"],
            "run_p50": s_sum["run_p50_s"] / n_sum["run_p50_s"],
        }
        mismatches = [(s, n) for s, n in zip(service, naive, strict=True) if not verdicts_match(s.verdict, n.verdict)]
        failures = [s for s in service if s.verdict is None] + [n for n in naive if n.verdict is None]

        if opts.json:
            print(json.dumps({
                "problem": opts.problem, "n": opts.n, "workers": opts.workers, "cores": os.cpu_count(),
                "load_before": load_before, "load_service_start": phase_load["service"], "load_naive_start": phase_load["naive"],
                "load_after": load_after, "naive_first": opts.naive_first, "cache_warm_s": warm_s,
                "service": s_sum, "naive": n_sum, "ratio_service_over_naive": ratios,
                "submissions": [{"service": asdict(s), "naive": asdict(n)} for s, n in zip(service, naive, strict=True)],
                "mismatches": [s.index for s, _ in mismatches],
                "failures": [{"index": o.index, "name": o.name, "error": o.error} for o in failures],
            }, indent=2))
        else:
            print(f"\n== {opts.n} different {opts.problem} submissions, {opts.workers} at a time, {os.cpu_count()} cores ==")
            print(f"load average: start {load_before}; service phase start {phase_load['service']}; "
                  f"naive phase start {phase_load['naive']}; end {load_after}"
                  f" ({'naive' if opts.naive_first else 'service'} ran first)")
            print(f"{'':24}{'total':>9}{'p50 lat':>9}{'p95 lat':>9}{'p50 run':>9}{'p95 run':>9}  graded")
            for label, row in ((f"service ({opts.workers} workers)", s_sum), (f"naive ({opts.workers} at a time)", n_sum)):
                print(f"{label:<24}{row['total_s']:>8.1f}s{row['latency_p50_s']:>8.1f}s{row['latency_p95_s']:>8.1f}s"
                      f"{row['run_p50_s']:>8.1f}s{row['run_p95_s']:>8.1f}s  {row['graded']}/{opts.n}")
            print(f"{'ratio service/naive':<24}{ratios['total']:>9.3f}{ratios['latency_p50']:>9.3f}{'':>9}{ratios['run_p50']:>9.3f}")
            print("(lat: arrival to verdict, queueing included; run: grading alone)")
            print("\nper submission: verdict passed/total latency run (service | naive):")
            for s, n in zip(service, naive, strict=True):
                flag = "" if verdicts_match(s.verdict, n.verdict) else "  MISMATCH"
                print(f"  {s.name:<36} {s.verdict or 'ERROR':<14} {s.passed}/{s.total} {_s(s.latency_s)} {_s(s.run_s)}"
                      f"{' +rank' if s.ranked else '      '} | {n.verdict or 'ERROR':<13} {n.passed}/{n.total} {_s(n.latency_s)} {_s(n.run_s)}{flag}")
        for s, n in mismatches:
            print(f"verdict mismatch: {s.name}: service {s.verdict} ({s.passed}/{s.total}), naive {n.verdict} ({n.passed}/{n.total})",
                  file=sys.stderr)
        for o in failures:
            print(f"no verdict: {o.name}: {o.error}", file=sys.stderr)
        return 1 if mismatches or any(s.verdict is None for s in service) else 0
    finally:
        if server is not None:
            say(f"stopping judge serve; its log's tail:\n{server.log_tail()}")
            server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

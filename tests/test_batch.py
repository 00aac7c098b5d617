"""judge batch / leaderboard / diff: resumable, nothing lost or graded twice, ranked fairly."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import graded_record

from judge.batch import run_batch
from judge.batch.diff import diff_results
from judge.batch.discover import discover
from judge.batch.leaderboard import rank, render
from judge.config import Config
from judge.errors import JudgeError
from judge.problem import Problem
from judge.record import ResultRecord
from judge.store.jsonl import JsonLines, ResultsLog, read_results

REPO = Path(__file__).resolve().parent.parent
SOL = REPO / "problems" / "conv1d" / "solutions"


def make_subs(root: Path) -> Path:
    """alice (two attempts), bob (wrong), carol (top-level file, compile error), dan (accepted)."""
    (root / "alice").mkdir(parents=True)
    shutil.copy(SOL / "accepted" / "compact_lax.py", root / "alice" / "attempt1.py")
    shutil.copy(SOL / "wrong" / "flipped_kernel.py", root / "alice" / "attempt2.py")
    (root / "bob").mkdir()
    shutil.copy(SOL / "wrong" / "no_flatten.py", root / "bob" / "main.py")
    shutil.copy(SOL / "wrong" / "wrong_arity.py", root / "carol.py")
    shutil.copy(SOL / "accepted" / "manual_window_numpy.py", root / "dan.py")
    (root / "mallory.py").symlink_to("/etc/shadow")
    (root / ".hidden").mkdir()
    (root / ".hidden" / "x.py").write_text("print('not a submission')\n")
    return root


def test_discover_users_and_hashes(tmp_path: Path) -> None:
    subs = discover(make_subs(tmp_path / "subs"))
    assert [(s.user, s.relpath) for s in subs] == [
        ("alice", "alice/attempt1.py"), ("alice", "alice/attempt2.py"), ("bob", "bob/main.py"),
        ("carol", "carol.py"), ("dan", "dan.py"),
    ]
    assert all(len(s.sha256) == 64 for s in subs)
    with pytest.raises(JudgeError, match="not found"):
        discover(tmp_path / "nope")


def test_results_log_repairs_a_torn_last_line(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    good = json.dumps({"submission": "a.py", "sha256": "1"}) + "\n"
    path.write_text(good + '{"submission": "b.py", "sha2')
    log = JsonLines(path, required=("submission", "sha256"))
    assert log.repaired and [r["submission"] for r in log.rows] == ["a.py"]
    assert path.read_text() == good
    log.append({"submission": "b.py", "sha256": "2"})
    assert len(JsonLines(path).rows) == 2


def test_results_log_refuses_foreign_lines(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    path.write_text('{"submission": "a.py", "sha256": "1"}\nnot json\n{"submission": "c.py", "sha256": "3"}\n')
    with pytest.raises(JudgeError) as info:
        JsonLines(path, required=("submission", "sha256"))
    assert info.value.line == 2


def test_batch_grades_resumes_and_rejudges(tmp_path: Path, conv1d: Problem, config: Config) -> None:
    subs = make_subs(tmp_path / "subs")
    out = tmp_path / "results"
    seen: list[str] = []
    # Without re-timing: it would add a line for each close contender (tests/test_ranking_ties.py).
    summary = run_batch(subs, conv1d, config, out, jobs=2, progress=lambda s, r: seen.append(r.submission), retime=False)
    assert summary.graded == 5 and summary.skipped == 0 and not summary.interrupted
    records = read_results(out)
    by_path = {r.submission: r for r in records}
    assert sorted(seen) == sorted(by_path)
    assert by_path["alice/attempt1.py"].verdict == "accepted"
    assert (by_path["alice/attempt1.py"].ranking_time_s or 0) > 0
    assert by_path["alice/attempt2.py"].verdict == "wrong_answer"
    assert by_path["alice/attempt2.py"].ranking_time_s is None
    assert by_path["carol.py"].verdict == "compile_error"
    for line in lines_of(out / "results.jsonl"):
        assert {"user", "submission", "sha256", "verdict", "score", "cases", "ranking_time_s", "environment",
                "started_at", "finished_at", "submitted_at", "attempts"} <= set(line)
        assert line["environment"]["jax"] and line["run"]["sandboxed"] is True
        assert all({"id", "verdict", "time_s"} <= set(c) for c in line["cases"])

    # Nothing new: a rerun grades nothing.
    again = run_batch(subs, conv1d, config, out, jobs=2, retime=False)
    assert (again.graded, again.skipped) == (0, 5)
    # A changed file is graded again (new content hash); the old line stays.
    shutil.copy(SOL / "accepted" / "compact_lax.py", subs / "bob" / "main.py")
    changed = run_batch(subs, conv1d, config, out, jobs=2, retime=False)
    assert changed.graded == 1
    assert len(read_results(out)) == 6

    # --rejudge: a fresh file; the old one is kept, and diff shows bob's change.
    rejudged = run_batch(subs, conv1d, config, out, jobs=2, rejudge=True, retime=False)
    assert rejudged.graded == 5
    kept = sorted(out.glob("results.*.jsonl"))
    assert len(kept) == 1 and len(read_results(out)) == 5
    old_bob = [r for r in read_results(kept[0]) if r.submission == "bob/main.py"][0]
    assert old_bob.verdict == "wrong_answer"  # first line for bob's old content


def test_diff_lists_changed_verdicts_and_scores() -> None:
    a = [graded_record("x", "x.py", 1.0), graded_record("y", "y.py", 0.5, verdict="wrong_answer"),
         graded_record("z", "z.py", 0.5, verdict="wrong_answer")]
    b = [graded_record("x", "x.py", 1.0), graded_record("y", "y.py", 0.25, verdict="wrong_answer"),
         graded_record("z", "z.py", 1.0)]
    changes = diff_results(a, b)
    assert [c.submission for c in changes] == ["y.py", "z.py"]
    assert changes[1].verdict_before == "wrong_answer" and changes[1].verdict_after == "accepted"


def record(user: str, sub: str, score: float, time_s: float | None, at: str, verdict: str = "accepted") -> ResultRecord:
    return graded_record(user, sub, score, time_s, at, verdict)


def test_ranking_order_and_tie_explanations() -> None:
    rows = rank([
        record("ann", "ann/1.py", 1.0, 0.010, "2026-01-02"),
        record("ann", "ann/2.py", 1.0, 0.008, "2026-01-03"),  # ann's best: faster
        record("ben", "ben/1.py", 1.0, 0.0081, "2026-01-01"),
        record("cid", "cid/1.py", 0.5, None, "2026-01-01", "wrong_answer"),
        record("dee", "dee/1.py", 0.5, None, "2026-01-05", "wrong_answer"),
        record("eve", "eve/1.py", 0.9, None, "2026-01-01", "time_limit_exceeded"),
    ])
    # ann's 8.0 ms and ben's 8.1 ms are within measurement noise: one rank, the earlier submission first.
    assert [(r.rank, r.user, r.submission) for r in rows] == [
        (1, "ben", "ben/1.py"), (1, "ann", "ann/2.py"), (3, "eve", "eve/1.py"), (4, "cid", "cid/1.py"), (5, "dee", "dee/1.py"),
    ]
    assert "tied at #1" in rows[0].tie_break and "within measurement noise" in rows[0].tie_break
    assert rows[1].tie_break == "" and rows[2].tie_break == ""
    assert "submitted earlier" in rows[3].tie_break


def test_leaderboard_formats() -> None:
    rows = rank([record("ann", "ann/1.py", 1.0, 0.01, "t1"), record("b|en", "b/<x>.py", 0.5, None, "t2", "wrong_answer")])
    data = json.loads(render(rows, "json"))
    assert [set(r) >= {"rank", "user", "submission", "verdict", "score", "time_s"} for r in data] == [True, True]
    assert data[0]["rank"] == 1 and data[0]["time_s"] == 0.01
    csv_lines = render(rows, "csv").splitlines()
    assert csv_lines[0].startswith("rank,user,submission,verdict,score,time_s") and len(csv_lines) == 3
    md = render(rows, "md").splitlines()
    assert md[0].startswith("| rank |") and "b\\|en" in md[3]
    page = render(rows, "html")
    assert page.startswith("<!doctype html>") and "&lt;x&gt;" in page and "<script" not in page
    assert "ann" in render(rows, "text")


def judge_cli(*args: str, cache: Path, **kw: object) -> subprocess.Popen[str]:
    env = {**os.environ, "JUDGE_CACHE_DIR": str(cache)}
    return subprocess.Popen([sys.executable, "-m", "judge", *args], cwd=REPO, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)  # type: ignore[call-overload]


def lines_of(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


@pytest.mark.parametrize("how", ["sigkill", "sigint"])
def test_killed_batch_completes_on_rerun_with_one_line_each(tmp_path: Path, session_cache: Path, how: str) -> None:
    subs = make_subs(tmp_path / "subs")
    out = tmp_path / "results"
    results = out / "results.jsonl"
    proc = judge_cli("batch", str(subs), "-p", "conv1d", "--out", str(out), "--jobs", "1", cache=session_cache,
                     start_new_session=True)
    deadline = time.monotonic() + 240
    while len(lines_of(results)) < 1 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert lines_of(results), "the batch produced nothing before the kill"
    if how == "sigkill":
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        with open(results, "a") as handle:  # what a kill in the middle of a write leaves
            handle.write('{"submission": "dan.py", "sha256": "tor')
    else:
        os.kill(proc.pid, signal.SIGINT)
        stdout, _ = proc.communicate(timeout=120)
        assert proc.returncode == 130
        assert "rerun the same command to resume" in stdout
    rerun = judge_cli("batch", str(subs), "-p", "conv1d", "--out", str(out), "--jobs", "2", cache=session_cache)
    stdout, stderr = rerun.communicate(timeout=400)
    assert rerun.returncode == 0, stderr
    final = lines_of(results)
    paths = [r["submission"] for r in final if "retimed" not in r]  # re-timed close contenders add a line each
    assert sorted(paths) == sorted(s.relpath for s in discover(subs))  # exactly one graded line each
    assert results.read_text().endswith("\n")


def test_leaderboard_cli_on_batch_results(tmp_path: Path) -> None:
    out = tmp_path / "r"
    out.mkdir()
    log = ResultsLog(out / "results.jsonl")
    log.append(graded_record("ann", "ann/1.py", 1.0, 0.01, "t1", sha256="a"))
    log.append(graded_record("bob", "bob.py", 0.0, None, "t1", "compile_error", sha256="b"))
    proc = subprocess.run([sys.executable, "-m", "judge", "leaderboard", str(out), "--format", "json"],
                          capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    assert [r["user"] for r in json.loads(proc.stdout)] == ["ann", "bob"]
    bad = subprocess.run([sys.executable, "-m", "judge", "leaderboard", str(tmp_path / "none")], capture_output=True, text=True, cwd=REPO)
    assert bad.returncode == 2 and "no results file" in bad.stderr and "Traceback" not in bad.stderr


def test_dask_executor_with_a_local_cluster(tmp_path: Path, session_cache: Path) -> None:
    distributed = pytest.importorskip("dask.distributed")
    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copy(SOL / "accepted" / "compact_lax.py", subs / "ann.py")
    shutil.copy(SOL / "wrong" / "wrong_arity.py", subs / "bob.py")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=True, dashboard_address=None) as cluster:
        proc = judge_cli("batch", str(subs), "-p", "conv1d", "--out", str(tmp_path / "r"), "--executor", "dask",
                         "--scheduler", cluster.scheduler_address, cache=session_cache)
        stdout, stderr = proc.communicate(timeout=400)
    assert proc.returncode == 0, stderr
    verdicts = {r["submission"]: r["verdict"] for r in lines_of(tmp_path / "r" / "results.jsonl")}
    assert verdicts == {"ann.py": "accepted", "bob.py": "compile_error"}


def test_a_judge_fault_is_retried_once_then_recorded(tmp_path: Path, conv1d: Problem, config: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    import judge.job as job_mod
    from judge.verdict import CaseResult, SubmissionResult, Verdict

    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "flaky.py").write_text("def solve(*a):\n    pass\n")
    (subs / "broken.py").write_text("def solve(*a):\n    pass\n")
    calls: dict[str, int] = {}

    def fake_grade(path: Path, problem: Problem, config: Config, **options: object) -> SubmissionResult:
        calls[path.name] = calls.get(path.name, 0) + 1
        if path.name == "broken.py" or calls[path.name] == 1:
            raise RuntimeError("the judge tripped")
        return SubmissionResult(problem.id, str(path), Verdict.ACCEPTED, (CaseResult("c", False, Verdict.ACCEPTED),))

    monkeypatch.setattr(job_mod, "grade", fake_grade)
    summary = run_batch(subs, conv1d, config, tmp_path / "r", jobs=1)
    records = {r.submission: r for r in read_results(tmp_path / "r")}
    assert calls == {"flaky.py": 2, "broken.py": 2} and summary.retried == 2
    assert records["flaky.py"].verdict == "accepted" and records["flaky.py"].attempts == 2
    assert records["broken.py"].verdict == "internal_error" and "the judge tripped" in records["broken.py"].message


def test_ctrl_c_before_any_result_is_a_clean_interruption(tmp_path: Path, session_cache: Path) -> None:
    """SIGINT while the batch is still starting: the documented message and 130, never click's 'Aborted!'."""
    subs = make_subs(tmp_path / "subs")
    out = tmp_path / "results"
    proc = judge_cli("batch", str(subs), "-p", "conv1d", "--out", str(out), "--jobs", "1", cache=session_cache, start_new_session=True)
    deadline = time.monotonic() + 240
    while not (out / "seen.jsonl").exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, (stdout, stderr)
    assert "rerun the same command to resume" in stdout
    assert "Aborted" not in stdout + stderr and "Traceback" not in stderr, stderr
    assert len(lines_of(out / "results.jsonl")) < 5  # stopped, not finished

"""The CLI end to end: JSON shape, exit codes, clean one-line errors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def judge(*args: str, cache: Path, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    env_cmd = [sys.executable, "-m", "judge", *args]
    import os

    env = {**os.environ, "JUDGE_CACHE_DIR": str(cache)}
    return subprocess.run(env_cmd, capture_output=True, text=True, cwd=cwd, env=env, timeout=300)


def test_grade_json_document(session_cache: Path) -> None:
    proc = judge("grade", "submissions/bob_flipped.py", "--problem", "conv1d", "--format", "json", cache=session_cache)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)  # exactly one JSON document
    assert {"problem", "submission", "verdict", "score", "cases", "environment"} <= set(data)
    assert data["problem"] == "conv1d" and data["verdict"] == "wrong_answer"
    assert 0 <= data["score"] < 1
    env = data["environment"]
    assert {"python", "jax", "jaxlib", "flax", "backend"} <= set(env) and env["backend"] == "cpu"
    for case in data["cases"]:
        assert {"id", "hidden", "verdict", "message", "time_s"} <= set(case)
    public_wrong = [c for c in data["cases"] if not c["hidden"] and c["verdict"] == "wrong_answer"]
    assert public_wrong and all("max_abs_error" in c and "mismatch" in c for c in public_wrong)
    hidden = [c for c in data["cases"] if c["hidden"]]
    assert hidden and all("mismatch" not in c and "max_abs_error" not in c for c in hidden)
    assert data["run"]["sandboxed"] is True


def test_grade_text_accepted(session_cache: Path) -> None:
    proc = judge("grade", "submissions/alice_correct.py", "-p", "conv1d", cache=session_cache)
    assert proc.returncode == 0, proc.stderr
    assert "Verdict: accepted" in proc.stdout
    assert "\x1b[" not in proc.stdout  # no colour codes when not a terminal
    assert "sandboxed" in proc.stdout


def test_compile_error_is_a_verdict_not_a_failure(session_cache: Path) -> None:
    proc = judge("grade", "submissions/dave_syntax.py", "-p", "conv1d", "--format", "json", cache=session_cache)
    assert proc.returncode == 0
    data = json.loads(proc.stdout)
    assert data["verdict"] == "compile_error" and "SyntaxError at line" in data["message"]


def test_problem_by_path(session_cache: Path) -> None:
    proc = judge("grade", "submissions/dave_syntax.py", "--problem", str(REPO / "problems" / "conv1d"), "--format", "json", cache=session_cache)
    assert proc.returncode == 0 and json.loads(proc.stdout)["problem"] == "conv1d"


def one_clean_line(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert proc.stdout == ""
    return lines[0]


def test_missing_submission(session_cache: Path) -> None:
    line = one_clean_line(judge("grade", "nope.py", "-p", "conv1d", cache=session_cache))
    assert "nope.py" in line and "not found" in line


def test_unknown_problem(session_cache: Path) -> None:
    line = one_clean_line(judge("grade", "submissions/alice_correct.py", "-p", "conv9d", cache=session_cache))
    assert "conv9d" in line and "conv1d" in line


def test_malformed_config(tmp_path: Path, session_cache: Path) -> None:
    bad = tmp_path / "config.yaml"
    bad.write_text("backend: cpu\nprecision: sloppy\n")
    line = one_clean_line(judge("grade", "submissions/alice_correct.py", "-p", "conv1d", "--config", str(bad), cache=session_cache))
    assert f"{bad}:2" in line and "precision" in line


def test_malformed_case_file(tmp_path: Path, session_cache: Path) -> None:
    problem = tmp_path / "conv1d"
    shutil.copytree(REPO / "problems" / "conv1d", problem)
    cases = problem / "cases.yaml"
    cases.write_text(cases.read_text().replace("kernel_size: 3\n", "kernel_size: three\n", 1))
    line = one_clean_line(judge("grade", "submissions/alice_correct.py", "-p", str(problem), cache=session_cache))
    assert str(cases) in line and "kernel_size" in line and "worked-example" in line


def test_missing_backend_is_an_error_not_a_fallback(tmp_path: Path, session_cache: Path) -> None:
    line = one_clean_line(judge("grade", "submissions/alice_correct.py", "-p", "conv1d", "--backend", "tpu", cache=tmp_path))
    assert "'tpu' is not available" in line


@pytest.mark.parametrize("args", [["--help"], ["grade", "--help"]])
def test_help_has_examples(args: list[str], session_cache: Path) -> None:
    proc = judge(*args, cache=session_cache)
    assert proc.returncode == 0 and "Example" in proc.stdout


def test_python_dash_m_and_console_script_agree(session_cache: Path) -> None:
    script = Path(sys.executable).parent / "judge"
    if not script.exists():
        pytest.skip("console script not installed in this environment")
    out = subprocess.run([str(script), "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and "version" in out.stdout


def test_cache_warm_then_clear(tmp_path: Path) -> None:
    """warm fills expected outputs, pitfall outputs and the compile cache from trusted runs; clear empties them."""
    problem = tmp_path / "p"
    shutil.copytree(REPO / "problems" / "conv1d", problem)
    cases = problem / "cases.yaml"
    text = cases.read_text()
    cases.write_text(text[: text.index("  - id: even-kernel-two")])  # the first two cases only
    for path in problem.glob("solutions/*/*.py"):
        if path.name not in ("compact_lax.py", "flipped_kernel.py"):
            path.unlink()
    (problem / "problem.yaml").write_text(
        (problem / "problem.yaml").read_text().replace("cases: [long-sequence, many-channels]", "cases: [worked-example]")
    )
    cache = tmp_path / "cache"
    warm = judge("cache", "warm", "-p", str(problem), cache=cache)
    assert warm.returncode == 0, warm.stderr
    assert "2/2 expected outputs cached" in warm.stdout and "2 shipped solution(s)" in warm.stdout
    # Both cases are public: what they compiled goes to the public compilation cache only.
    for sub in ("expected", "pitfalls", "xla-public"):
        assert any(p.is_file() for p in (cache / sub).rglob("*")), sub
    assert not any(p.is_file() for p in (cache / "xla").rglob("*")), "a public case's program in the hidden cache"
    cleared = judge("cache", "clear", cache=cache)
    assert cleared.returncode == 0 and "removed" in cleared.stdout
    assert not any(p.is_file() for p in cache.rglob("*"))


def test_without_bubblewrap_the_judge_refuses_unless_told(tmp_path: Path, session_cache: Path) -> None:
    """No bwrap on PATH: exit 2 saying how to install it; --no-sandbox grades and says so."""
    import os

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("sh",):  # the sandbox prelude needs a shell, nothing else from PATH
        os.symlink(shutil.which(tool), bin_dir / tool)
    env = {**os.environ, "PATH": str(bin_dir), "JUDGE_CACHE_DIR": str(session_cache)}
    cmd = [sys.executable, "-m", "judge", "grade", "submissions/alice_correct.py", "-p", "conv1d"]
    refused = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, env=env, timeout=300)
    line = one_clean_line(refused)
    assert "bubblewrap" in line and "apt-get install bubblewrap" in line and "--no-sandbox" in line
    allowed = subprocess.run([*cmd, "--no-sandbox", "--format", "json"], capture_output=True, text=True, cwd=REPO, env=env, timeout=300)
    assert allowed.returncode == 0, allowed.stderr
    data = json.loads(allowed.stdout)
    assert data["verdict"] == "accepted" and data["run"]["sandboxed"] is False
    text = subprocess.run([*cmd, "--no-sandbox"], capture_output=True, text=True, cwd=REPO, env=env, timeout=300)
    assert "NOT sandboxed" in text.stdout


def test_a_relative_interpreter_path_still_grades(session_cache: Path) -> None:
    """``../.venv/bin/python -m judge`` once gave internal_error: the sandbox could not find that path."""
    python = os.path.relpath(sys.executable, REPO / "submissions")
    env = {**os.environ, "JUDGE_CACHE_DIR": str(session_cache)}
    proc = subprocess.run([python, "-m", "judge", "grade", "dave_syntax.py", "-p", "conv1d", "--config", "../config.yaml", "--format", "json"],
                          capture_output=True, text=True, cwd=REPO / "submissions", env=env, timeout=300)
    assert json.loads(proc.stdout)["verdict"] == "compile_error", proc.stderr[-2000:]


def test_a_reader_never_cuts_a_line_a_batch_is_writing(tmp_path: Path) -> None:
    from judge.store.jsonl import read_results

    results = tmp_path / "results.jsonl"
    results.write_text('{"submission": "a.py", "sha2')  # a writer in the middle of its line
    assert read_results(results) == [] and results.read_text() == '{"submission": "a.py", "sha2'

"""A newcomer's frictions (issue #15), each pinned: diff's missing side, the leaderboard's JSON and
unfinished batches, a publishable HTML page, finding config.yaml from a subfolder, judge problems,
grade --public, and options only where they mean something.

Only the last test grades (a submission that fails at import, on the public cases): the rest need
no JAX.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import REPO, graded_record

import judge.job as job_mod
from judge.batch import SCAN_FILE, SEEN_FILE, Completion, completion, run_batch, seen_log
from judge.batch.leaderboard import Board, rank, render
from judge.cases import load_cases
from judge.cli import main
from judge.cli.options import settings_line
from judge.config import Config, find_config_file, load_config
from judge.problem import Problem, load_problem
from judge.store.jsonl import ResultsLog
from judge.verdict import CaseResult, SubmissionResult, Verdict

ESC = "\x1b[2J"


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env)


def results_dir(path: Path, *records: object) -> Path:
    path.mkdir(parents=True)
    log = ResultsLog(path / "results.jsonl")
    for record in records:
        log.append(record)  # type: ignore[arg-type]
    return path


# -- judge diff: the missing side ---------------------------------------------------------------


def test_diff_says_not_graded_for_a_missing_side(tmp_path: Path) -> None:
    a = results_dir(tmp_path / "a", graded_record("x", "x.py", 1.0, sha256="1"))
    b = results_dir(tmp_path / "b", graded_record("y", "y.py", 0.5, verdict="wrong_answer", sha256="2"))
    out = invoke("diff", str(a), str(b))
    assert out.exit_code == 0, out.output
    assert out.output.splitlines() == ["x.py: accepted (1.0) -> not graded", "y.py: not graded -> wrong_answer (0.5)"]
    assert "None" not in out.output
    data = json.loads(invoke("diff", str(a), str(b), "--format", "json").output)
    assert (data[0]["verdict_after"], data[0]["score_after"], data[1]["verdict_before"]) == (None, None, None)


# -- leaderboard JSON ---------------------------------------------------------------------------


def test_every_leaderboard_format_ends_with_a_newline_and_json_has_submitted_at(tmp_path: Path) -> None:
    rows = rank([graded_record("ann", "ann.py", 1.0, 0.01, "2026-01-01T00:00:00+00:00")])
    for fmt in ("text", "md", "csv", "json", "html"):
        assert render(rows, fmt).endswith("\n"), fmt
    data = json.loads(render(rows, "json"))
    assert data[0]["submitted_at"] == "2026-01-01T00:00:00+00:00"
    csv_header = next(csv.reader(io.StringIO(render(rows, "csv"))))
    assert set(csv_header) - {"note"} <= set(data[0])  # JSON says everything CSV says
    out = invoke("leaderboard", str(results_dir(tmp_path / "r", graded_record("ann", "ann.py", 1.0, sha256="a"))), "--format", "json")
    assert out.exit_code == 0 and out.stdout.endswith("]\n")


# -- leaderboard: an unfinished batch says so ---------------------------------------------------


def batch_of_three(tmp_path: Path, conv1d: Problem, config: Config) -> Path:
    subs, out = tmp_path / "subs", tmp_path / "out"
    (subs / "ann").mkdir(parents=True)
    for name in ("ann/1.py", "ann/2.py", "ben.py"):
        (subs / name).write_text(f"# {name}\n")
    summary = run_batch(subs, conv1d, config, out, jobs=1)
    assert summary.graded == 3 and (out / SCAN_FILE).is_file()
    return out


def leaderboard_outputs(results: Path) -> dict[str, Result]:
    outputs = {fmt: invoke("leaderboard", str(results), "--format", fmt) for fmt in ("text", "md", "csv", "json", "html")}
    assert all(o.exit_code == 0 for o in outputs.values()), {f: o.output for f, o in outputs.items()}
    return outputs


def test_a_finished_batch_has_no_warning(tmp_path: Path, conv1d: Problem, fake_grading: Config) -> None:
    out = batch_of_three(tmp_path, conv1d, fake_grading)
    for fmt, result in leaderboard_outputs(out).items():
        assert "unfinished" not in result.stdout and result.stderr == "", fmt
    assert completion(out, ResultsLog(out / "results.jsonl").records) == Completion(3, 0, ())


def test_an_unfinished_batch_says_so_in_every_format(tmp_path: Path, conv1d: Problem, fake_grading: Config) -> None:
    out = batch_of_three(tmp_path, conv1d, fake_grading)
    results = out / "results.jsonl"
    lines = results.read_text().splitlines(True)
    kept = [line for line in lines if '"ann/2.py"' not in line]
    assert len(kept) == 2
    results.write_text("".join(kept))  # as if the batch stopped before grading ann/2.py
    outputs = leaderboard_outputs(out)
    expected = "1 of 3 submissions have no result yet (users: ann)"
    text = outputs["text"].stdout.splitlines()
    assert text[0].startswith("warning: the batch is unfinished") and expected in text[0] and text[1].startswith("rank")
    md = outputs["md"].stdout.splitlines()
    assert md[0].startswith("> **Warning:**") and expected in md[0] and md[1] == "" and md[2].startswith("| rank |")
    html = outputs["html"].stdout
    assert 'class="warning"' in html and expected in html
    for fmt in ("text", "md", "html"):
        assert outputs[fmt].stderr == "", fmt
    # CSV and JSON stay pure data: the warning goes to stderr.
    rows = list(csv.reader(io.StringIO(outputs["csv"].stdout)))
    assert rows[0][0] == "rank" and len(rows) == 3 and "unfinished" not in outputs["csv"].stdout
    assert [r["user"] for r in json.loads(outputs["json"].stdout)] == ["ann", "ben"]
    for fmt in ("csv", "json"):
        assert expected in outputs[fmt].stderr and outputs[fmt].stderr.startswith("warning:"), fmt
    # The same through results.jsonl named directly (scan.json beside it).
    assert "unfinished" in invoke("leaderboard", str(results)).stdout


def test_results_from_before_scan_json_use_each_paths_newest_content_in_seen(tmp_path: Path) -> None:
    out = results_dir(tmp_path / "r", graded_record("ann", "ann/1.py", 1.0, sha256="new"), graded_record("ben", "ben.py", 0.5, sha256="b"))
    seen_log(out).extend([
        {"submission": "ann/1.py", "sha256": "old", "first_seen": "2026-01-01T00:00:00.000000+00:00"},  # replaced before grading
        {"submission": "ann/1.py", "sha256": "new", "first_seen": "2026-01-02T00:00:00.000000+00:00"},
        {"submission": "ben.py", "sha256": "b", "first_seen": "2026-01-01T00:00:00.000000+00:00"},
    ])
    assert "unfinished" not in invoke("leaderboard", str(out)).output
    seen_log(out).append({"submission": "cy/a.py", "sha256": "c", "first_seen": "2026-01-03T00:00:00.000000+00:00"})
    text = invoke("leaderboard", str(out)).stdout
    assert "1 of 3 submissions have no result yet (users: cy)" in text.splitlines()[0]


def test_a_results_file_without_batch_files_beside_it_says_nothing(tmp_path: Path) -> None:
    out = results_dir(tmp_path / "r", graded_record("ann", "ann.py", 1.0, sha256="a"))
    seen_log(out).append({"submission": "zed.py", "sha256": "z", "first_seen": "2026-01-01T00:00:00+00:00"})
    lone = tmp_path / "lone"
    lone.mkdir()
    shutil.copy(out / "results.jsonl", lone / "results.jsonl")
    kept = out / "results.20260101T000000Z.jsonl"  # an older file kept by --rejudge
    shutil.copy(out / "results.jsonl", kept)
    for path in (lone / "results.jsonl", lone, kept):
        result = invoke("leaderboard", str(path), "--format", "json")
        assert result.exit_code == 0 and result.stderr == "", path
        assert completion(path, []) is None
    assert (out / SEEN_FILE).is_file() and "unfinished" in invoke("leaderboard", str(out)).stdout


# -- the HTML page ------------------------------------------------------------------------------


def test_html_page_is_publishable_and_still_escapes() -> None:
    records = [
        graded_record("ann", "ann/1.py", 1.0, 0.01, "t1", sha256="1"),
        graded_record("ann", "ann/2.py", 0.5, None, "t2", "wrong_answer", sha256="2"),
        graded_record("<img src=x onerror=alert(1)>", "b" + ESC + ".py", 0.5, None, "t1", "runtime_error", sha256="3"),
    ]
    hostile = dataclasses.replace(records[2], result=dataclasses.replace(records[2].result, problem="<script>p</script>"))
    records[2] = hostile
    board = Board.of(records, Completion(4, 1, ("<b>cy</b>",)), generated_at="2026-11-25 10:00 UTC")
    page = render(rank(records), "html", board)
    assert page.startswith("<!doctype html>")
    assert "<title>Leaderboard · &lt;script&gt;p&lt;/script&gt;, conv1d</title>" in page
    assert "Generated 2026-11-25 10:00 UTC · 2 user(s) · 3 submission(s) graded" in page
    assert ('<span class="verdict v-accepted">accepted 1</span> <span class="verdict v-wrong_answer">wrong_answer 1</span> '
            '<span class="verdict v-runtime_error">runtime_error 1</span>') in page
    assert '<td class="verdict v-accepted">accepted</td>' in page and '<td class="verdict v-runtime_error">runtime_error</td>' in page
    assert ".v-accepted{" in page and ".v-internal_error{" in page  # every verdict has a colour
    assert "1 of 4 submissions have no result yet (users: &lt;b&gt;cy&lt;/b&gt;)" in page
    assert "<img" not in page and "<script>" not in page and "<b>cy" not in page and "\x1b" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "b\\x1b[2J.py" in page
    # Without a board (rows only) it is still a whole page, dated.
    plain = render(rank(records[:1]), "html")
    assert "<title>Leaderboard · conv1d</title>" in plain and " UTC · 1 user(s)</p>" in plain
    assert "Verdicts of each user's best submission: " in plain


# -- config discovery ---------------------------------------------------------------------------


def project(tmp_path: Path) -> Path:
    """A project folder: config.yaml naming its own problems folder (one problem, conv1d)."""
    root = tmp_path / "course"
    shutil.copytree(REPO / "problems" / "conv1d", root / "probs" / "conv1d")
    (root / "config.yaml").write_text("problems_dir: probs\ncache_dir: cache\n")
    (root / "work" / "week1").mkdir(parents=True)
    return root


def test_config_is_found_from_a_nested_subfolder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path)
    monkeypatch.delenv("JUDGE_CONFIG", raising=False)
    monkeypatch.delenv("JUDGE_PROBLEMS_DIR", raising=False)
    monkeypatch.delenv("JUDGE_CACHE_DIR", raising=False)
    monkeypatch.chdir(root / "work" / "week1")
    assert find_config_file(None) == root / "config.yaml"
    cfg = load_config(None)
    assert cfg.source == root / "config.yaml" and cfg.problems_dir == root / "probs" and cfg.cache_dir == root / "cache"
    assert settings_line(cfg) == f"config: {root / 'config.yaml'} · problems: {root / 'probs'} · cache: {root / 'cache'}"
    listed = invoke("problems")
    assert listed.exit_code == 0, listed.output
    assert [line.split()[0] for line in listed.output.splitlines()[1:-1]] == ["conv1d"]
    assert listed.output.splitlines()[-1] == f"1 problem(s) in {root / 'probs'}"
    # $JUDGE_CONFIG wins over the nearer file, and --config over both.
    other = tmp_path / "other.yaml"
    other.write_text("problems_dir: elsewhere\n")
    (root / "work" / "config.yaml").write_text("problems_dir: nearer\n")
    assert load_config(None).problems_dir == root / "work" / "nearer"  # the nearest one
    monkeypatch.setenv("JUDGE_CONFIG", str(other))
    assert load_config(None).problems_dir == tmp_path / "elsewhere"
    assert load_config(root / "config.yaml").problems_dir == root / "probs"


def test_settings_line_says_defaults_without_a_file() -> None:
    line = settings_line(Config(problems_dir=Path("/p" + ESC), cache_dir=Path("/c")))
    assert line == "config: defaults (no config.yaml found) · problems: /p\\x1b[2J · cache: /c"


# -- judge problems -----------------------------------------------------------------------------


def test_judge_problems_lists_each_problem_with_its_case_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    expected = {}
    for name in sorted(p.parent.name for p in (REPO / "problems").glob("*/problem.yaml")):
        problem = load_problem(name, REPO / "problems")
        cases = load_cases(problem)
        expected[name] = (problem.title, len(cases), sum(c.hidden for c in cases))
        assert 0 < expected[name][2] < expected[name][1]
    data = json.loads(invoke("problems", "--format", "json", "--config", str(REPO / "config.yaml")).output)
    assert {d["id"]: (d["title"], d["cases"], d["hidden"]) for d in data} == expected
    text = invoke("problems", "--config", str(REPO / "config.yaml")).output.splitlines()
    assert text[0].split() == ["id", "cases", "hidden", "title"]
    assert {line.split()[0]: tuple(int(n) for n in line.split()[1:3]) for line in text[1:-1]} == {k: v[1:] for k, v in expected.items()}


def test_judge_problems_shows_a_broken_problem_instead_of_failing(tmp_path: Path) -> None:
    shutil.copytree(REPO / "problems" / "conv1d", tmp_path / "conv1d")
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "problem.yaml").write_text("id: [\n")
    out = invoke("problems", "--format", "json", env={"JUDGE_PROBLEMS_DIR": str(tmp_path)})
    rows = {d["id"]: d for d in json.loads(out.output)}
    assert rows["conv1d"]["error"] is None and rows["broken"]["cases"] is None and "problem.yaml" in rows["broken"]["error"]
    missing = invoke("problems", env={"JUDGE_PROBLEMS_DIR": str(tmp_path / "nope")})
    assert missing.exit_code == 2 and "problems folder not found" in missing.stderr


# -- options only where they mean something -----------------------------------------------------


@pytest.mark.parametrize("command", [["new"], ["cache", "clear"], ["cases", "show"], ["problems"]])
def test_commands_that_run_no_code_offer_only_config(command: list[str]) -> None:
    out = invoke(*command, "--help")
    assert out.exit_code == 0 and "--config" in out.output
    assert "--no-sandbox" not in out.output and "--backend" not in out.output
    refused = invoke(*command, "--no-sandbox")
    assert refused.exit_code == 2 and "No such option" in refused.output


@pytest.mark.parametrize("command", [["grade"], ["batch"], ["check"], ["cache", "warm"], ["cases", "add"]])
def test_commands_that_run_code_keep_backend_and_no_sandbox(command: list[str]) -> None:
    out = invoke(*command, "--help")
    assert "--no-sandbox" in out.output and "--backend" in out.output


# -- judge grade --public (grades: a submission that fails at import, so it is quick) -----------


@pytest.mark.slow
def test_grade_public_runs_only_the_public_cases(session_cache: Path) -> None:
    public = [c.id for c in load_cases(load_problem("conv1d", REPO / "problems")) if not c.hidden]
    env = {"JUDGE_CACHE_DIR": str(session_cache)}
    args = ["grade", str(REPO / "submissions" / "dave_syntax.py"), "-p", "conv1d", "--config", str(REPO / "config.yaml"), "--public"]
    out = invoke(*args, "--format", "json", env=env)
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert [c["id"] for c in data["cases"]] == public and data["public_only"] is True and data["total"] == len(public)
    assert data["verdict"] == "compile_error" and data["run"]["sandboxed"] is True
    text = invoke(*args, env=env)
    assert text.exit_code == 0, text.output
    lines = text.stdout.splitlines()
    assert f"only the {len(public)} public cases ran (--public); the verdict counts only them" in lines
    assert lines[-1] == f"config: {REPO / 'config.yaml'} · problems: {REPO / 'problems'} · cache: {session_cache}"
    assert "Verdict: compile_error" in text.stdout and f"0/{len(public)} cases" in text.stdout


def test_the_leaderboard_ends_with_how_to_see_the_feedback(tmp_path: Path, conv1d: Problem, monkeypatch: pytest.MonkeyPatch,
                                                           config: Config) -> None:
    """Item 15: after the board, one line per verdict that is not accepted, with a command that works."""

    def fake_grade(path: Path, problem: Problem, config: Config, **options: object) -> SubmissionResult:
        verdict = Verdict.WRONG_ANSWER if "ben" in path.name else Verdict.ACCEPTED
        return SubmissionResult(problem.id, str(path), verdict, (CaseResult("c", False, verdict),))

    monkeypatch.setattr(job_mod, "grade", fake_grade)
    out = batch_of_three(tmp_path, conv1d, dataclasses.replace(config, sandbox="none"))
    text = invoke("leaderboard", str(out)).stdout.splitlines()
    assert text[-2] == "To see why a submission was not accepted:"
    assert text[-1] == f"  wrong_answer (ben): judge grade {tmp_path.resolve() / 'subs' / 'ben.py'} -p conv1d"
    for fmt in ("md", "csv", "json", "html"):  # the data formats stay data
        assert "judge grade" not in invoke("leaderboard", str(out), "--format", fmt).stdout

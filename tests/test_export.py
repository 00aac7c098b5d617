"""Exports: the Gradescope autograder (its zip, its results.json checked field by field against
Gradescope's specification, and its run_autograder run on a folder laid out as Gradescope lays
it out) and ``judge export csv`` of a results store and of the service's database.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
import shutil
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from judge.cli import main
from judge.config import Config, load_config
from judge.export.gradescope import FAULT, build_autograder, find_submission, results_json
from judge.problem import HiddenFeedback, Problem, load_problem
from judge.record import ResultRecord
from judge.service.db import Role, ServiceDB, StoredSet
from judge.store.jsonl import ResultsLog
from judge.verdict import CaseResult, SubmissionResult, Verdict

REPO = Path(__file__).resolve().parent.parent
VISIBILITIES = {"hidden", "after_due_date", "after_published", "visible"}
SECRET = "LEARNER-CHOSEN-TEXT"


def check_results(doc: Any) -> None:
    """results.json as Gradescope's autograder specification defines it, field by field
    (https://gradescope-autograders.readthedocs.io/en/latest/specs/)."""
    assert isinstance(doc, dict)
    known = {"score", "execution_time", "output", "output_format", "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard"}
    assert set(doc) <= known, set(doc) - known
    assert isinstance(doc["score"], float) and doc["score"] >= 0  # required: there are tests, but we give the total too
    assert isinstance(doc["execution_time"], int) and doc["execution_time"] >= 1  # seconds
    assert isinstance(doc["output"], str)
    assert doc["visibility"] in VISIBILITIES and doc["stdout_visibility"] in VISIBILITIES
    assert doc.get("output_format", "text") in {"text", "html", "simple_format", "md", "ansi"}
    assert isinstance(doc.get("extra_data", {}), dict)
    tests = doc["tests"]
    assert isinstance(tests, list)
    for test in tests:
        assert set(test) <= {"score", "max_score", "name", "number", "output", "tags", "visibility", "extra_data", "status",
                             "output_format", "name_format"}, test
        assert isinstance(test["name"], str) and test["name"]
        assert isinstance(test["score"], float) and isinstance(test["max_score"], float) and 0 <= test["score"] <= test["max_score"]
        assert test["status"] in {"passed", "failed"} and (test["status"] == "passed") == (test["score"] == test["max_score"])
        assert test["visibility"] in VISIBILITIES
        assert isinstance(test["output"], str) and test["output_format"] in {"text", "html", "simple_format", "md", "ansi"}
        assert isinstance(test["tags"], list) and all(isinstance(t, str) for t in test["tags"])
    assert sum(t["score"] for t in tests) == doc["score"]  # the tests add up to the total
    for entry in doc.get("leaderboard", []):
        assert set(entry) <= {"name", "value", "order"} and isinstance(entry["name"], str)
        assert isinstance(entry["value"], (int, float, str)) and entry.get("order", "desc") in {"asc", "desc"}


def _result(verdict: Verdict, *, ranking: float | None = None) -> SubmissionResult:
    cases = (
        CaseResult("worked-example", False, Verdict.WRONG_ANSWER if verdict is not Verdict.ACCEPTED else Verdict.ACCEPTED,
                   "" if verdict is Verdict.ACCEPTED else "3/8 elements differ", 0.25, hint="flip the kernel", output="debug print\n"),
        # A hidden case never carries learner text; if a record did, the export still would not show it.
        CaseResult("long", True, verdict, "" if verdict is Verdict.ACCEPTED else "wrong values (details are not shown for hidden cases)",
                   0.1, output=SECRET),
    )
    return SubmissionResult("conv1d", "a.py", verdict, cases, ranking_time_s=ranking)


@pytest.fixture(scope="module")
def conv1d_problem() -> Problem:
    return load_problem("conv1d", REPO / "problems")


def test_results_json_follows_the_spec_and_the_feedback_policy(conv1d_problem: Problem) -> None:
    wrong = results_json(_result(Verdict.WRONG_ANSWER), conv1d_problem, 3.2)
    check_results(wrong)
    assert wrong["score"] == 0.0 and wrong["execution_time"] == 4 and "leaderboard" not in wrong
    public, hidden = wrong["tests"]
    assert (public["name"], public["visibility"], public["status"]) == ("worked-example", "visible", "failed")
    assert public["output"] == "wrong_answer · 0.250 s\n3/8 elements differ\nhint: flip the kernel\nprinted:\ndebug print\n"
    assert (hidden["name"], hidden["visibility"]) == ("long (hidden)", "after_published")
    assert hidden["output"] == "wrong_answer · 0.100 s\nwrong values (details are not shown for hidden cases)"
    assert SECRET not in json.dumps(wrong)
    # A problem whose hidden cases say nothing: never shown.
    silent = dataclasses.replace(conv1d_problem, hidden_feedback=HiddenFeedback.NONE)
    assert results_json(_result(Verdict.WRONG_ANSWER), silent, 1)["tests"][1]["visibility"] == "hidden"
    accepted = results_json(_result(Verdict.ACCEPTED, ranking=0.0123), conv1d_problem, 0.2)
    check_results(accepted)
    assert accepted["score"] == 2.0 and [t["status"] for t in accepted["tests"]] == ["passed", "passed"]
    assert accepted["leaderboard"] == [{"name": "Time (ms)", "value": 12.3, "order": "asc"}]


def test_the_submission_is_the_one_py_file(tmp_path: Path) -> None:
    assert "No .py file" in str(find_submission(tmp_path / "missing"))
    (tmp_path / "notes.txt").write_text("x")
    assert "No .py file" in str(find_submission(tmp_path))
    (tmp_path / "conv.py").write_text("x")
    assert find_submission(tmp_path) == tmp_path / "conv.py"
    (tmp_path / "b\x1b[31m.py").write_text("x")
    message = str(find_submission(tmp_path))
    assert "Several .py files" in message and "\x1b" not in message


def test_the_zip_holds_what_gradescope_and_the_judge_need(tmp_path: Path, conv1d_problem: Problem) -> None:
    config = load_config(REPO / "config.yaml").with_overrides(limits={"total_time_s": 321})
    path = build_autograder(conv1d_problem, config, tmp_path / "dist")
    assert path == tmp_path / "dist" / "autograder.zip"
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        for required in ("setup.sh", "run_autograder"):  # at the root of the archive, executable
            assert (archive.getinfo(required).external_attr >> 16) & stat.S_IXUSR
        assert {"judge_src/pyproject.toml", "judge_src/judge/__init__.py", "judge_src/judge/export/gradescope.py",
                "problems/conv1d/problem.yaml", "problems/conv1d/cases.yaml", "problems/conv1d/reference.py",
                "config.yaml", "autograder.json"} <= names
        assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
        setup = archive.read("setup.sh").decode()
        assert "apt-get install -y --no-install-recommends bubblewrap" in setup and "pip install --no-cache-dir /autograder/source/judge_src" in setup
        assert json.loads(archive.read("autograder.json"))["problem"] == "conv1d"
        archive.extractall(tmp_path / "source")
    shipped = load_config(tmp_path / "source" / "config.yaml")
    assert shipped.limits.total_time_s == 321 and shipped.problems_dir == (tmp_path / "source" / "problems").resolve()
    assert load_problem("conv1d", shipped.problems_dir).id == "conv1d"


def _gradescope_layout(tmp_path: Path, zip_path: Path, files: dict[str, str]) -> Path:
    """/autograder as Gradescope lays it out: source/ (the zip, extracted), run_autograder, submission/, results/."""
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "results").mkdir()
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(root / "source")
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    (root / "run_autograder").chmod(0o755)
    for name, text in files.items():
        (root / "submission" / name).write_text(text, encoding="utf-8")
    return root


def _run_autograder(root: Path, cache: Path | None = None) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("JUDGE_")}
    env.update(JUDGE_AUTOGRADER_ROOT=str(root), JUDGE_AUTOGRADER_PYTHON=sys.executable)
    if cache is not None:
        env["JUDGE_CACHE_DIR"] = str(cache)
    done = subprocess.run([str(root / "run_autograder")], env=env, cwd=root.parent, capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr
    doc = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    check_results(doc)
    return doc


def test_run_autograder_without_one_py_file_scores_zero_and_says_why(tmp_path: Path, conv1d_problem: Problem) -> None:
    zip_path = build_autograder(conv1d_problem, load_config(REPO / "config.yaml"), tmp_path / "dist")
    root = _gradescope_layout(tmp_path, zip_path, {"a.py": "x = 1\n", "b.py": "y = 2\n"})
    doc = _run_autograder(root)
    assert doc["score"] == 0.0 and doc["tests"] == [] and "Several .py files were submitted (a.py, b.py)" in doc["output"]


def test_run_autograder_reports_a_broken_autograder_as_its_own_fault(tmp_path: Path, conv1d_problem: Problem) -> None:
    zip_path = build_autograder(conv1d_problem, load_config(REPO / "config.yaml"), tmp_path / "dist")
    root = _gradescope_layout(tmp_path, zip_path, {"mine.py": "def solve(x, kernel):\n    return x\n"})
    shutil.rmtree(root / "source" / "problems" / "conv1d")
    doc = _run_autograder(root)
    assert doc["score"] == 0.0 and doc["output"] == FAULT


def _roomy(root: Path) -> None:
    """Generous time limits in the shipped problem (its own limits override the config's): the
    machine running the suite is shared and loaded, and these verdicts must not depend on it."""
    spec = root / "source" / "problems" / "conv1d" / "problem.yaml"
    text = spec.read_text(encoding="utf-8")
    roomy = text.replace("\n  case_time_s: 10\n", "\n  case_time_s: 120\n").replace("\n  total_time_s: 120\n", "\n  total_time_s: 1200\n")
    assert "\n  case_time_s: 120\n" in roomy and "\n  total_time_s: 1200\n" in roomy
    spec.write_text(roomy, encoding="utf-8")


ZEROS = "import numpy as np\n\n\ndef solve(seed, x, features, kernel_size):\n    return np.zeros(np.shape(x)[0] * int(features), dtype=np.float32)\n"


@pytest.mark.slow
def test_run_autograder_grades_an_accepted_and_a_wrong_submission(tmp_path: Path, config: Config, session_cache: Path) -> None:
    problem = load_problem("conv1d", config.problems_dir)
    zip_path = build_autograder(problem, config.with_overrides(limits={"startup_time_s": 300}), tmp_path / "dist")
    cases = 18
    good = _gradescope_layout(tmp_path / "good", zip_path, {"conv.py": (REPO / "submissions" / "alice_correct.py").read_text()})
    _roomy(good)
    started = time.monotonic()
    doc = _run_autograder(good, session_cache)
    assert doc["score"] == float(cases) and len(doc["tests"]) == cases and doc["output"].startswith("accepted · 18/18 cases")
    assert doc["execution_time"] <= time.monotonic() - started + 1
    assert all(t["status"] == "passed" for t in doc["tests"])
    assert {t["visibility"] for t in doc["tests"] if t["name"].endswith("(hidden)")} == {"after_published"}
    assert {t["visibility"] for t in doc["tests"] if not t["name"].endswith("(hidden)")} == {"visible"}
    (board,) = doc["leaderboard"]
    assert board["name"] == "Time (ms)" and board["order"] == "asc" and board["value"] > 0
    assert doc["extra_data"]["verdict"] == "accepted"

    # Wrong values of the right size, in NumPy (no learner-side compilation to wait for).
    wrong = _gradescope_layout(tmp_path / "wrong", zip_path, {"zeros.py": ZEROS})
    _roomy(wrong)
    doc = _run_autograder(wrong, session_cache)
    assert doc["output"].startswith("wrong_answer · 0/18 cases") and "leaderboard" not in doc
    assert doc["score"] == 0.0 and doc["extra_data"]["verdict"] == "wrong_answer"
    assert all(t["status"] == "failed" and t["score"] == 0.0 and t["max_score"] == 1.0 for t in doc["tests"])
    first = doc["tests"][0]
    assert first["name"] == "worked-example" and first["visibility"] == "visible" and "elements differ" in first["output"]
    hidden = [t for t in doc["tests"] if t["name"].endswith("(hidden)")]
    assert hidden and all(t["visibility"] == "after_published" for t in hidden)
    for test in hidden:
        # Only the judge's fixed words: no values, shapes or indices of a hidden case.
        assert test["output"].endswith("wrong values (details are not shown for hidden cases)"), test["output"]
        assert "index" not in test["output"] and "elements" not in test["output"]


def _record(user: str, name: str, passed: int, at: str) -> ResultRecord:
    cases = tuple(CaseResult(f"c{i}", False, Verdict.ACCEPTED if i < passed else Verdict.WRONG_ANSWER) for i in range(4))
    result = SubmissionResult("conv1d", name, Verdict.ACCEPTED if passed == 4 else Verdict.WRONG_ANSWER, cases)
    return ResultRecord(user, name, name, result, submitted_at=at)


def test_export_csv_of_a_results_store_best_or_latest(tmp_path: Path) -> None:
    log = ResultsLog(tmp_path / "results.jsonl")
    for record in [_record("ann", "ann/1.py", 4, "2026-12-01T10:00:00+00:00"), _record("ann", "ann/2.py", 1, "2026-12-01T11:00:00+00:00"),
                   _record("=HYPERLINK(\"http://x\")", "=HYPERLINK(\"http://x\")/@run.py", 2, "2026-12-01T09:00:00+00:00"),
                   _record("+bob", "+bob/-1.py", 3, "2026-12-01T09:30:00+00:00")]:
        log.append(record)
    runner = CliRunner()
    best = runner.invoke(main, ["export", "csv", str(tmp_path)])
    assert best.exit_code == 0, best.output
    rows = list(csv.DictReader(io.StringIO(best.output)))
    assert list(rows[0]) == ["user", "problem", "score", "max_score", "verdict", "submitted_at", "late", "submission"]
    assert [(r["user"], r["score"], r["max_score"], r["verdict"], r["late"], r["submission"]) for r in rows] == [
        ("'+bob", "75", "100", "wrong_answer", "false", "'+bob/-1.py"),
        ("'=HYPERLINK(\"http://x\")", "50", "100", "wrong_answer", "false", "'=HYPERLINK(\"http://x\")/@run.py"),
        ("ann", "100", "100", "accepted", "false", "ann/1.py"),
    ]
    out = tmp_path / "grades.csv"
    latest = runner.invoke(main, ["export", "csv", str(tmp_path), "--pick", "latest", "--max-score", "4", "--out", str(out)])
    assert latest.exit_code == 0, latest.output
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [(r["user"], r["score"], r["submission"]) for r in rows if r["user"] == "ann"] == [("ann", "1", "ann/2.py")]


def test_export_csv_of_the_service_database(tmp_path: Path) -> None:
    db = ServiceDB(tmp_path / "data")
    token = db.create_token("-ann", Role.LEARNER)
    assert token
    now = time.time()
    db.save_set(StoredSet("hw1", "Week 1", ("conv1d",), None, now - 10, True, 0.5, "ada", now, now), create=True)
    db.add_submission("-ann", 1, "conv1d", b"x = 1\n", "a.py", None, now=now, set_id="hw1")  # late
    job = db.claim("w", lease_s=60)
    assert job is not None and db.finish(job, "w", _record("-ann", "a.py", 4, job.submitted_at))
    runner = CliRunner()
    for source in (str(tmp_path / "data"), str(tmp_path / "data" / "judge.db")):
        done = runner.invoke(main, ["export", "csv", "--db", source, "--set", "hw1"])
        assert done.exit_code == 0, done.output
        (row,) = list(csv.DictReader(io.StringIO(done.output)))
        assert (row["user"], row["score"], row["late"], row["set"], row["verdict"]) == ("'-ann", "50", "true", "hw1", "accepted")
    plain = runner.invoke(main, ["export", "csv", "--db", str(tmp_path / "data"), "--problem", "conv1d"])
    (row,) = list(csv.DictReader(io.StringIO(plain.output)))
    assert "set" not in row and row["score"] == "100" and row["late"] == "true"  # raw score outside the set; still late


def test_export_csv_refuses_bad_arguments_in_one_line(tmp_path: Path) -> None:
    runner = CliRunner()
    for args, words in [
        (["--db", str(tmp_path / "nothing")], "no service database here"),
        ([str(tmp_path / "nothing")], "no results file here"),
        ([str(tmp_path), "--db", str(tmp_path)], "give RESULTS or --db, not both"),
        ([str(tmp_path), "--set", "hw1"], "--set needs the service's database"),
    ]:
        done = runner.invoke(main, ["export", "csv", *args])
        assert done.exit_code == 2 and words in done.output and "Traceback" not in done.output, (args, done.output)
    assert not (tmp_path / "nothing").exists()  # nothing created by a refused export
    ServiceDB(tmp_path / "data")
    done = runner.invoke(main, ["export", "csv", "--db", str(tmp_path / "data"), "--set", "nope"])
    assert done.exit_code == 2 and "no problem set 'nope'" in done.output


def test_export_gradescope_command(tmp_path: Path) -> None:
    runner = CliRunner()
    done = runner.invoke(main, ["export", "gradescope", "--problem", "conv1d", "--out", str(tmp_path / "dist"),
                                "--config", str(REPO / "config.yaml")])
    assert done.exit_code == 0, done.output
    assert f"wrote {tmp_path / 'dist' / 'autograder.zip'}: 18 cases, 1 point each (set the assignment's total to 18)" in done.output
    with zipfile.ZipFile(tmp_path / "dist" / "autograder.zip") as archive:
        assert load_config_text(archive.read("config.yaml").decode())["sandbox"] == "auto"
    unsafe = runner.invoke(main, ["export", "gradescope", "-p", "conv1d", "--out", str(tmp_path / "open"), "--no-sandbox",
                                  "--config", str(REPO / "config.yaml")])
    assert unsafe.exit_code == 0 and "WITHOUT the judge's sandbox" in unsafe.output
    missing = runner.invoke(main, ["export", "gradescope", "-p", "nope", "--out", str(tmp_path / "x"), "--config", str(REPO / "config.yaml")])
    assert missing.exit_code == 2 and "Traceback" not in missing.output and not (tmp_path / "x").exists()


def load_config_text(text: str) -> dict[str, Any]:
    import yaml

    loaded = yaml.safe_load(text)
    assert isinstance(loaded, dict)
    return loaded

"""Untrusted text (learners' messages, file and user names, case ids) cannot act on what shows it.

Red-team findings: terminal escapes (clear screen, window title, OSC 52 clipboard write) and a fake
"Verdict: accepted" line in text reports; newlines forging leaderboard rows; raw HTML in Markdown;
formulas in CSV; NaN in JSON; a file named ``[/].py`` crashing ``judge grade`` with a rich
MarkupError; and a ranking tie-break on the file's mtime, which the submitter sets.

All but one test build results directly and call the renderers: no JAX worker starts.
"""

from __future__ import annotations

import csv
import dataclasses
import doctest
import io
import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import graded_record
from rich.console import Console

import judge.batch as batch_mod
import judge.safe_text
from judge.authoring.check import CheckItem, CheckReport, SolutionCheck
from judge.authoring.check import render_text as check_text
from judge.batch import run_batch
from judge.batch.discover import discover, scan
from judge.batch.leaderboard import rank, render
from judge.cli import LOG_FORMAT, SafeLogFormatter, main
from judge.config import Config
from judge.problem import Problem
from judge.record import ResultRecord
from judge.report import make_console, render_json, render_text
from judge.safe_text import csv_cell, is_safe_name, md_cell, visible
from judge.store.jsonl import ResultsLog, read_results
from judge.verdict import CaseResult, Mismatch, RunInfo, SubmissionResult, Verdict

REPO = Path(__file__).resolve().parent.parent
ACCEPTED = REPO / "problems" / "conv1d" / "solutions" / "accepted" / "compact_lax.py"

CLEAR = "\x1b[2J\x1b[H"
TITLE = "\x1b]0;pwned\x07"
CLIPBOARD = "\x1b]52;c;ZWNobyBwd25lZA==\x07"  # OSC 52: write "echo pwned" to the clipboard
C1_CSI = "\x9b32m"  # the one-byte CSI of C1
BIDI = "\u202egnp.py\u202c \u2066x\u2069"
FAKE_VERDICT = "\n\x1b[32mVerdict: accepted · 3/3 cases · score 1.000\x1b[0m"
HOSTILE = CLEAR + TITLE + CLIPBOARD + C1_CSI + BIDI + "\x7f\x00\r"


def unsafe_chars(text: str) -> list[str]:
    """Characters that must never reach a terminal or file from untrusted text (newline allowed)."""
    bad = set(range(0x20)) - {0x0A} | {0x7F} | set(range(0x80, 0xA0)) | set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A))
    return [repr(c) for c in text if ord(c) in bad]


def hostile_result() -> SubmissionResult:
    mismatch = Mismatch((2,), (2,), 1.0, 2.0, 1, 2, ((1,),), (0.5,), (1.5,))
    cases = (
        CaseResult("pub" + TITLE, False, Verdict.WRONG_ANSWER, "bad values " + HOSTILE + FAKE_VERDICT, 0.1, 1.0, 2.0,
                   mismatch, hint="flip it" + CLIPBOARD),
        CaseResult("[bold]hid[/]" + BIDI, True, Verdict.RUNTIME_ERROR, FAKE_VERDICT.lstrip("\n") + "\nTraceback " + CLEAR, 0.1),
        CaseResult("ok", True, Verdict.ACCEPTED, "", 0.1),
    )
    return SubmissionResult("conv1d" + C1_CSI, "[/]" + CLEAR + ".py", Verdict.RUNTIME_ERROR, cases,
                            run=RunInfo(sandboxed=True))


def text_report(result: SubmissionResult, *, terminal: bool = False) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, highlight=False, soft_wrap=True) if terminal else make_console(buffer)
    render_text(result, console)
    return buffer.getvalue()


# -- safe_text ---------------------------------------------------------------------------------


def test_safe_text_doctests() -> None:
    assert doctest.testmod(judge.safe_text).failed == 0


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x08", "\t", "\n", "\r", "\x1b", "\x7f", "\x85", "\x9b", "\x9d",
                                  "\u061c", "\u200f", "\u202a", "\u202e", "\u2066", "\u2069", "\u2028", "\udcff"])
def test_visible_shows_every_dangerous_character(char: str) -> None:
    shown = visible(f"a{char}b")
    assert char not in shown and shown.startswith("a\\") and shown.endswith("b")
    assert not is_safe_name(f"a{char}b.py")
    assert visible("a\nb", newlines=True) == "a\nb" and visible("a\r\nb", newlines=True) == "a\nb"


def test_md_and_csv_cells() -> None:
    assert "<" not in md_cell("<img src=x onerror=alert(1)>") and "\n" not in md_cell("a\nb")
    assert md_cell("a|b") == "a\\|b" and md_cell("`x`") == "\\`x\\`"
    for formula in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "  =1"):
        assert csv_cell(formula).startswith("'"), formula
    assert csv_cell("alice") == "alice"


# -- text report -------------------------------------------------------------------------------


@pytest.mark.parametrize("terminal", [False, True])
def test_text_report_shows_escape_sequences_instead_of_sending_them(terminal: bool) -> None:
    out = text_report(hostile_result(), terminal=terminal)
    if terminal:  # rich's own colours are fine; nothing the learner sent may pass
        for sequence in (CLEAR, "\x1b]", "\x9b", "\x07", "\u202e", "\u2066", "\x7f", "\x00"):
            assert sequence not in out, repr(sequence)
    else:
        assert unsafe_chars(out) == []
    assert "\\x1b]52;c;ZWNobyBwd25lZA==\\x07" in out  # shown, so a reader sees what was tried
    assert "\\u202e" in out and "\\x9b32m" in out
    assert "[/]\\x1b[2J\\x1b[H.py" in out  # the submission name, literally, no MarkupError
    assert "[bold]hid[/]" in out  # the case id, literally: not markup


def test_learner_message_cannot_forge_the_verdict_line() -> None:
    plain = "\nVerdict: accepted · 3/3 cases · score 1.000"  # no escape needed to look like the judge
    wrong = SubmissionResult("conv1d", "s.py", Verdict.WRONG_ANSWER,
                             (CaseResult("c1", False, Verdict.RUNTIME_ERROR, "Traceback ..." + plain),
                              CaseResult("c2", False, Verdict.RUNTIME_ERROR, plain.lstrip() + "\nboom")))
    compile_error = SubmissionResult("conv1d", "s.py", Verdict.COMPILE_ERROR,
                                     (CaseResult("c1", False, Verdict.COMPILE_ERROR, "SyntaxError" + plain),),
                                     message="SyntaxError at line 1" + plain)
    for res, verdict in ((hostile_result(), "runtime_error"), (wrong, "wrong_answer"), (compile_error, "compile_error")):
        lines = text_report(res).splitlines()
        judge_lines = [line for line in lines if line.startswith("Verdict:")]
        assert len(judge_lines) == 1 and judge_lines[0].startswith(f"Verdict: {verdict} ·"), lines
        forged = [line for line in lines if "Verdict: accepted" in line]
        assert forged and all(not line.startswith("Verdict") for line in forged)


def test_text_report_with_withheld_output_counts() -> None:
    """Byte counts are None when hidden cases ran; the truncation note must not crash on them."""
    result = dataclasses.replace(hostile_result(), run=RunInfo(sandboxed=True, stdout_bytes=None, stderr_bytes=None, output_truncated=True))
    assert "output beyond it was discarded" in text_report(result)


def test_json_report_is_strict_json() -> None:
    mismatch = Mismatch((2,), (2,), float("inf"), float("nan"), 2, 2, ((0,), (1,)), (0.5, 1.0), (float("nan"), float("-inf")))
    case = CaseResult("c" + CLEAR, False, Verdict.WRONG_ANSWER, "NaN output" + TITLE, 0.1, float("inf"), float("nan"), mismatch)
    out = render_json(SubmissionResult("conv1d", "s.py", Verdict.WRONG_ANSWER, (case,)))

    def no_constants(name: str) -> Any:
        raise AssertionError(f"not strict JSON: {name}")

    data = json.loads(out, parse_constant=no_constants)
    assert data["cases"][0]["mismatch"]["got_values"] == ["NaN", "-Infinity"]
    assert data["cases"][0]["message"] == "NaN output" + TITLE  # JSON keeps the text, escaped as \u001b
    assert "\x1b" not in out


# -- check report, CLI -------------------------------------------------------------------------


def test_check_text_report_shows_escape_sequences() -> None:
    report = CheckReport(
        "p" + TITLE, "/x" + CLEAR,
        (CheckItem("reference is deterministic and finite", False, "case 'a': boom" + FAKE_VERDICT, ("x" + CLIPBOARD, "y")),),
        case_ids=("a" + BIDI, "b"),
        solutions=(SolutionCheck("wrong/w" + C1_CSI + ".py", Verdict.WRONG_ANSWER, Verdict.WRONG_ANSWER, ("a" + BIDI,)),),
        redundant_cases=("b",),
    )
    out = check_text(report)
    assert unsafe_chars(out) == [] and "\\x1b]52;" in out
    assert [line for line in out.splitlines() if "Verdict" in line] == [line for line in out.splitlines() if line.startswith("  ✗")]


def test_cli_error_and_diff_lines_show_escapes(tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        log = ResultsLog(tmp_path / name / "results.jsonl")
        log.append(graded_record("x", "x" + CLEAR + ".py", 1.0 if name == "a" else 0.5, sha256="1"))
    runner = CliRunner()
    diff = runner.invoke(main, ["diff", str(tmp_path / "a"), str(tmp_path / "b")])
    assert diff.exit_code == 0 and "x\\x1b[2J\\x1b[H.py" in diff.output and unsafe_chars(diff.output) == []
    missing = runner.invoke(main, ["leaderboard", str(tmp_path / ("none" + TITLE))])
    assert missing.exit_code == 2 and "\\x1b]0;pwned\\x07" in missing.stderr
    assert unsafe_chars(missing.stderr) == [] and len(missing.stderr.strip().splitlines()) == 1


def test_cli_log_lines_show_escapes() -> None:
    record = logging.LogRecord("judge.grade", logging.WARNING, __file__, 1, "worker said %s", ("hi" + TITLE + CLEAR,), None)
    line = SafeLogFormatter(LOG_FORMAT).format(record)
    assert line == "WARNING judge.grade: worker said hi\\x1b]0;pwned\\x07\\x1b[2J\\x1b[H"


def test_grade_a_file_named_like_rich_markup(tmp_path: Path, session_cache: Path) -> None:
    """Really grades (a JAX worker): the file name once reached rich as markup and crashed."""
    (tmp_path / "[").mkdir()
    path = tmp_path / "[" / "].py"  # the path ends in "[/].py": a closing tag to rich
    shutil.copy(ACCEPTED, path)
    env = {**os.environ, "JUDGE_CACHE_DIR": str(session_cache)}
    proc = subprocess.run([sys.executable, "-m", "judge", "grade", str(path), "-p", "conv1d", "--format", "text"],
                          capture_output=True, text=True, cwd=REPO, env=env, timeout=300)
    assert "Traceback" not in proc.stderr and "MarkupError" not in proc.stderr, proc.stderr
    assert proc.returncode == 0, proc.stderr
    assert f"{tmp_path}/[/].py" in proc.stdout and "Verdict: accepted" in proc.stdout


# -- leaderboard -------------------------------------------------------------------------------


def record(user: str, sub: str, score: float, at: str = "2026-01-01T00:00:00+00:00") -> ResultRecord:
    return graded_record(user, sub, score, None, at)


FORGED_ROW = "x\n   1  mallory  mallory.py  accepted  1.000  0.001"
HOSTILE_RECORDS = [
    record("ann", "ann.py", 1.0),
    record(FORGED_ROW, "m\n| 1 | mallory | m.py | accepted | 1.000 | - | |.py", 0.5),
    record("<img src=x onerror=alert(1)>", "=HYPERLINK(\"http://evil\",\"win\").py", 0.4),
    record("@SUM(1+1)*cmd|' /C calc'!A0", "-2+3.py", 0.3, at="=1+2"),
    record("tab\tuser" + CLEAR, "+x" + TITLE + ".py", 0.2),
]


def bare_pipes(line: str) -> int:
    """Column separators in a GFM table row: pipes not escaped by a backslash."""
    count, i = 0, 0
    while i < len(line):
        if line[i] == "\\":
            i += 2
            continue
        count += line[i] == "|"
        i += 1
    return count


def test_leaderboard_names_cannot_forge_rows_inject_html_or_formulas() -> None:
    rows = rank(HOSTILE_RECORDS)
    text = render(rows, "text")
    assert len(text.splitlines()) == 1 + len(rows) and unsafe_chars(text) == []
    assert [line.split()[0] for line in text.splitlines()[1:]] == ["1", "2", "3", "4", "5"]

    md = render(rows, "md").splitlines()
    assert len(md) == 2 + len(rows) and unsafe_chars("\n".join(md)) == []
    assert all(bare_pipes(line) == 8 for line in md[2:]), md
    assert "<img" not in "\n".join(md) and "&lt;img" in md[4]

    cells = list(csv.reader(io.StringIO(render(rows, "csv"))))
    assert len(cells) == 1 + len(rows)
    for row in cells[1:]:
        for cell in row[1:4] + row[6:]:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), row
    assert cells[3][2] == "'=HYPERLINK(\"http://evil\",\"win\").py" and cells[4][6] == "'=1+2"
    assert unsafe_chars(render(rows, "csv")) == []

    page = render(rows, "html")
    assert "<img" not in page and "&lt;img" in page and unsafe_chars(page) == []
    assert [r["user"] for r in json.loads(render(rows, "json"))] == [r.user for r in rows]  # JSON keeps raw names


# -- batch: unsafe names refused, tie-break on the judge's own first-seen time -----------------


UNSAFE_NAMES = ["evil\n   1  mallory.py", "esc" + CLEAR + ".py", "bidi\u202egnp.py", "tab\tname.py"]


def make_unsafe_tree(root: Path) -> Path:
    root.mkdir()
    shutil.copy(ACCEPTED, root / "ok.py")
    for name in UNSAFE_NAMES:
        shutil.copy(ACCEPTED, root / name)
    (root / ("user" + TITLE)).mkdir()
    shutil.copy(ACCEPTED, root / ("user" + TITLE) / "a.py")
    fd = os.open(os.fsencode(root) + b"/latin1-\xe9t\xe9.py", os.O_WRONLY | os.O_CREAT, 0o644)  # not UTF-8
    os.close(fd)
    return root


def test_discover_refuses_names_that_cannot_be_shown(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    root = make_unsafe_tree(tmp_path / "subs")
    with caplog.at_level(logging.WARNING, logger="judge.batch.discover"):
        found = scan(root)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert [s.relpath for s in found.submissions] == ["ok.py"]
    assert len(found.refused) == len(UNSAFE_NAMES) + 2 and unsafe_chars("\n".join(found.refused)) == []
    assert len(warnings) == len(UNSAFE_NAMES) + 2
    assert unsafe_chars("\n".join(warnings)) == [] and any("esc\\x1b[2J\\x1b[H.py" in w for w in warnings)
    assert any("latin1-\\udce9t\\udce9.py" in w for w in warnings)
    assert [s.relpath for s in discover(root)] == ["ok.py"]


def test_batch_counts_refused_files_and_grades_none_of_them(tmp_path: Path, conv1d: Problem, fake_grading: Config) -> None:
    root = make_unsafe_tree(tmp_path / "subs")
    (root / "link.py").symlink_to(ACCEPTED)
    summary = run_batch(root, conv1d, fake_grading, tmp_path / "out", jobs=1)
    assert (summary.graded, summary.refused) == (1, len(UNSAFE_NAMES) + 3)
    assert [r.submission for r in read_results(tmp_path / "out")] == ["ok.py"]


def test_tie_break_uses_the_judges_first_seen_time_not_the_mtime(tmp_path: Path, conv1d: Problem, fake_grading: Config) -> None:
    subs, out = tmp_path / "subs", tmp_path / "out"
    subs.mkdir()
    shutil.copy(ACCEPTED, subs / "zed.py")
    run_batch(subs, conv1d, fake_grading, out, jobs=1)
    # Same content, same score, discovered later, but with an mtime in 2000 and a name that
    # sorts first: neither may buy the earlier place.
    shutil.copy(ACCEPTED, subs / "amy.py")
    os.utime(subs / "amy.py", (946684800, 946684800))
    run_batch(subs, conv1d, fake_grading, out, jobs=1)
    first = {r.submission: r.submitted_at for r in read_results(out)}
    assert first["zed.py"] < first["amy.py"] and not first["amy.py"].startswith("2000")
    rows = rank(read_results(out))
    assert [r.user for r in rows] == ["zed", "amy"] and "submitted earlier" in rows[0].tie_break

    # A rerun, a touched file, a rejudge and a lost results file all keep the recorded times.
    os.utime(subs / "zed.py")
    again = run_batch(subs, conv1d, fake_grading, out, jobs=1)
    assert (again.graded, again.skipped) == (0, 2)
    run_batch(subs, conv1d, fake_grading, out, jobs=1, rejudge=True)
    assert {r.submission: r.submitted_at for r in read_results(out)} == first
    (out / "results.jsonl").unlink()
    run_batch(subs, conv1d, fake_grading, out, jobs=1)
    assert {r.submission: r.submitted_at for r in read_results(out)} == first

    # New content is a new submission, seen now; going back to the old content finds its old time.
    (subs / "zed.py").write_text(ACCEPTED.read_text() + "\n# v2\n")
    run_batch(subs, conv1d, fake_grading, out, jobs=1)
    times = [r.submitted_at for r in read_results(out) if r.submission == "zed.py"]
    assert times[-1] > first["amy.py"]
    shutil.copy(ACCEPTED, subs / "zed.py")
    assert {s.relpath: s.submitted_at for s in batch_mod.first_seen(discover(subs), batch_mod.seen_log(out))} == first


def test_csv_leaderboard_is_safe_for_a_reader_that_splits_on_semicolons() -> None:
    record = graded_record("pwn;=2+5;@SUM(1+9)", "a.py", 1.0, 0.01, "2026-11-25T00:00:00+00:00")
    out = render(rank([record]), "csv")
    for line in out.splitlines():
        for piece in line.replace(",", ";").split(";"):
            assert not piece.strip().strip('"').startswith(("=", "+", "@")), (piece, out)

"""No rank inside the measurement noise, and close contenders re-timed together (issue #15, item 2).

Most tests use fake records and a fake timer (no JAX); the last one re-times two real accepted
solutions once each (slow: it uses the session cache fixture).
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import itertools
import json
import shutil
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO, graded_record

import judge.batch.retime as retime_mod
import judge.job
from judge.batch import run_batch
from judge.batch.discover import Submission
from judge.batch.leaderboard import close_contenders, rank, render, within_noise
from judge.batch.retime import RetimeNote, notes_of, retime_close_contenders, retimed, to_retime
from judge.cli import main
from judge.config import Config, load_config
from judge.errors import JudgeError
from judge.problem import Problem, load_problem
from judge.ranking import Ranking
from judge.record import ResultRecord
from judge.store.jsonl import JsonLines, ResultsLog, read_results
from judge.verdict import CaseResult, SubmissionResult, Verdict

ACCEPTED = REPO / "problems" / "conv1d" / "solutions" / "accepted"


def rec(user: str, ms: float | None, at: str, score: float = 1.0, verdict: str = "accepted", sub: str = "") -> ResultRecord:
    return graded_record(user, sub or f"{user}.py", score, None if ms is None else ms / 1e3, at, verdict)


# -- shared ranks -------------------------------------------------------------------------------

BOARD = [
    rec("ann", 10.0, "t2"),
    rec("ben", 10.3, "t1"),  # 2.9% slower than ann: tied with her, listed first (seen earlier)
    rec("cy", 12.0, "t0"),
    rec("dee", None, "t0", 0.5, "wrong_answer"),
]


def ranks_in_every_format(records: list[ResultRecord]) -> dict[str, list[tuple[int, str]]]:
    rows = rank(records)
    text = render(rows, "text").splitlines()[1:]
    md = render(rows, "md").splitlines()[2:]
    cells = list(csv.reader(io.StringIO(render(rows, "csv"))))[1:]
    data = json.loads(render(rows, "json"))
    page = render(rows, "html")
    html = [(int(r), u) for r, u in
            zip(_between(page, '<td class="rank">', "</td>"), _between(page, '<td class="user">', "</td>"), strict=True)]
    return {
        "rows": [(r.rank, r.user) for r in rows],
        "text": [(int(line.split()[0]), line.split()[1]) for line in text],
        "md": [(int(line.split("|")[1]), line.split("|")[2].strip()) for line in md],
        "csv": [(int(row[0]), row[1]) for row in cells],
        "json": [(r["rank"], r["user"]) for r in data],
        "html": html,
    }


def _between(text: str, start: str, end: str) -> list[str]:
    return [part.split(end, 1)[0] for part in text.split(start)[1:]]


def test_times_within_noise_share_a_rank_in_every_format() -> None:
    expected = [(1, "ben"), (1, "ann"), (3, "cy"), (4, "dee")]
    for fmt, got in ranks_in_every_format(BOARD).items():
        assert got == expected, fmt
    rows = rank(BOARD)
    assert rows[0].tie_break == ("tied at #1 with the next row: same score, times within measurement noise "
                                 "(10.300 ms vs 10.000 ms); listed first as submitted earlier (t1 vs t2)")
    assert rows[1].tie_break == "same score as #3; the tie at #1 is faster (its fastest 10.000 ms vs 12.000 ms)"
    assert rows[2].tie_break == ""  # a lower score needs no tie-break
    for fmt in ("md", "csv", "json", "html", "text"):
        assert "times within measurement noise (10.300 ms vs 10.000 ms)" in render(rows, fmt), fmt


def test_times_outside_noise_get_distinct_ranks() -> None:
    records = [rec("ann", 10.0, "t2"), rec("ben", 10.6, "t1")]  # 5.7% apart
    for fmt, got in ranks_in_every_format(records).items():
        assert got == [(1, "ann"), (2, "ben")], fmt
    assert rank(records)[0].tie_break == "same score as #2; faster (10.000 ms vs 10.600 ms)"
    assert not within_noise(0.0100, 0.0106) and within_noise(0.0100, 0.01049) and within_noise(0.01, 0.01)


def test_chained_closeness_is_counted_from_the_fastest_time() -> None:
    # a ~ b (3.8%) and b ~ c (3.7%), but a is 7.4% faster than c: a and b tie, c ranks next.
    records = [rec("c", 10.8, "t0"), rec("b", 10.4, "t1"), rec("a", 10.0, "t2"), rec("d", 11.0, "t3")]
    rows = rank(records)
    assert [(r.rank, r.user) for r in rows] == [(1, "b"), (1, "a"), (3, "c"), (3, "d")]
    assert rows[1].tie_break == ("same score as #3; the tie at #1 is faster (its fastest 10.000 ms vs 10.800 ms); "
                                 "10.400 ms vs 10.800 ms alone is within measurement noise, but a tie is counted from its fastest time")
    assert "tied at #3" in rows[2].tie_break


def test_ranks_do_not_depend_on_the_order_of_the_records() -> None:
    records = [*BOARD, rec("eve", 10.2, "t1", sub="eve/x.py"), rec("fay", 10.2, "t1", sub="fay/a.py")]
    first = rank(records)
    for perm in itertools.islice(itertools.permutations(records), 0, 720, 37):
        assert rank(list(perm)) == first
    # Equal first-seen times: the submission path decides, never the input order.
    assert [(r.rank, r.user) for r in first][:4] == [(1, "ben"), (1, "eve"), (1, "fay"), (1, "ann")]


def test_no_time_or_another_score_never_ties() -> None:
    rows = rank([rec("ann", None, "t2"), rec("ben", None, "t1"), rec("cy", 10.0, "t3", score=0.95, verdict="wrong_answer")])
    assert [(r.rank, r.user) for r in rows] == [(1, "ben"), (2, "ann"), (3, "cy")]
    assert "submitted earlier" in rows[0].tie_break


def test_the_latest_line_of_a_submission_counts() -> None:
    old = rec("ann", 10.0, "t2")
    again = dataclasses.replace(old, result=dataclasses.replace(old.result, ranking_time_s=0.0110))
    rows = rank([old, rec("ben", 10.6, "t1"), again])
    assert [(r.rank, r.user, r.time_s) for r in rows] == [(1, "ben", 0.0106), (1, "ann", 0.011)]


# -- which ties are re-timed, and how a re-time is stored ---------------------------------------


def test_to_retime_picks_exactly_the_close_contenders() -> None:
    other = rec("zed", 10.1, "t0")
    other = dataclasses.replace(other, result=dataclasses.replace(other.result, problem="other"))
    records = [
        rec("ann", 10.0, "t2"), rec("ben", 10.3, "t1"),  # a tie
        rec("cy", 15.0, "t1"), rec("dee", 15.5, "t2"), rec("dee", 14.5, "t3", sub="dee/2.py"),  # dee's best, 14.5: ties cy
        rec("eve", 30.0, "t1"),  # alone
        rec("fay", 10.1, "t1", score=0.95, verdict="wrong_answer"), rec("gus", 10.1, "t1", score=0.95, verdict="wrong_answer"),
        rec("hal", None, "t1"), rec("ida", None, "t2"),  # no times: no time tie
        other,
    ]
    ties = to_retime(records, {}, "conv1d")
    assert [[r.submission for r in tie] for tie in ties] == [["ben.py", "ann.py"], ["cy.py", "dee/2.py"], ["fay.py", "gus.py"]]
    assert [len(g) for g in close_contenders(records)] == [3, 2, 2]  # zed (another problem) ties ann and ben


def test_a_tie_re_timed_together_is_not_re_timed_again() -> None:
    ann, ben, cy = rec("ann", 10.0, "t2"), rec("ben", 10.3, "t1"), rec("cy", 10.2, "t3")
    both = frozenset({ann.key, ben.key})
    note = RetimeNote(0.0101, (0.01,), both)
    assert to_retime([ann, ben], {ann.key: note, ben.key: note}, "conv1d") == []
    assert len(to_retime([ann, ben], {ann.key: note}, "conv1d")) == 1  # ben's re-timed line is missing
    assert len(to_retime([ann, ben, cy], {ann.key: note, ben.key: note}, "conv1d")) == 1  # cy joined the tie


def test_retimed_takes_the_median_and_keeps_the_graded_time() -> None:
    ann = rec("ann", 10.0, "t2")
    first = retimed(ann, [0.0112, 0.0108, 0.0131], [ann.key], None, at="a")
    assert first.record.ranking_time_s == 0.0112 and first.note.graded_s == 0.0100
    assert first.record.result.cases == ann.result.cases and first.record.verdict is Verdict.ACCEPTED
    second = retimed(first.record, [0.0105], [ann.key], first.note, at="b")
    assert second.note.graded_s == 0.0100 and second.record.ranking_time_s == 0.0105  # the graded time is never lost
    line = json.loads(json.dumps(first.to_json()))
    assert line["retimed"] == {"graded_s": 0.01, "runs_s": [0.0112, 0.0108, 0.0131],
                               "with": [{"submission": "ann.py", "sha256": "0"}], "at": "a"}
    assert ResultRecord.from_json(line) == first.record
    assert notes_of([line]) == {ann.key: first.note}


# -- re-timing in a batch's results (fake timer) ------------------------------------------------


@pytest.fixture
def plain() -> tuple[Problem, Config]:
    config = load_config(REPO / "config.yaml")
    return load_problem("conv1d", config.problems_dir), dataclasses.replace(config, sandbox="none")


def stored(tmp_path: Path, times_ms: dict[str, float]) -> tuple[Path, list[Submission]]:
    """results.jsonl with one accepted record per user, and the files this batch 'found'."""
    subs = tmp_path / "subs"
    subs.mkdir()
    out = tmp_path / "out" / "results.jsonl"
    out.parent.mkdir()
    log = ResultsLog(out)
    found = []
    for n, (user, ms) in enumerate(times_ms.items()):
        path = subs / f"{user}.py"
        path.write_text(f"# {user}\n")
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        log.append(graded_record(user, path.name, 1.0, ms / 1e3, f"t{n}", sha256=sha))
        found.append(Submission(user, path.name, path, sha, f"t{n}"))
    return out, found


class FakeTimer:
    """Times by file content; records the order of the runs; may stop the batch or fail a run."""

    def __init__(self, ms: dict[str, list[float | None]], stop_at: int = 0, stop: threading.Event | None = None) -> None:
        self.ms, self.stop_at, self.stop = ms, stop_at, stop
        self.calls: list[str] = []

    def __call__(self, path: Path) -> float | None:
        user = path.read_text().split()[-1]
        self.calls.append(user)
        if self.stop is not None and len(self.calls) == self.stop_at:
            self.stop.set()
        value = self.ms[user].pop(0)
        return None if value is None else value / 1e3


def test_close_contenders_are_re_timed_alternately_and_their_times_replaced(tmp_path: Path, plain: tuple[Problem, Config]) -> None:
    out, found = stored(tmp_path, {"ann": 10.0, "ben": 10.3, "cy": 20.0})
    before = out.read_bytes()
    timer = FakeTimer({"ann": [11.0, 10.9, 12.5], "ben": [10.2, 10.1, 10.4]})
    seen: list[list[str]] = []
    report = retime_close_contenders(out, found, *plain, rounds=3, timer=timer, on_tie=lambda t: seen.append([r.user for r in t]))
    assert (report.ties, report.retimed, report.failed, report.interrupted) == (1, 2, 0, False)
    assert timer.calls == ["ann", "ben"] * 3 and seen == [["ann", "ben"]]
    assert out.read_bytes().startswith(before)  # the graded lines are untouched; two lines appended
    lines = JsonLines(out).rows
    assert len(lines) == 5 and [r["user"] for r in lines[3:]] == ["ann", "ben"]
    assert lines[3]["retimed"]["graded_s"] == 0.01 and lines[3]["retimed"]["runs_s"] == [0.011, 0.0109, 0.0125]
    assert lines[3]["ranking_time_s"] == 0.011 and lines[4]["ranking_time_s"] == 0.0102
    assert {(k["submission"], k["sha256"]) for k in lines[4]["retimed"]["with"]} == {(r.submission, r.sha256) for r in read_results(out)[:2]}
    rows = rank(read_results(out))
    assert [(r.rank, r.user, r.time_s) for r in rows] == [(1, "ben", 0.0102), (2, "ann", 0.011), (3, "cy", 0.02)]
    # Nothing new: a rerun re-times nothing.
    again = FakeTimer({})
    assert retime_close_contenders(out, found, *plain, timer=again) == retime_mod.RetimeReport() and again.calls == []


def test_a_stop_during_re_timing_leaves_the_tie_as_it_was(tmp_path: Path, plain: tuple[Problem, Config]) -> None:
    out, found = stored(tmp_path, {"ann": 10.0, "ben": 10.3, "cy": 30.0, "dee": 30.9})
    before = out.read_bytes()
    stop = threading.Event()
    timer = FakeTimer({"ann": [11.0] * 3, "ben": [10.0] * 3, "cy": [30.0] * 3, "dee": [31.0] * 3}, stop_at=9, stop=stop)
    report = retime_close_contenders(out, found, *plain, timer=timer, stop=stop)
    # The first tie (6 runs) was stored whole; the stop came during the second's, which kept its times.
    assert report.interrupted and (report.ties, report.retimed) == (1, 2) and len(timer.calls) == 9
    assert out.read_bytes().startswith(before) and [r["user"] for r in JsonLines(out).rows[4:]] == ["ann", "ben"]
    # A rerun finishes the job: only the tie left.
    rest = FakeTimer({"cy": [30.0] * 3, "dee": [31.0] * 3})
    assert retime_close_contenders(out, found, *plain, timer=rest).retimed == 2 and rest.calls == ["cy", "dee"] * 3


def test_a_failed_or_missing_contender_keeps_its_time(tmp_path: Path, plain: tuple[Problem, Config]) -> None:
    out, found = stored(tmp_path, {"ann": 10.0, "ben": 10.3, "cy": 10.2, "dee": 10.1})
    (found[3].path).write_text("# changed\n")  # dee's file is no longer what was graded
    timer = FakeTimer({"ann": [11.0, 11.0, 11.0], "ben": [10.0, None], "cy": [10.5, 10.6, 10.7]})
    report = retime_close_contenders(out, found, *plain, timer=timer)
    assert (report.retimed, report.failed) == (2, 1)
    assert timer.calls == ["ann", "ben", "cy", "ann", "ben", "cy", "ann", "cy"]  # ben's later runs skipped
    assert {r.user: r.ranking_time_s for r in read_results(out)[4:]} == {"ann": 0.011, "cy": 0.0106}
    assert {r.user: r.time_s for r in rank(read_results(out))}["ben"] == 0.0103


def test_rounds_are_bounded(tmp_path: Path, plain: tuple[Problem, Config]) -> None:
    out, found = stored(tmp_path, {"ann": 10.0, "ben": 10.3})
    with pytest.raises(JudgeError, match="1 to 9"):
        retime_close_contenders(out, found, *plain, rounds=50, timer=FakeTimer({}))


# -- judge batch: --retime (default) and --no-retime --------------------------------------------


class FakeBench:
    """Stands for judge.ranking.Bench: times by file content, counts its runs."""

    runs: list[str] = []
    ms = {"ann": 10.8, "ben": 10.2, "cy": 40.0}
    stop: threading.Event | None = None

    @classmethod
    def load(cls, problem: Problem, config: Config) -> FakeBench:
        return cls()

    def measure(self, submission: Path, group: object = None) -> Ranking:
        user = submission.read_text().split()[-1]
        FakeBench.runs.append(user)
        if FakeBench.stop is not None and len(FakeBench.runs) == 3:
            FakeBench.stop.set()
        return Ranking(self.ms[user] / 1e3, {})


@pytest.fixture
def timed_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, plain: tuple[Problem, Config]) -> tuple[Path, Path, Problem, Config]:
    """Three users; grading (faked) gives ann 10.0 ms and ben 10.3 ms (a tie), cy 40 ms."""
    graded = {"ann": 0.0100, "ben": 0.0103, "cy": 0.0400}

    def fake_grade(path: Path, problem: Problem, config: Config, **options: object) -> SubmissionResult:
        return SubmissionResult(problem.id, str(path), Verdict.ACCEPTED, (CaseResult("c", False, Verdict.ACCEPTED),),
                                ranking_time_s=graded[path.read_text().split()[-1]])

    monkeypatch.setattr(judge.job, "grade", fake_grade)
    monkeypatch.setattr(retime_mod, "Bench", FakeBench)
    FakeBench.runs, FakeBench.stop = [], None
    subs = tmp_path / "subs"
    subs.mkdir()
    for user in graded:
        (subs / f"{user}.py").write_text(f"# {user}\n")
    problem, config = plain
    return subs, tmp_path / "out", problem, dataclasses.replace(config, cache_dir=tmp_path / "cache")


def test_batch_re_times_close_contenders_at_the_end(timed_batch: tuple[Path, Path, Problem, Config]) -> None:
    subs, out, problem, config = timed_batch
    summary = run_batch(subs, problem, config, out, jobs=2)
    assert (summary.graded, summary.retimed, summary.interrupted) == (3, 2, False)
    assert sorted(FakeBench.runs) == ["ann"] * 3 + ["ben"] * 3
    assert [(r.rank, r.user, r.time_s) for r in rank(read_results(out))] == [(1, "ben", 0.0102), (2, "ann", 0.0108), (3, "cy", 0.04)]
    assert run_batch(subs, problem, config, out).retimed == 0 and len(FakeBench.runs) == 6  # nothing new, nothing re-timed
    assert run_batch(subs, problem, config, out, rejudge=True, retime=False).retimed == 0 and len(FakeBench.runs) == 6


def test_ctrl_c_during_re_timing_keeps_the_results_consistent(timed_batch: tuple[Path, Path, Problem, Config]) -> None:
    subs, out, problem, config = timed_batch
    FakeBench.stop = stop = threading.Event()
    summary = run_batch(subs, problem, config, out, jobs=1, stop=stop)
    assert summary.interrupted and (summary.graded, summary.retimed) == (3, 0)
    assert len(JsonLines(out / "results.jsonl").rows) == 3  # the graded lines only; no half-re-timed tie
    FakeBench.stop = None
    assert run_batch(subs, problem, config, out).retimed == 2  # the rerun re-times them


def test_cli_batch_retime_options(timed_batch: tuple[Path, Path, Problem, Config], monkeypatch: pytest.MonkeyPatch) -> None:
    subs, out, problem, config = timed_batch
    monkeypatch.setenv("JUDGE_CACHE_DIR", str(config.cache_dir))
    off = CliRunner().invoke(main, ["batch", str(subs), "-p", "conv1d", "--out", str(out), "--no-sandbox", "--no-retime", "-j", "1"])
    assert off.exit_code == 0, off.output
    assert FakeBench.runs == [] and "re-timed" not in off.output
    shutil.rmtree(out)
    on = CliRunner().invoke(main, ["batch", str(subs), "-p", "conv1d", "--out", str(out), "--no-sandbox", "--retime-rounds", "1"])
    assert on.exit_code == 0, on.output
    assert "re-timing 2 close contenders together (1 runs each): ann.py, ben.py" in on.stderr
    assert "3 graded (accepted 3), 2 re-timed with close contenders" in on.stdout and sorted(FakeBench.runs) == ["ann", "ben"]
    bad = CliRunner().invoke(main, ["batch", str(subs), "-p", "conv1d", "--out", str(out), "--retime-rounds", "0"])
    assert bad.exit_code == 2 and "Traceback" not in bad.output and "--retime-rounds" in bad.output


# -- one real re-time (slow: JAX workers) -------------------------------------------------------


def test_real_re_time_of_two_accepted_solutions(tmp_path: Path, conv1d: Problem, config: Config) -> None:
    subs = tmp_path / "subs"
    subs.mkdir()
    found = []
    out = tmp_path / "results.jsonl"
    log = ResultsLog(out)
    for n, name in enumerate(("compact_lax.py", "manual_window_numpy.py")):
        shutil.copy(ACCEPTED / name, subs / name)
        sha = hashlib.sha256((subs / name).read_bytes()).hexdigest()
        found.append(Submission(name, name, subs / name, sha, f"t{n}"))
        log.append(graded_record(name, name, 1.0, (50.0 + n) / 1e3, f"t{n}", sha256=sha))  # made-up close times
    report = retime_close_contenders(out, found, conv1d, config, rounds=1)
    assert (report.retimed, report.failed) == (2, 0)
    for line in JsonLines(out).rows[2:]:
        assert line["retimed"]["graded_s"] in (0.05, 0.051) and len(line["retimed"]["runs_s"]) == 1
        assert 0 < line["ranking_time_s"] == line["retimed"]["runs_s"][0] != line["retimed"]["graded_s"]

"""Re-time close contenders together at the end of a batch, so that no rank rests on noise.

Submissions whose best records would tie within measurement noise
(:func:`judge.batch.ties.close_contenders`) were timed at different moments, under different
load. ``judge batch`` (unless ``--no-retime``) times them again **together**: ``rounds`` rounds of
alternating runs (A, B, A, B, ...), one at a time, on the machine running the batch, each the full
ranking-time measurement (:meth:`judge.ranking.Bench.measure`: a fresh sandboxed worker, fresh
inputs, every answer checked). The median of each contender's runs replaces its ranking time.
At most ``rounds`` runs per contender per batch: a batch cannot grow without limit.

Stored append-only, like every result: one new line per re-timed submission, its graded result
unchanged but for ``ranking_time_s``, with a ``retimed`` object beside it: ``graded_s`` (the time
its grading measured, kept through later re-times), ``runs_s`` (this re-time's runs), ``with``
(the submissions re-timed in the same window) and ``at``. The leaderboard takes the latest line
per submission (:func:`judge.batch.ties.latest`). A tie's lines are written together, in one
write, after all its runs: a Ctrl-C leaves each tie either re-timed or not at all (a kill
mid-write tears only the last line, which the next run cuts off, and that tie is re-timed
again). A tie whose members' latest lines all say they were re-timed together, with the same
members, is not re-timed again, so a rerun with nothing new does nothing. A contender whose
re-timed run fails (an error, a wrong answer on fresh inputs) keeps the time it had, and its
later runs are skipped; so does one whose file is gone or changed.

Example:
    >>> from judge.verdict import CaseResult, SubmissionResult, Verdict
    >>> def rec(user: str, time_s: float) -> ResultRecord:
    ...     result = SubmissionResult("p", f"{user}.py", Verdict.ACCEPTED, (CaseResult("c", False, Verdict.ACCEPTED),),
    ...                               ranking_time_s=time_s)
    ...     return ResultRecord(user, f"{user}.py", "0", result, submitted_at=user)
    >>> ties = to_retime([rec("a", 0.0100), rec("b", 0.0104), rec("c", 0.0200)], {}, "p")
    >>> [[r.user for r in tie] for tie in ties]
    [['a', 'b']]
    >>> done = retimed(ties[0][0], [0.0107, 0.0105, 0.0109], [r.key for r in ties[0]], None, at="now")
    >>> done.record.ranking_time_s, done.note.graded_s
    (0.0107, 0.01)
"""

from __future__ import annotations

import logging
import statistics
import tempfile
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..config import Config
from ..errors import JudgeError
from ..problem import Problem
from ..ranking import Bench
from ..record import ResultRecord, iso_now
from ..runner import RunGroup
from ..safe_text import is_safe_name, visible
from ..store.jsonl import JsonLines, ResultsLog
from .discover import Submission
from .ties import close_contenders

log = logging.getLogger(__name__)

DEFAULT_ROUNDS = 3  # runs per contender: the median of 3 drops one outlier
MAX_ROUNDS = 9
FIELD = "retimed"  # the key of the re-time note on a results line

Key = tuple[str, str]  # (submission path, sha256): a record's identity
Timer = Callable[[Path], float | None]  # one ranking-time measurement of a file; None: it failed


@dataclass(frozen=True)
class RetimeNote:
    """How a stored ranking time was re-timed (the ``retimed`` object of a results line)."""

    graded_s: float | None  # what the grading measured: never lost
    runs_s: tuple[float, ...]
    together: frozenset[Key]  # every submission re-timed in the same window, this one included
    at: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "graded_s": self.graded_s,
            "runs_s": list(self.runs_s),
            "with": [{"submission": s, "sha256": h} for s, h in sorted(self.together)],
            "at": self.at,
        }

    @classmethod
    def from_json(cls, data: Any) -> RetimeNote:
        """Read a note; ValueError when it is not one this judge wrote."""
        if not isinstance(data, Mapping):
            raise ValueError("expected an object")
        graded, runs, together = data.get("graded_s"), data.get("runs_s"), data.get("with")
        number = (int, float)
        if not (graded is None or isinstance(graded, number)) or not isinstance(runs, list) or not isinstance(together, list):
            raise ValueError("expected graded_s, runs_s and with")
        if not all(isinstance(t, number) for t in runs):
            raise ValueError("runs_s: expected numbers")
        keys = frozenset((str(k["submission"]), str(k["sha256"])) for k in together if isinstance(k, Mapping) and {"submission", "sha256"} <= set(k))
        if len(keys) != len(together):
            raise ValueError("with: expected objects with submission and sha256")
        return cls(None if graded is None else float(graded), tuple(float(t) for t in runs), keys, str(data.get("at", "")))


@dataclass(frozen=True)
class Retimed:
    """A contender re-timed: its record with the new ranking time, and the note to store beside it."""

    record: ResultRecord
    note: RetimeNote

    def to_json(self) -> dict[str, Any]:
        return {**self.record.to_json(), FIELD: self.note.to_json()}


@dataclass(frozen=True)
class RetimeReport:
    """What re-timing did: ties re-timed, submissions whose time was replaced, contenders that failed."""

    ties: int = 0
    retimed: int = 0
    failed: int = 0
    interrupted: bool = False


def notes_of(rows: Iterable[Mapping[str, Any]], path: Path | None = None) -> dict[Key, RetimeNote]:
    """The re-time note of each submission whose latest line has one (raw results lines, in file order).

    Example:
        >>> note = {"graded_s": 0.01, "runs_s": [0.011], "with": [{"submission": "a.py", "sha256": "0"}]}
        >>> notes_of([{"submission": "a.py", "sha256": "0"}, {"submission": "a.py", "sha256": "0", "retimed": note}])
        {('a.py', '0'): RetimeNote(graded_s=0.01, runs_s=(0.011,), together=frozenset({('a.py', '0')}), at='')}
    """
    notes: dict[Key, RetimeNote] = {}
    for row in rows:
        key = (str(row.get("submission")), str(row.get("sha256")))
        if FIELD not in row:
            notes.pop(key, None)
            continue
        try:
            notes[key] = RetimeNote.from_json(row[FIELD])
        except ValueError as exc:
            raise JudgeError(f"not a re-time note written by judge batch ({exc})", file=path, field=FIELD) from None
    return notes


def to_retime(records: Iterable[ResultRecord], notes: Mapping[Key, RetimeNote], problem: str) -> list[tuple[ResultRecord, ...]]:
    """The ties within measurement noise among ``problem``'s best records not yet re-timed together.

    A tie counts as re-timed when every member's latest line was re-timed with exactly its members.
    """
    ties = []
    for tie in close_contenders(records):
        mine = tuple(r for r in tie if r.problem == problem)
        keys = frozenset(r.key for r in mine)
        if len(mine) < 2 or all(r.key in notes and notes[r.key].together == keys for r in mine):
            continue
        ties.append(mine)
    return ties


def retimed(record: ResultRecord, runs_s: Sequence[float], together: Iterable[Key], previous: RetimeNote | None, *,
            at: str = "") -> Retimed:
    """``record`` with the median of ``runs_s`` as its ranking time, keeping the graded time in the note."""
    graded = previous.graded_s if previous is not None else record.ranking_time_s
    median = round(statistics.median(runs_s), 6)
    new = replace(record, result=replace(record.result, ranking_time_s=median))
    return Retimed(new, RetimeNote(graded, tuple(runs_s), frozenset(together), at or iso_now()))


class _Stopped(Exception):
    """The batch's stop flag was set during re-timing."""


def retime_close_contenders(
    results_path: Path,
    submissions: Sequence[Submission],
    problem: Problem,
    config: Config,
    *,
    rounds: int = DEFAULT_ROUNDS,
    group: RunGroup | None = None,
    stop: threading.Event | None = None,
    on_tie: Callable[[Sequence[ResultRecord]], None] | None = None,
    timer: Timer | None = None,
    poll_s: float = 0.2,
    grace_s: float = 5.0,
) -> RetimeReport:
    """Re-time the close contenders in ``results_path`` together and append their new lines (see the module doc).

    ``submissions`` are the files this batch found (a contender not among them is not re-timed);
    ``group`` lets a stop kill the running worker (default: a group of its own); ``on_tie`` is told
    of each tie before its runs; ``timer`` replaces the measurement (tests). Setting ``stop`` ends
    re-timing at once: the tie in progress keeps its times, and the report says ``interrupted``.
    """
    if not 1 <= rounds <= MAX_ROUNDS:
        raise JudgeError(f"re-time rounds must be 1 to {MAX_ROUNDS}, not {rounds}")
    stop = stop or threading.Event()
    group = group or RunGroup()  # runs here are local: always ours to stop
    lines = JsonLines(results_path, required=("submission", "sha256"))
    notes = notes_of(lines.rows, results_path)
    ties = to_retime(ResultsLog(results_path).records, notes, problem.id)
    if not ties:
        return RetimeReport()
    if timer is None:
        bench = Bench.load(problem, config)

        def measure(path: Path) -> float | None:
            return bench.measure(path, group).time_s

        timer = measure
    found = {s.key: s for s in submissions}
    done = failed = count = 0
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="judge-retime")
    try:
        for tie in ties:
            if on_tie is not None:
                on_tie(tie)
            with tempfile.TemporaryDirectory(prefix="judge-retime-") as tmp:
                files = _copies(tie, found, problem.id, Path(tmp))
                if len(files) < 2:
                    log.info("not re-timing a tie: fewer than two of its files are here as graded")
                    continue
                runs = _alternate(tie, files, timer, rounds, pool, stop, group, poll_s, grace_s)
            updated = [retimed(r, runs[r.key], runs, notes.get(r.key)) for r in tie if r.key in runs]
            failed += len(files) - len(runs)
            if len(updated) < 2:
                log.warning("re-timing a tie left fewer than two contenders; their graded times stand")
                continue
            lines.extend([u.to_json() for u in updated])  # one write: the tie is re-timed whole or not at all
            done, count = done + 1, count + len(updated)
            for u in updated:
                log.info("re-timed %s: %.3f ms (runs %s)", visible(u.record.submission), (u.record.ranking_time_s or 0) * 1e3,
                         ", ".join(f"{t * 1e3:.3f}" for t in u.note.runs_s))
    except _Stopped:
        return RetimeReport(done, count, failed, interrupted=True)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return RetimeReport(done, count, failed)


def _copies(tie: Sequence[ResultRecord], found: Mapping[Key, Submission], problem: str, folder: Path) -> dict[Key, Path]:
    """Each contender's graded bytes in a folder of its own (file names may repeat across users)."""
    files: dict[Key, Path] = {}
    for number, record in enumerate(tie):
        sub = found.get(record.key)
        if sub is None:
            log.info("not re-timing %s: not among the files this batch found", visible(record.submission))
            continue
        try:
            job = sub.job(problem)  # the exact bytes that were graded, or JudgeError
        except (JudgeError, OSError) as exc:
            log.warning("not re-timing %s: %s", visible(record.submission), visible(str(exc)))
            continue
        base = Path(job.name).name
        # The file keeps the name it was graded under, as judge.job does.
        path = folder / str(number) / (base if base.endswith(".py") and is_safe_name(base) else "submission.py")
        path.parent.mkdir()
        path.write_bytes(job.source)
        files[record.key] = path
    return files


def _alternate(
    tie: Sequence[ResultRecord], files: Mapping[Key, Path], timer: Timer, rounds: int, pool: ThreadPoolExecutor,
    stop: threading.Event, group: RunGroup, poll_s: float, grace_s: float,
) -> dict[Key, list[float]]:
    """``rounds`` rounds of one run per contender, in turn; the runs of those that never failed."""
    runs: dict[Key, list[float]] = {r.key: [] for r in tie if r.key in files}
    for _ in range(rounds):
        for record in tie:
            if record.key not in runs:
                continue
            time_s = _run(timer, files[record.key], pool, stop, group, poll_s, grace_s)
            if time_s is None:
                log.warning("a re-timed run of %s failed; it keeps its time", visible(record.submission))
                del runs[record.key]
            else:
                runs[record.key].append(time_s)
    return runs


def _run(timer: Timer, path: Path, pool: ThreadPoolExecutor, stop: threading.Event, group: RunGroup, poll_s: float,
         grace_s: float) -> float | None:
    """One measurement in the pool's thread, while this thread watches the stop flag."""
    if stop.is_set():
        raise _Stopped
    future: Future[float | None] = pool.submit(timer, path)
    while not wait([future], timeout=poll_s).done:
        if stop.is_set():
            group.abort()
            wait([future], timeout=grace_s)  # the killed worker's sandbox cleans up meanwhile
            raise _Stopped
    try:
        return future.result()
    except Exception:  # noqa: BLE001 - one bad run never stops the batch; that contender keeps its time
        log.exception("re-timing %s failed", visible(path.name))
        return None

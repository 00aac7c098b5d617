"""Grade a folder of users' submissions, resumably, into ``RESULTS_DIR/results.jsonl``.

Each graded submission is one :class:`~judge.record.ResultRecord`, stored as one JSON line with
a single ``write`` and ``fsync`` before it counts as done (:mod:`judge.store.jsonl`). A rerun skips
every (path, content hash) already stored, so a batch killed at any moment (even SIGKILL)
completes on rerun with nothing lost and nothing graded twice.

Ranking ties are broken by ``submitted_at``: the time the judge first saw that exact submission
(path and content hash), recorded in ``RESULTS_DIR/seen.jsonl`` when a batch first discovers it and
kept across reruns and ``--rejudge``. It is never the file's mtime, which the submitter controls.

Each run also writes ``RESULTS_DIR/scan.json``: every (path, content hash) that run discovered.
:func:`completion` compares it with ``results.jsonl``, so ``judge leaderboard`` can say that a
batch is unfinished (a user's best may be missing because it is not graded yet).

When ranking is on, a batch ends by re-timing close contenders together (:mod:`judge.batch.retime`):
submissions whose best records would tie within measurement noise are timed again, alternately,
in one time window, and the median replaces their ranking time (a new line each; the old stays).

Local and distributed runs are one code path: anything with the ``concurrent.futures.Executor``
interface (a thread pool here, a Dask client's executor across machines) runs
:func:`judge.job.run_job` on a :class:`~judge.record.Job` that carries the submission's bytes, so
remote workers need the problem folder but not the submissions.

Example:
    >>> summary = run_batch(Path("subs"), problem, config, Path("results"), jobs=2)   # doctest: +SKIP
    >>> summary.graded, summary.skipped                                               # doctest: +SKIP
    (12, 0)
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..config import Config
from ..errors import JudgeError
from ..expected import package_versions
from ..job import run_job
from ..plan import RunPlan
from ..problem import Problem
from ..record import Job, ResultRecord
from ..runner import RunGroup, WorkerPool
from ..safe_text import strict_json
from ..sandbox import SandboxPolicy
from ..store.jsonl import RESULTS_FILE, JsonLines, ResultsLog
from ..verdict import Verdict
from .discover import Submission, scan
from .retime import DEFAULT_ROUNDS, retime_close_contenders

log = logging.getLogger(__name__)

STOP_POLL_S = 0.2  # how often a running batch looks at its stop flag
STOP_GRACE_S = 5.0  # how long an interrupted batch waits for its killed gradings to clean up
SEEN_FILE = "seen.jsonl"  # (path, sha256) -> when the judge first saw it; survives --rejudge
SCAN_FILE = "scan.json"  # what the latest run discovered: the results a finished batch has


def first_seen(submissions: list[Submission], seen: JsonLines) -> list[Submission]:
    """``submissions`` with ``submitted_at`` set to when the judge first saw each (path, hash).

    Submissions not in ``seen`` yet are recorded there now, with their scan time, before any is
    graded, so a batch interrupted before grading them still keeps that time.
    """
    recorded: dict[tuple[str, str], str] = {}
    for row in seen.rows:
        key, at = (row["submission"], row["sha256"]), row.get("first_seen")
        if isinstance(at, str) and (key not in recorded or at < recorded[key]):
            recorded[key] = at
    new = {s.key: s for s in submissions if s.key not in recorded}
    seen.extend([{"submission": s.relpath, "sha256": s.sha256, "first_seen": s.submitted_at} for s in new.values()])
    recorded.update({key: s.submitted_at for key, s in new.items()})
    return [replace(s, submitted_at=recorded[s.key]) for s in submissions]


def seen_log(out_dir: Path) -> JsonLines:
    """``out_dir/seen.jsonl``: when the judge first saw each (path, content hash)."""
    return JsonLines(out_dir / SEEN_FILE, required=("submission", "sha256"))


def write_scan(out_dir: Path, submissions: list[Submission], root: Path | None = None) -> None:
    """Record what this run discovered in ``out_dir/scan.json`` (replaced whole, atomically).

    ``root`` is the submissions folder, so a report can name each file as ``judge grade`` takes it.
    """
    data = {
        "scanned_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "root": None if root is None else str(root),
        "submissions": [{"submission": s.relpath, "sha256": s.sha256, "user": s.user} for s in submissions],
    }
    path = out_dir / SCAN_FILE
    tmp = path.with_name(f".{SCAN_FILE}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(strict_json(data, indent=1) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def submissions_root(results: Path) -> Path | None:
    """The submissions folder the last batch into ``results`` (a directory) scanned, if recorded."""
    try:
        root = json.loads((results / SCAN_FILE).read_text(encoding="utf-8")).get("root")
    except (OSError, ValueError, AttributeError):
        return None
    return Path(root) if isinstance(root, str) and root else None


@dataclass(frozen=True)
class Completion:
    """How much of a batch is graded: ``ungraded`` of the ``discovered`` submissions have no result.

    ``users`` are the owners of the ungraded ones: their rows in a leaderboard may still change.
    """

    discovered: int
    ungraded: int
    users: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return self.ungraded == 0


def completion(results: Path, records: Iterable[ResultRecord]) -> Completion | None:
    """Whether the batch behind ``results`` (a results directory or its ``results.jsonl``) is finished.

    The submissions a finished batch has results for are those its latest run discovered
    (``scan.json``); for a results directory from before scan.json existed, each path's newest
    content in ``seen.jsonl``. None when that cannot be known: a file other than ``results.jsonl``
    (an older ``results.<time>.jsonl`` kept by ``--rejudge``), or no scan.json nor seen.jsonl beside it.
    Only reads: a batch may be running and writing these files.

    Example:
        >>> import tempfile
        >>> out = Path(tempfile.mkdtemp())
        >>> _ = (out / "results.jsonl").write_text("")
        >>> write_scan(out, [Submission("ann", "ann.py", Path("ann.py"), "0", "")])
        >>> completion(out, [])
        Completion(discovered=1, ungraded=1, users=('ann',))
    """
    if results.is_dir():
        out_dir = results
    elif results.name == RESULTS_FILE:
        out_dir = results.parent
    else:
        return None
    scan_path, seen_path = out_dir / SCAN_FILE, out_dir / SEEN_FILE
    if scan_path.is_file():
        expected = _scanned(scan_path)
    elif seen_path.is_file():
        expected = _newest_seen(seen_path)
    else:
        return None
    done = {r.key for r in records}
    waiting = {key: user for key, user in expected.items() if key not in done}
    return Completion(len(expected), len(waiting), tuple(sorted(set(waiting.values()))))


def _scanned(path: Path) -> dict[tuple[str, str], str]:
    """(path, sha256) -> user, from scan.json."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {(str(s["submission"]), str(s["sha256"])): str(s["user"]) for s in data["submissions"]}
    except (ValueError, TypeError, KeyError) as exc:
        raise JudgeError(f"not a scan file written by judge batch ({type(exc).__name__}: {exc})", file=path) from None


def _newest_seen(path: Path) -> dict[tuple[str, str], str]:
    """(path, sha256) -> user for each path's most recently first-seen content in seen.jsonl.

    Read without repairing (a running batch may be writing the last line): a partial last line is
    left out; any other line that is not the judge's is refused.
    """
    data = path.read_bytes()
    newest: dict[str, tuple[str, str]] = {}  # path -> (first_seen, sha256)
    for number, line in enumerate(data[: data.rfind(b"\n") + 1].splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            sub, sha, at = str(row["submission"]), str(row["sha256"]), str(row.get("first_seen", ""))
        except (ValueError, TypeError, KeyError):
            raise JudgeError("not a line written by judge batch", file=path, line=number) from None
        if sub not in newest or at >= newest[sub][0]:
            newest[sub] = (at, sha)
    return {(sub, sha): _user_of(sub) for sub, (_, sha) in newest.items()}


def _user_of(relpath: str) -> str:
    """The user a submission path belongs to, as :func:`judge.batch.discover.scan` decides it."""
    parts = relpath.split("/")
    return parts[0] if len(parts) > 1 else Path(parts[0]).stem


@dataclass
class BatchSummary:
    """What a batch run did; ``interrupted`` is True after Ctrl-C."""

    total: int
    skipped: int
    refused: int = 0  # symbolic links and unsafe names: logged, never graded
    graded: int = 0
    retried: int = 0
    counts: Counter[Verdict] = field(default_factory=Counter)
    interrupted: bool = False
    repaired: bool = False
    results_file: Path = Path()
    wall_s: float = 0.0
    retimed: int = 0  # submissions re-timed together with their close contenders
    retime_failed: int = 0  # close contenders whose re-timed run failed (they keep their time)


ProgressFn = Callable[[BatchSummary, ResultRecord], None]


def run_batch(
    submissions_dir: Path,
    problem: Problem,
    config: Config,
    out_dir: Path,
    *,
    jobs: int | None = None,
    rejudge: bool = False,
    executor: Executor | None = None,
    progress: ProgressFn | None = None,
    measure: bool = True,
    stop: threading.Event | None = None,
    retime: bool = True,
    retime_rounds: int = DEFAULT_ROUNDS,
    on_retime: Callable[[Sequence[ResultRecord]], None] | None = None,
) -> BatchSummary:
    """Grade every submission not yet in ``out_dir/results.jsonl`` (all of them with ``rejudge``).

    With ``measure`` and ``retime``, close contenders are then re-timed together, ``retime_rounds``
    runs each (:func:`judge.batch.retime.retime_close_contenders`); ``on_retime`` is told of each tie.
    Setting ``stop`` (a Ctrl-C handler does) ends the batch at once: nothing more is submitted,
    running gradings (or re-timed runs) are killed and not recorded, and the summary says
    ``interrupted``. Every record written before stays; a rerun grades (and re-times) the rest.
    """
    stop = stop or threading.Event()
    started = time.monotonic()
    SandboxPolicy.detect(config.sandbox)  # refuse up front rather than once per submission
    out_dir.mkdir(parents=True, exist_ok=True)
    results_path = out_dir / RESULTS_FILE
    if rejudge and results_path.exists():
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        kept = out_dir / f"results.{stamp}.jsonl"
        shutil.move(str(results_path), kept)
        log.info("previous results kept as %s", kept)
    results = ResultsLog(results_path)
    found = scan(submissions_dir)
    # seen.jsonl is not moved aside by --rejudge: a regraded submission keeps its first-seen time.
    everything = first_seen(found.submissions, seen_log(out_dir))
    write_scan(out_dir, everything, submissions_dir.resolve())
    done = results.done_keys()
    todo = [s for s in everything if s.key not in done]
    summary = BatchSummary(
        total=len(everything), skipped=len(everything) - len(todo), refused=len(found.refused),
        repaired=results.repaired, results_file=results_path,
    )
    own_pool = executor is None
    pool = executor or ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 1, thread_name_prefix="judge-batch")
    problem_root = str(problem.root)
    # Ctrl-C stops this batch's workers; a remote executor's workers are not ours to stop.
    group = RunGroup(WorkerPool(size=jobs or os.cpu_count() or 1)) if own_pool else None
    if group is not None and group.pool is not None and todo:
        try:
            # Sandboxes boot (imports, JAX backend) before the first grading needs one.
            RunPlan.learner(problem, config).prestart(group.pool)
        except JudgeError as exc:  # no sandbox: the first grading says so
            log.debug("no warm workers: %s", exc)
    pending: dict[Future[ResultRecord], Submission] = {}

    def finish(record: ResultRecord) -> None:
        results.append(record)
        summary.graded += 1
        summary.retried += record.attempts - 1
        summary.counts[record.verdict] += 1
        if progress is not None:
            progress(summary, record)

    try:
        for sub in todo:
            if stop.is_set():
                raise KeyboardInterrupt
            try:
                job = sub.job(problem_root)
            except (JudgeError, OSError) as exc:
                finish(ResultRecord.fault(_unread_job(sub, problem_root), str(exc), environment=package_versions()))
                continue
            pending[pool.submit(run_job, job, config, measure=measure, group=group)] = sub
        while pending:
            if stop.is_set():
                raise KeyboardInterrupt
            finished, _ = wait(list(pending), timeout=STOP_POLL_S, return_when=FIRST_COMPLETED)
            for future in finished:
                pending.pop(future)
                finish(future.result())
        if measure and retime:
            report = retime_close_contenders(results_path, everything, problem, config, rounds=retime_rounds, group=group,
                                             stop=stop, on_tie=on_retime, poll_s=STOP_POLL_S, grace_s=STOP_GRACE_S)
            summary.retimed, summary.retime_failed = report.retimed, report.failed
            if report.interrupted:
                raise KeyboardInterrupt
    except KeyboardInterrupt:
        summary.interrupted = True
        for future in pending:
            future.cancel()
        if group is not None:
            group.abort()
    finally:
        if group is not None:
            group.close()
        if own_pool:
            pool.shutdown(wait=False, cancel_futures=True)
            if summary.interrupted:
                # Killed gradings end within moments; wait that long so their sandboxes are cleaned up.
                wait(list(pending), timeout=STOP_GRACE_S)
            else:
                pool.shutdown(wait=True)
        summary.wall_s = time.monotonic() - started
    return summary


def _unread_job(sub: Submission, problem: str) -> Job:
    """The identity of a job whose file could not be read as hashed (for its fault record)."""
    return Job(b"", problem, user=sub.user, name=sub.relpath, submitted_at=sub.submitted_at, sha256=sub.sha256)

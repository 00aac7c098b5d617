"""Grade a folder of users' submissions, resumably, into ``RESULTS_DIR/results.jsonl``.

Each graded submission is one :class:`~judge.record.ResultRecord`, stored as one JSON line with
a single ``write`` and ``fsync`` before it counts as done (:mod:`judge.store.jsonl`). A rerun skips
every (path, content hash) already stored, so a batch killed at any moment (even SIGKILL)
completes on rerun with nothing lost and nothing graded twice.

Ranking ties are broken by ``submitted_at``: the time the judge first saw that exact submission
(path and content hash), recorded in ``RESULTS_DIR/seen.jsonl`` when a batch first discovers it and
kept across reruns and ``--rejudge``. It is never the file's mtime, which the submitter controls.

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
import logging
import os
import shutil
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..config import Config
from ..errors import JudgeError
from ..expected import package_versions
from ..job import run_job
from ..problem import Problem
from ..record import Job, ResultRecord
from ..runner import RunGroup
from ..sandbox import SandboxPolicy
from ..store.jsonl import RESULTS_FILE, JsonLines, ResultsLog
from ..verdict import Verdict
from .discover import Submission, scan

log = logging.getLogger(__name__)

SEEN_FILE = "seen.jsonl"  # (path, sha256) -> when the judge first saw it; survives --rejudge


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
) -> BatchSummary:
    """Grade every submission not yet in ``out_dir/results.jsonl`` (all of them with ``rejudge``)."""
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
    group = RunGroup() if own_pool else None
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
            try:
                job = sub.job(problem_root)
            except (JudgeError, OSError) as exc:
                finish(ResultRecord.fault(_unread_job(sub, problem_root), str(exc), environment=package_versions()))
                continue
            pending[pool.submit(run_job, job, config, measure=measure, group=group)] = sub
        while pending:
            future = next(as_completed(list(pending)))
            pending.pop(future)
            finish(future.result())
    except KeyboardInterrupt:
        summary.interrupted = True
        for future in pending:
            future.cancel()
        if group is not None:
            group.abort()
    finally:
        if own_pool:
            pool.shutdown(wait=not summary.interrupted, cancel_futures=True)
        summary.wall_s = time.monotonic() - started
    return summary


def _unread_job(sub: Submission, problem: str) -> Job:
    """The identity of a job whose file could not be read as hashed (for its fault record)."""
    return Job(b"", problem, user=sub.user, name=sub.relpath, submitted_at=sub.submitted_at, sha256=sub.sha256)

"""Grade a folder of users' submissions, resumably, into ``RESULTS_DIR/results.jsonl``.

Each graded submission is one JSON line, written with a single ``write`` and ``fsync``'d before it
counts as done. A rerun skips every (path, content hash) already in the file, so a batch killed at
any moment (even SIGKILL) completes on rerun with nothing lost and nothing graded twice; a torn
last line from a kill mid-write is cut off and that submission graded again.

Ranking ties are broken by ``submitted_at``: the time the judge first saw that exact submission
(path and content hash), recorded in ``RESULTS_DIR/seen.jsonl`` when a batch first discovers it and
kept across reruns and ``--rejudge``. It is never the file's mtime, which the submitter controls.

Files whose path cannot be shown safely (control characters, newlines, bidi overrides, bytes that
are not UTF-8) are refused, like symbolic links: logged by name, counted, not graded.

Local and distributed runs are one code path: anything with the ``concurrent.futures.Executor``
interface (a thread pool here, a Dask client's executor across machines) runs :func:`grade_record`.

Example:
    >>> summary = run_batch(Path("subs"), problem, config, Path("results"), jobs=2)   # doctest: +SKIP
    >>> summary.graded, summary.skipped                                               # doctest: +SKIP
    (12, 0)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .config import Config
from .errors import JudgeError
from .grade import grade
from .problem import Problem, load_problem
from .runner import abort_all_runs
from .safe_text import is_safe_name, strict_json, visible
from .sandbox import SandboxPolicy
from .verdict import SubmissionResult, Verdict

log = logging.getLogger(__name__)

RESULTS_FILE = "results.jsonl"
SEEN_FILE = "seen.jsonl"  # (path, sha256) -> when the judge first saw it; survives --rejudge
RECORD_VERSION = 1


@dataclass(frozen=True)
class Submission:
    """One file to grade: who submitted it, where, and its content hash."""

    user: str
    relpath: str
    path: Path
    sha256: str
    # When the judge first saw this (relpath, sha256), ISO 8601 UTC with microseconds: "earlier
    # submission" in the ranking. Deliberately NOT the file's mtime: the submitter sets that
    # (touch -d 2000-01-01). discover() gives the scan time; run_batch() replaces it with the time
    # recorded in seen.jsonl when this exact submission was first discovered.
    submitted_at: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.relpath, self.sha256)


@dataclass(frozen=True)
class Scan:
    """What :func:`scan` found: the files to grade and those refused (shown escaped, with why)."""

    submissions: list[Submission]
    refused: list[str]


def discover(root: Path) -> list[Submission]:
    """All ``*.py`` under ``root``; the user is the first directory, or the stem for top-level files."""
    return scan(root).submissions


def scan(root: Path) -> Scan:
    """Like :func:`discover`, also listing the files refused (symbolic links, unsafe names)."""
    if not root.is_dir():
        raise JudgeError("submissions directory not found", file=root)
    root = root.resolve()  # absolute, so remote (Dask) workers find the same file
    seen_at = _iso_us(time.time())  # one time per scan: files found together tie on it
    found: list[Submission] = []
    refused: list[str] = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if not path.is_file() or any(part.startswith(".") for part in rel.parts):
            continue
        reason = _refusal(path, rel.as_posix())
        if reason:
            # Shown escaped: the name itself may hold the terminal escapes it is refused for.
            log.warning("skipping %s: %s", visible(str(path)), reason)
            refused.append(f"{visible(rel.as_posix())}: {reason}")
            continue
        user = rel.parts[0] if len(rel.parts) > 1 else path.stem
        found.append(
            Submission(
                user=user,
                relpath=rel.as_posix(),
                path=path,
                sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
                submitted_at=seen_at,
            )
        )
    return Scan(found, refused)


def _refusal(path: Path, relpath: str) -> str:
    """Why ``path`` is not graded, or "" when it is."""
    if path.is_symlink():
        # A link could point the judge (often root) at any file on the host: never follow one.
        return "symbolic links are not graded"
    if not is_safe_name(relpath):
        # The path names the user and the submission in every report and leaderboard; a newline
        # or an escape sequence in it could forge rows or drive a terminal there.
        return "the path has control, bidi or non-UTF-8 characters; rename it to grade it"
    return ""


class ResultsLog:
    """Append-only JSON-lines file of graded submissions, safe against kills at any moment."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.records: list[dict[str, Any]] = []
        self.repaired = False
        self._load()

    def _load(self) -> None:
        if not self.path.exists():
            return
        data = self.path.read_bytes()
        end = data.rfind(b"\n") + 1
        if end < len(data):
            # A kill mid-write leaves a partial last line: drop it; that submission is regraded.
            with open(self.path, "r+b") as handle:
                handle.truncate(end)
                os.fsync(handle.fileno())
            self.repaired = True
            log.warning("%s: removed a torn last line left by an interrupted run", self.path)
        for number, line in enumerate(data[:end].splitlines(), 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                record["submission"], record["sha256"]  # noqa: B018 - required keys
            except (ValueError, KeyError, TypeError):
                raise JudgeError("not a results line written by judge batch", file=self.path, line=number) from None
            self.records.append(record)

    def done_keys(self) -> set[tuple[str, str]]:
        return {(r["submission"], r["sha256"]) for r in self.records}

    def append(self, record: dict[str, Any]) -> None:
        self.extend([record])

    def extend(self, records: list[dict[str, Any]]) -> None:
        """Append records with one write and one fsync (a kill may tear only the last line)."""
        if not records:
            return
        data = "".join(strict_json(r, sort_keys=True) + "\n" for r in records).encode()
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        self.records.extend(records)


def first_seen(submissions: list[Submission], seen: ResultsLog) -> list[Submission]:
    """``submissions`` with ``submitted_at`` set to when the judge first saw each (path, hash).

    Submissions not in ``seen`` yet are recorded there now, with their scan time, before any is
    graded, so a batch interrupted before grading them still keeps that time.
    """
    recorded: dict[tuple[str, str], str] = {}
    for record in seen.records:
        key, at = (record["submission"], record["sha256"]), record.get("first_seen")
        if isinstance(at, str) and (key not in recorded or at < recorded[key]):
            recorded[key] = at
    new = {s.key: s for s in submissions if s.key not in recorded}
    seen.extend([{"submission": s.relpath, "sha256": s.sha256, "first_seen": s.submitted_at} for s in new.values()])
    recorded.update({key: s.submitted_at for key, s in new.items()})
    return [replace(s, submitted_at=recorded[s.key]) for s in submissions]


def read_results(results: Path) -> list[dict[str, Any]]:
    """Records from a results directory or a results.jsonl file (for leaderboard and diff)."""
    path = results / RESULTS_FILE if results.is_dir() else results
    if not path.is_file():
        raise JudgeError("no results file here (run judge batch first)", file=path)
    return ResultsLog(path).records


def grade_record(submission: Submission, problem_root: str, config: Config, measure: bool = True) -> dict[str, Any]:
    """Grade one submission and return its results line. Runs on any executor (thread or Dask).

    The graded bytes are exactly the hashed ones: the file is copied before grading. A fault of
    the judge becomes an ``internal_error`` record instead of an exception.
    """
    started = _iso(time.time())
    problem = load_problem(problem_root)
    base = {
        "version": RECORD_VERSION,
        "user": submission.user,
        "submission": submission.relpath,
        "sha256": submission.sha256,
        "submitted_at": submission.submitted_at,  # the judge's first-seen time, not the mtime
        "problem": problem.id,
        "started_at": started,
        "host": os.uname().nodename,
    }
    with tempfile.TemporaryDirectory(prefix="judge-batch-") as tmp:
        copy = Path(tmp) / submission.path.name
        try:
            content = submission.path.read_bytes()
            if hashlib.sha256(content).hexdigest() != submission.sha256:
                raise JudgeError("the file changed while the batch ran", file=submission.path)
            copy.write_bytes(content)
            result = grade(copy, problem, config, measure=measure)
        except JudgeError as exc:
            if isinstance(exc, _SYSTEMIC):
                raise
            return {**base, **_error_fields(f"{exc}"), "finished_at": _iso(time.time())}
        except Exception as exc:  # noqa: BLE001 - one bad grading never stops a batch
            log.exception("internal error grading %s", submission.relpath)
            return {**base, **_error_fields(f"{type(exc).__name__}: {exc}"), "finished_at": _iso(time.time())}
    return {**base, **_result_fields(result), "finished_at": _iso(time.time())}


def _result_fields(result: SubmissionResult) -> dict[str, Any]:
    return {
        "verdict": result.verdict.value,
        "score": round(result.score, 6),
        "passed": sum(c.passed for c in result.cases),
        "total": len(result.cases),
        "message": result.message[:500],
        "cases": [{"id": c.case_id, "verdict": c.verdict.value, "time_s": c.time_s} for c in result.cases],
        "ranking_time_s": result.ranking_time_s,
        "wall_s": result.wall_s,
        "sandboxed": bool(result.run and result.run.sandboxed),
        "peak_memory_mib": result.run.peak_memory_mib if result.run else None,
        "environment": result.environment,
    }


def _error_fields(message: str) -> dict[str, Any]:
    from .expected import package_versions

    return {
        "verdict": Verdict.INTERNAL_ERROR.value,
        "score": 0.0,
        "passed": 0,
        "total": 0,
        "message": message[:500],
        "cases": [],
        "ranking_time_s": None,
        "wall_s": None,
        "sandboxed": False,
        "peak_memory_mib": None,
        "environment": package_versions(),
    }


@dataclass
class BatchSummary:
    """What a batch run did; ``interrupted`` is True after Ctrl-C."""

    total: int
    skipped: int
    refused: int = 0  # symbolic links and unsafe names: logged, never graded
    graded: int = 0
    retried: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    interrupted: bool = False
    repaired: bool = False
    results_file: Path = Path()
    wall_s: float = 0.0


ProgressFn = Callable[[BatchSummary, dict[str, Any]], None]


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
    everything = first_seen(found.submissions, ResultsLog(out_dir / SEEN_FILE))
    done = results.done_keys()
    todo = [s for s in everything if s.key not in done]
    summary = BatchSummary(
        total=len(everything), skipped=len(everything) - len(todo), refused=len(found.refused),
        repaired=results.repaired, results_file=results_path,
    )
    own_pool = executor is None
    pool = executor or ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 1, thread_name_prefix="judge-batch")
    problem_root = str(problem.root)
    pending: dict[Future[dict[str, Any]], tuple[Submission, int]] = {}
    try:
        for sub in todo:
            pending[pool.submit(grade_record, sub, problem_root, config, measure)] = (sub, 1)
        while pending:
            future = next(as_completed(list(pending)))
            sub, attempt = pending.pop(future)
            record = future.result()
            if record["verdict"] == Verdict.INTERNAL_ERROR.value and attempt == 1:
                summary.retried += 1
                log.warning("internal error on %s (%s); retrying once", sub.relpath, visible(str(record.get("message"))))
                pending[pool.submit(grade_record, sub, problem_root, config, measure)] = (sub, 2)
                continue
            record["attempts"] = attempt
            results.append(record)
            summary.graded += 1
            summary.counts[record["verdict"]] += 1
            if progress is not None:
                progress(summary, record)
    except KeyboardInterrupt:
        summary.interrupted = True
        for future in pending:
            future.cancel()
        abort_all_runs()
    finally:
        if own_pool:
            pool.shutdown(wait=not summary.interrupted, cancel_futures=True)
        summary.wall_s = time.monotonic() - started
    return summary


def diff_results(a: Iterable[dict[str, Any]], b: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Submissions (by path) whose verdict or score differs between two result sets."""
    old = {r["submission"]: r for r in a}
    new = {r["submission"]: r for r in b}
    changes = []
    for path in sorted(old.keys() | new.keys()):
        before, after = old.get(path), new.get(path)
        pair = [(r or {}).get("verdict") for r in (before, after)], [(r or {}).get("score") for r in (before, after)]
        if pair[0][0] != pair[0][1] or pair[1][0] != pair[1][1]:
            changes.append(
                {
                    "submission": path,
                    "user": (after or before or {}).get("user"),
                    "verdict_before": pair[0][0],
                    "verdict_after": pair[0][1],
                    "score_before": pair[1][0],
                    "score_after": pair[1][1],
                }
            )
    return changes


def _iso(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp, dt.timezone.utc).isoformat(timespec="seconds")


def _iso_us(timestamp: float) -> str:
    # Microseconds, so that two batches run within one second still order their discoveries.
    return dt.datetime.fromtimestamp(timestamp, dt.timezone.utc).isoformat(timespec="microseconds")


from .errors import BackendUnavailable, SandboxUnavailable  # noqa: E402

_SYSTEMIC = (SandboxUnavailable, BackendUnavailable)

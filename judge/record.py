"""A :class:`Job` (what to grade, for whom) and the :class:`ResultRecord` it becomes.

Every front end grades through these two types: ``judge grade``, ``judge batch`` (local and Dask)
and the service. A record has one JSON form, written by :meth:`ResultRecord.to_json` and read by
:meth:`ResultRecord.from_json`: results.jsonl, the leaderboard, ``judge diff`` and reports all use
it. Its result fields are exactly :meth:`judge.verdict.SubmissionResult.to_json`'s; the job's
fields (user, content hash, times, host, attempts) sit beside them.

Example:
    >>> job = Job(b"def solve(x):\\n    return x\\n", "conv1d", user="ann", name="ann/1.py")
    >>> job.sha256[:12]
    '5d782c0fca46'
    >>> record = ResultRecord.fault(job, "worker host lost", attempts=2)
    >>> record.verdict, record.score, record.attempts
    (<Verdict.INTERNAL_ERROR: 'internal_error'>, 0.0, 2)
    >>> ResultRecord.from_json(record.to_json()) == record
    True
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .safe_text import visible
from .verdict import CaseResult, RecordError, SubmissionResult, Verdict, json_field

RECORD_VERSION = 2  # 1: flat result fields (sandboxed, peak_memory_mib at the top, cases as id/verdict/time)


@dataclass(frozen=True)
class Job:
    """One unit of grading: a submission's bytes, the problem, and who submitted it.

    ``problem`` is a problem id under the config's ``problems_dir`` or a path to a problem folder.
    ``name`` is how the submission is shown (a path relative to the submissions folder in a batch);
    ``submitted_at`` is when the judge first saw it (ISO 8601 UTC), never a time the submitter set.
    """

    source: bytes
    problem: str
    user: str = ""
    name: str = "submission.py"
    submitted_at: str = ""
    sha256: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not self.sha256:
            object.__setattr__(self, "sha256", hashlib.sha256(self.source).hexdigest())

    @property
    def key(self) -> tuple[str, str]:
        """What a results store deduplicates on: the same file with the same content."""
        return (self.name, self.sha256)


@dataclass(frozen=True)
class ResultRecord:
    """One graded submission as stored: the job's identity and times, and its full result."""

    user: str
    submission: str
    sha256: str
    result: SubmissionResult
    submitted_at: str = ""
    started_at: str = ""
    finished_at: str = ""
    host: str = ""
    attempts: int = 1

    @classmethod
    def of(cls, job: Job, result: SubmissionResult, *, started_at: str, attempts: int = 1) -> ResultRecord:
        """The record of ``job`` graded into ``result`` (finished now)."""
        return cls(
            user=job.user,
            submission=job.name,
            sha256=job.sha256,
            result=dataclasses.replace(result, submission=visible(job.name)),
            submitted_at=job.submitted_at,
            started_at=started_at,
            finished_at=iso_now(),
            host=os.uname().nodename,
            attempts=attempts,
        )

    @classmethod
    def fault(cls, job: Job, message: str, *, attempts: int = 1, environment: Mapping[str, str] | None = None) -> ResultRecord:
        """An ``internal_error`` record: the judge, not the submission, failed."""
        result = SubmissionResult(job.problem, job.name, Verdict.INTERNAL_ERROR, (), message, dict(environment or {}))
        now = iso_now()
        return cls(job.user, job.name, job.sha256, result, job.submitted_at, now, now, os.uname().nodename, attempts)

    @property
    def key(self) -> tuple[str, str]:
        return (self.submission, self.sha256)

    @property
    def verdict(self) -> Verdict:
        return self.result.verdict

    @property
    def score(self) -> float:
        return self.result.score

    @property
    def problem(self) -> str:
        return self.result.problem

    @property
    def cases(self) -> tuple[CaseResult, ...]:
        return self.result.cases

    @property
    def message(self) -> str:
        return self.result.message

    @property
    def ranking_time_s(self) -> float | None:
        return self.result.ranking_time_s

    @property
    def environment(self) -> dict[str, str]:
        return self.result.environment

    @property
    def sandboxed(self) -> bool:
        return bool(self.result.run and self.result.run.sandboxed)

    @property
    def peak_memory_mib(self) -> float | None:
        return self.result.run.peak_memory_mib if self.result.run else None

    def to_json(self) -> dict[str, Any]:
        """The stored form: the result's JSON with the job's fields beside it."""
        return {
            **self.result.to_json(),
            "version": RECORD_VERSION,
            "user": self.user,
            "submission": self.submission,
            "sha256": self.sha256,
            "submitted_at": self.submitted_at,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "host": self.host,
            "attempts": self.attempts,
        }

    @classmethod
    def from_json(cls, data: Any) -> ResultRecord:
        """Read a stored record (this version or version 1); :class:`RecordError` names the bad field."""
        if not isinstance(data, Mapping):
            raise RecordError("expected a JSON object", "record")
        version = json_field(data, "version", int, RECORD_VERSION)
        if version > RECORD_VERSION:
            raise RecordError(f"record version {version} is newer than this judge reads ({RECORD_VERSION}); upgrade the judge", "version")
        if version < 2:
            data = _from_version_1(data)
        return cls(
            user=json_field(data, "user", str),
            submission=json_field(data, "submission", str),
            sha256=json_field(data, "sha256", str),
            result=SubmissionResult.from_json(data),
            submitted_at=json_field(data, "submitted_at", str, ""),
            started_at=json_field(data, "started_at", str, ""),
            finished_at=json_field(data, "finished_at", str, ""),
            host=json_field(data, "host", str, ""),
            attempts=json_field(data, "attempts", int, 1),
        )


def _from_version_1(data: Mapping[str, Any]) -> dict[str, Any]:
    """Version 1 kept ``sandboxed`` and ``peak_memory_mib`` at the top level."""
    upgraded = {k: v for k, v in data.items() if k not in ("sandboxed", "peak_memory_mib")}
    if "sandboxed" in data:
        upgraded["run"] = {"sandboxed": data["sandboxed"], "peak_memory_mib": data.get("peak_memory_mib")}
    return upgraded


def iso_now() -> str:
    """Now, ISO 8601 UTC to the second (record start and finish times)."""
    return dt.datetime.fromtimestamp(time.time(), dt.timezone.utc).isoformat(timespec="seconds")

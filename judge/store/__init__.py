"""Where results are kept: beside the grading pipeline, never imported by it.

The pipeline turns a :class:`~judge.record.Job` into a :class:`~judge.record.ResultRecord`; a store
keeps records and says which jobs are done. :class:`ResultSink` is what a batch (and, next, the
service) needs from one; :mod:`judge.store.jsonl` is the JSON-lines store ``judge batch`` writes.

Example:
    >>> import tempfile, pathlib
    >>> from judge.record import Job, ResultRecord
    >>> from judge.store.jsonl import ResultsLog
    >>> sink: ResultSink = ResultsLog(pathlib.Path(tempfile.mkdtemp()) / "results.jsonl")
    >>> sink.append(ResultRecord.fault(Job(b"", "conv1d", user="ann", name="ann/1.py"), "host lost"))
    >>> [(r.user, r.verdict.value) for r in ResultsLog(sink.path).records]
    [('ann', 'internal_error')]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from ..record import ResultRecord


class ResultSink(Protocol):
    """A durable home for records: once :meth:`append` returns, the record survives a kill."""

    @property
    def records(self) -> Sequence[ResultRecord]:
        """Every record stored, oldest first."""
        ...

    def done_keys(self) -> set[tuple[str, str]]:
        """(submission, sha256) of every stored record: jobs not to grade again."""
        ...

    def append(self, record: ResultRecord) -> None:
        """Store ``record`` durably before returning."""
        ...

"""JSON-lines files that survive a kill at any moment: ``results.jsonl`` and ``seen.jsonl``.

Each append is one ``write`` of whole lines and one ``fsync``, so a kill can tear only the last
line; the next open cuts a torn last line off (that submission is graded again). A line that is
not this judge's is refused with its file and line number, never skipped silently.

Example:
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "seen.jsonl"
    >>> log = JsonLines(path, required=("submission",))
    >>> log.append({"submission": "a.py"})
    >>> _ = path.open("a").write('{"submission": "b.p')        # a kill mid-write
    >>> [row["submission"] for row in JsonLines(path, required=("submission",)).rows]
    ['a.py']
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import JudgeError
from ..record import ResultRecord
from ..safe_text import strict_json
from ..verdict import RecordError

log = logging.getLogger(__name__)

RESULTS_FILE = "results.jsonl"


class JsonLines:
    """An append-only file of JSON objects, each holding at least the ``required`` keys."""

    def __init__(self, path: Path, required: Sequence[str] = (), *, repair: bool = True) -> None:
        self.path = path
        self.repair = repair  # False: a reader beside a running writer ignores a torn last line, never cuts it
        self.required = tuple(required)
        self.rows: list[dict[str, Any]] = []
        self.repaired = False
        self.lines: list[int] = []  # the line number of each row, for error messages
        self._load()

    def _load(self) -> None:
        if not self.path.exists():
            return
        data = self.path.read_bytes()
        end = data.rfind(b"\n") + 1
        if end < len(data) and self.repair:
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
                row = json.loads(line)
            except ValueError:
                raise JudgeError("not a JSON line written by the judge", file=self.path, line=number) from None
            if not isinstance(row, dict):
                raise JudgeError("not a JSON object written by the judge", file=self.path, line=number)
            missing = [key for key in self.required if key not in row]
            if missing:
                raise JudgeError("missing (not a line written by the judge)", file=self.path, line=number, field=missing[0])
            self.rows.append(row)
            self.lines.append(number)

    def append(self, row: Mapping[str, Any]) -> None:
        self.extend([row])

    def extend(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Append rows with one write and one fsync (a kill may tear only the last line)."""
        if not rows:
            return
        data = "".join(strict_json(dict(r), sort_keys=True) + "\n" for r in rows).encode()
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        self.rows.extend(dict(r) for r in rows)


class ResultsLog:
    """``results.jsonl``: the :class:`~judge.store.ResultSink` that ``judge batch`` writes."""

    def __init__(self, path: Path, *, repair: bool = True) -> None:
        self._lines = JsonLines(path, required=("submission", "sha256"), repair=repair)
        self.path = path
        self.repaired = self._lines.repaired
        self._records: list[ResultRecord] = []
        for row, number in zip(self._lines.rows, self._lines.lines, strict=True):
            try:
                self._records.append(ResultRecord.from_json(row))
            except RecordError as exc:
                raise JudgeError(f"not a results line written by judge batch: {exc}", file=path, line=number, field=exc.field) from None

    @property
    def records(self) -> Sequence[ResultRecord]:
        return self._records

    def done_keys(self) -> set[tuple[str, str]]:
        return {r.key for r in self._records}

    def append(self, record: ResultRecord) -> None:
        self._lines.append(record.to_json())
        self._records.append(record)


def read_results(results: Path) -> list[ResultRecord]:
    """Records from a results directory or a results.jsonl file (for leaderboard and diff)."""
    path = results / RESULTS_FILE if results.is_dir() else results
    if not path.is_file():
        raise JudgeError("no results file here (run judge batch first)", file=path)
    return list(ResultsLog(path, repair=False).records)  # a batch may be writing it right now

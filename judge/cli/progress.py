"""Batch progress for people: a live bar on a terminal, one plain line per submission otherwise.

Example:
    >>> with BatchProgress() as progress:                       # doctest: +SKIP
    ...     run_batch(..., progress=progress.update)
"""

from __future__ import annotations

import sys
import time
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from ..batch import BatchSummary
from ..record import ResultRecord
from ..safe_text import visible


class BatchProgress:
    """Shows done/total, counts per verdict, rate and ETA on stderr."""

    def __init__(self) -> None:
        self.console = Console(stderr=True)
        self.live = self.console.is_terminal
        self.started = time.monotonic()
        self._progress: Progress | None = None
        self._task: Any = None

    def __enter__(self) -> BatchProgress:
        if self.live:
            self._progress = Progress(
                TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[counts]}", markup=False),
                TextColumn("{task.fields[rate]}"), TimeRemainingColumn(), console=self.console, transient=False,
            )
            self._progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.__exit__(None, None, None)

    def update(self, summary: BatchSummary, record: ResultRecord) -> None:
        todo = summary.total - summary.skipped
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = summary.graded / elapsed
        counts = " ".join(f"{k.value}:{v}" for k, v in sorted(summary.counts.items(), key=lambda kv: kv[0].value))
        if self._progress is not None:
            if self._task is None:
                self._task = self._progress.add_task("grading", total=todo, counts="", rate="")
            self._progress.update(self._task, completed=summary.graded, counts=counts, rate=f"{rate:.2f}/s")
            return
        eta = (todo - summary.graded) / rate if rate > 0 else float("nan")
        print(
            f"[{summary.graded}/{todo}] {visible(record.submission)}: {record.verdict.value} (score {record.score:.3f}) "
            f"| {counts} | {rate:.2f}/s, ETA {eta:.0f}s",
            file=sys.stderr,
            flush=True,
        )

"""Verdicts and the results that carry them across every boundary (report, batch, JSON).

The overall verdict of a submission is ``accepted`` only when every case is accepted; otherwise it
is the case verdict with the highest :attr:`Verdict.priority`. The order puts faults of the judge
first (never blamed on the learner), then faults that stop code from running at all, then resource
limits, crashes and finally wrong answers.

Example:
    >>> Verdict.overall([Verdict.ACCEPTED, Verdict.WRONG_ANSWER, Verdict.TIME_LIMIT_EXCEEDED])
    <Verdict.TIME_LIMIT_EXCEEDED: 'time_limit_exceeded'>
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


class Verdict(str, enum.Enum):
    """The verdict of one case or of a whole submission; the value is the JSON code."""

    ACCEPTED = "accepted"
    WRONG_ANSWER = "wrong_answer"
    RUNTIME_ERROR = "runtime_error"
    TIME_LIMIT_EXCEEDED = "time_limit_exceeded"
    MEMORY_LIMIT_EXCEEDED = "memory_limit_exceeded"
    OUTPUT_LIMIT_EXCEEDED = "output_limit_exceeded"
    COMPILE_ERROR = "compile_error"
    INTERNAL_ERROR = "internal_error"

    @property
    def priority(self) -> int:
        """Higher wins when several case verdicts are folded into one."""
        return _PRIORITY[self]

    @property
    def short(self) -> str:
        """Two- or three-letter code for compact displays (AC, WA, TLE, ...)."""
        return _SHORT[self]

    @classmethod
    def overall(cls, verdicts: Iterable[Verdict]) -> Verdict:
        """Fold case verdicts into the submission's verdict (see module docstring)."""
        worst = cls.ACCEPTED
        for verdict in verdicts:
            if verdict.priority > worst.priority:
                worst = verdict
        return worst

    @classmethod
    def parse(cls, code: str) -> Verdict:
        """Verdict from its JSON code; ValueError lists the valid codes."""
        try:
            return cls(code)
        except ValueError:
            valid = ", ".join(v.value for v in cls)
            raise ValueError(f"unknown verdict {code!r}; valid verdicts: {valid}") from None


_PRIORITY = {
    Verdict.ACCEPTED: 0,
    Verdict.WRONG_ANSWER: 1,
    Verdict.RUNTIME_ERROR: 2,
    Verdict.OUTPUT_LIMIT_EXCEEDED: 3,
    Verdict.TIME_LIMIT_EXCEEDED: 4,
    Verdict.MEMORY_LIMIT_EXCEEDED: 5,
    Verdict.COMPILE_ERROR: 6,
    Verdict.INTERNAL_ERROR: 7,
}
_SHORT = {
    Verdict.ACCEPTED: "AC",
    Verdict.WRONG_ANSWER: "WA",
    Verdict.RUNTIME_ERROR: "RE",
    Verdict.OUTPUT_LIMIT_EXCEEDED: "OLE",
    Verdict.TIME_LIMIT_EXCEEDED: "TLE",
    Verdict.MEMORY_LIMIT_EXCEEDED: "MLE",
    Verdict.COMPILE_ERROR: "CE",
    Verdict.INTERNAL_ERROR: "IE",
}


@dataclass(frozen=True)
class Mismatch:
    """How a returned array differs from the expected one (only for compared cases)."""

    expected_shape: tuple[int, ...]
    got_shape: tuple[int, ...]
    max_abs_error: float | None = None
    max_rel_error: float | None = None
    n_mismatched: int | None = None
    n_total: int | None = None
    first_indices: tuple[tuple[int, ...], ...] = ()
    # Values are only filled for public cases; hidden cases never reveal them.
    expected_values: tuple[float, ...] = ()
    got_values: tuple[float, ...] = ()

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "expected_shape": list(self.expected_shape),
            "got_shape": list(self.got_shape),
            "max_abs_error": self.max_abs_error,
            "max_rel_error": self.max_rel_error,
            "n_mismatched": self.n_mismatched,
            "n_total": self.n_total,
            "first_indices": [list(i) for i in self.first_indices],
        }
        if self.expected_values:
            data["expected_values"] = list(self.expected_values)
            data["got_values"] = list(self.got_values)
        return data


@dataclass(frozen=True)
class CaseResult:
    """The verdict of one case with what a learner may see about it."""

    case_id: str
    hidden: bool
    verdict: Verdict
    message: str = ""
    time_s: float | None = None
    max_abs_error: float | None = None
    max_rel_error: float | None = None
    mismatch: Mismatch | None = None
    hint: str | None = None

    @property
    def passed(self) -> bool:
        return self.verdict is Verdict.ACCEPTED

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.case_id,
            "hidden": self.hidden,
            "verdict": self.verdict.value,
            "message": self.message,
            "time_s": None if self.time_s is None else round(self.time_s, 6),
        }
        if self.max_abs_error is not None:
            data["max_abs_error"] = self.max_abs_error
            data["max_rel_error"] = self.max_rel_error
        if self.mismatch is not None:
            data["mismatch"] = self.mismatch.to_json()
        if self.hint:
            data["hint"] = self.hint
        return data


@dataclass(frozen=True)
class RunInfo:
    """Facts about how the learner's code ran, for the report (not for the verdict)."""

    sandboxed: bool
    stdout_bytes: int | None = 0  # None: withheld (hidden cases ran; the count is the submission's to choose)
    stderr_bytes: int | None = 0
    output_truncated: bool | None = False  # None: withheld, like the byte counts
    peak_memory_mib: float | None = None
    restarts: int = 0
    # What the sandbox could not enforce on this machine (e.g. no memory cgroup: no process cap).
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "sandboxed": self.sandboxed,
            "stdout_bytes": self.stdout_bytes,
            "stderr_bytes": self.stderr_bytes,
            "output_truncated": self.output_truncated,
            "peak_memory_mib": self.peak_memory_mib,
            "restarts": self.restarts,
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class SubmissionResult:
    """One submission graded against one problem."""

    problem: str
    submission: str
    verdict: Verdict
    cases: tuple[CaseResult, ...]
    message: str = ""
    environment: dict[str, str] = field(default_factory=dict)
    run: RunInfo | None = None
    wall_s: float | None = None
    ranking_time_s: float | None = None  # accepted submissions only; never affects the verdict

    @property
    def score(self) -> float:
        """Fraction of cases accepted, 0.0 to 1.0."""
        if not self.cases:
            return 0.0
        return sum(c.passed for c in self.cases) / len(self.cases)

    def to_json(self) -> dict[str, Any]:
        return {
            "problem": self.problem,
            "submission": self.submission,
            "verdict": self.verdict.value,
            "score": round(self.score, 6),
            "passed": sum(c.passed for c in self.cases),
            "total": len(self.cases),
            "message": self.message,
            "cases": [c.to_json() for c in self.cases],
            "environment": dict(self.environment),
            "run": self.run.to_json() if self.run else None,
            "wall_s": None if self.wall_s is None else round(self.wall_s, 3),
            "ranking_time_s": self.ranking_time_s,
        }

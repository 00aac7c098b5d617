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
from collections.abc import Iterable, Mapping
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


class RecordError(ValueError):
    """A stored result does not have the shape this module writes; ``field`` names the bad key."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def json_field(data: Mapping[str, Any], key: str, types: type | tuple[type, ...], default: Any = ..., where: str = "") -> Any:
    """``data[key]`` checked against ``types`` (bool is never a number); ``default`` when absent."""
    name = f"{where}{key}"
    if key not in data:
        if default is ...:
            raise RecordError("missing", name)
        return default
    value = data[key]
    if value is None and default is None:
        return None
    numeric = types in (int, float, (int, float))
    if not isinstance(value, types) or (numeric and isinstance(value, bool)):
        raise RecordError(f"expected {_type_name(types)}, got {type(value).__name__}", name)
    return float(value) if types == (int, float) and isinstance(value, (int, float)) else value


def _type_name(types: type | tuple[type, ...]) -> str:
    return " or ".join(t.__name__ for t in (types if isinstance(types, tuple) else (types,)))


def _verdict(data: Mapping[str, Any], where: str = "") -> Verdict:
    code = json_field(data, "verdict", str, where=where)
    try:
        return Verdict.parse(code)
    except ValueError as exc:
        raise RecordError(str(exc), f"{where}verdict") from None


def _ints(value: Any, name: str) -> tuple[int, ...]:
    if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise RecordError("expected a list of integers", name)
    return tuple(value)


def _floats(value: Any, name: str) -> tuple[float, ...]:
    if not isinstance(value, list) or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
        raise RecordError("expected a list of numbers", name)
    return tuple(float(v) for v in value)


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
    # The leaf of a tree output that differs, e.g. "[1]['var']" (judge.output_tree.format_path); "" for a single array.
    path: str = ""

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
        if self.path:
            data["path"] = self.path
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any], where: str = "mismatch.") -> Mismatch:
        """Inverse of :meth:`to_json`; :class:`RecordError` names the first bad field."""
        number = (int, float)
        indices = json_field(data, "first_indices", list, [], where)
        return cls(
            expected_shape=_ints(json_field(data, "expected_shape", list, where=where), f"{where}expected_shape"),
            got_shape=_ints(json_field(data, "got_shape", list, where=where), f"{where}got_shape"),
            max_abs_error=json_field(data, "max_abs_error", number, None, where),
            max_rel_error=json_field(data, "max_rel_error", number, None, where),
            n_mismatched=json_field(data, "n_mismatched", int, None, where),
            n_total=json_field(data, "n_total", int, None, where),
            first_indices=tuple(_ints(i, f"{where}first_indices") for i in indices),
            expected_values=_floats(json_field(data, "expected_values", list, [], where), f"{where}expected_values"),
            got_values=_floats(json_field(data, "got_values", list, [], where), f"{where}got_values"),
            path=json_field(data, "path", str, "", where),
        )


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
    # What the submission wrote to sys.stdout/sys.stderr during this case (public cases only;
    # bounded, ending with "(… N more bytes not shown)" where it was cut). Empty: nothing, or not shown.
    output: str = ""

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
        if self.output:
            data["output"] = self.output
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any], where: str = "case.") -> CaseResult:
        """Inverse of :meth:`to_json` (older records hold only id, verdict and time; none before
        this field existed holds ``output``)."""
        if not isinstance(data, Mapping):
            raise RecordError("expected an object", where.rstrip("."))
        number = (int, float)
        mismatch = json_field(data, "mismatch", dict, None, where)
        return cls(
            case_id=json_field(data, "id", str, where=where),
            hidden=json_field(data, "hidden", bool, False, where),
            verdict=_verdict(data, where),
            message=json_field(data, "message", str, "", where),
            time_s=json_field(data, "time_s", number, None, where),
            max_abs_error=json_field(data, "max_abs_error", number, None, where),
            max_rel_error=json_field(data, "max_rel_error", number, None, where),
            mismatch=None if mismatch is None else Mismatch.from_json(mismatch, f"{where}mismatch."),
            hint=json_field(data, "hint", str, None, where),
            output=json_field(data, "output", str, "", where),
        )


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

    @classmethod
    def from_json(cls, data: Mapping[str, Any], where: str = "run.") -> RunInfo:
        """Inverse of :meth:`to_json`."""
        number = (int, float)
        notes = json_field(data, "notes", list, [], where)
        if not all(isinstance(n, str) for n in notes):
            raise RecordError("expected a list of strings", f"{where}notes")
        return cls(
            sandboxed=json_field(data, "sandboxed", bool, where=where),
            stdout_bytes=json_field(data, "stdout_bytes", int, None, where),
            stderr_bytes=json_field(data, "stderr_bytes", int, None, where),
            output_truncated=json_field(data, "output_truncated", bool, None, where),
            peak_memory_mib=json_field(data, "peak_memory_mib", number, None, where),
            restarts=json_field(data, "restarts", int, 0, where),
            notes=tuple(notes),
        )


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

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SubmissionResult:
        """Inverse of :meth:`to_json`: ``SubmissionResult.from_json(r.to_json()) == r`` up to rounding.

        Example:
            >>> r = SubmissionResult("conv1d", "a.py", Verdict.ACCEPTED, (CaseResult("c1", False, Verdict.ACCEPTED),))
            >>> SubmissionResult.from_json(r.to_json()) == r
            True
            >>> SubmissionResult.from_json({**r.to_json(), "verdict": "great"})
            Traceback (most recent call last):
            ...
            judge.verdict.RecordError: unknown verdict 'great'; valid verdicts: accepted, wrong_answer, ...
        """
        number = (int, float)
        cases = json_field(data, "cases", list, [])
        environment = json_field(data, "environment", dict, {})
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in environment.items()):
            raise RecordError("expected an object of strings", "environment")
        run = json_field(data, "run", dict, None)
        return cls(
            problem=json_field(data, "problem", str, ""),
            submission=json_field(data, "submission", str),
            verdict=_verdict(data),
            cases=tuple(CaseResult.from_json(c, f"cases[{i}].") for i, c in enumerate(cases)),
            message=json_field(data, "message", str, ""),
            environment=dict(environment),
            run=None if run is None else RunInfo.from_json(run),
            wall_s=json_field(data, "wall_s", number, None),
            ranking_time_s=json_field(data, "ranking_time_s", number, None),
        )

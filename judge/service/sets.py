"""Problem sets (assignments, contests): problems grouped with an opening time, a deadline and a late rule.

A set names its problems in order, and optionally when it opens (``opens_at``) and its deadline
(``deadline``), both ISO 8601 times with a time zone. Its late rule is
``late: {allowed: true|false, penalty: 0.0..1.0}`` (default: allowed, no penalty).

A submission counts for a set only when it names it (``"set": ID`` in ``POST /v1/submissions``);
the same problem submitted without a set is practice and never counts. Before ``opens_at`` a
submission to the set is refused (403, saying when it opens). After the deadline it is graded as
any other and marked ``late``; with ``allowed: false`` it is refused (403) instead. Lateness is
read against the set's deadline as it is now: moving a deadline later un-marks what came before
it. A late submission's verdict and score are its own; the penalty applies only to what it adds
to the set's totals: ``score * (1 - penalty)``.

The set's leaderboard takes, for each user and problem, the submission to the set that counts
most (the earliest among equals); a user's total is the sum over the set's problems (each worth
1.0). Equal totals share a rank, listed by who reached it first.

Example:
    >>> rule = SetRules(opens_at=parse_time("2026-12-01T09:00:00Z", "opens_at"),
    ...                 deadline=parse_time("2026-12-08T09:00:00+01:00", "deadline"), late_allowed=True, late_penalty=0.25)
    >>> iso(rule.deadline)
    '2026-12-08T08:00:00Z'
    >>> [rule.phase(parse_time(t, "t")) for t in ("2026-11-30T00:00:00Z", "2026-12-02T00:00:00Z", "2026-12-09T00:00:00Z")]
    ['upcoming', 'open', 'late']
    >>> parse_time("next tuesday", "deadline")
    Traceback (most recent call last):
    ...
    judge.service.sets.SetError: deadline: 'next tuesday' is not an ISO 8601 time (e.g. 2026-12-08T17:00:00Z)
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..export.gradebook import Entry, Pick, pick
from ..safe_text import csv_cell, strict_json
from .db import StoredSet

SET_ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
MAX_SET_BODY = 64 * 1024  # bytes of a set's JSON body
MAX_PROBLEMS = 100
SET_FORMATS = ("json", "csv")


class SetError(ValueError):
    """A set's field is invalid: ``str(exc)`` starts with the field's name."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class LateIn(BaseModel):
    """``late`` in a set's body."""

    model_config = ConfigDict(extra="forbid", strict=True)

    allowed: bool = True
    penalty: float = Field(default=0.0, ge=0.0, le=1.0, allow_inf_nan=False)


class SetIn(BaseModel):
    """``PUT /v1/sets/{id}`` (and ``POST /v1/sets`` with an ``id``)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    title: str = Field(min_length=1, max_length=200)
    problems: list[str] = Field(min_length=1, max_length=MAX_PROBLEMS)
    opens_at: str | None = Field(default=None, max_length=64)
    deadline: str | None = Field(default=None, max_length=64)
    late: LateIn = Field(default_factory=LateIn)


class SetCreate(SetIn):
    """``POST /v1/sets``."""

    id: str = Field(pattern=SET_ID_PATTERN)


@dataclass(frozen=True)
class SetRules:
    """When a set takes submissions, and what a late one is worth."""

    opens_at: float | None = None
    deadline: float | None = None
    late_allowed: bool = True
    late_penalty: float = 0.0

    @classmethod
    def of(cls, stored: StoredSet) -> SetRules:
        return cls(stored.opens_at, stored.deadline, stored.late_allowed, stored.late_penalty)

    def phase(self, now: float) -> str:
        """``upcoming`` (not open yet), ``open``, ``late`` (past the deadline, still taking
        submissions) or ``closed`` (past the deadline, late submissions refused)."""
        if self.opens_at is not None and now < self.opens_at:
            return "upcoming"
        if self.deadline is not None and now > self.deadline:
            return "late" if self.late_allowed else "closed"
        return "open"

    def refusal(self, set_id: str, now: float) -> str | None:
        """Why a submission to the set at ``now`` is refused (the 403 detail), or None."""
        phase = self.phase(now)
        if phase == "upcoming":
            assert self.opens_at is not None
            return f"set: {set_id!r} opens at {iso(self.opens_at)}; submissions to it before then are refused"
        if phase == "closed":
            assert self.deadline is not None
            return f"set: {set_id!r} closed at {iso(self.deadline)} and takes no late submissions"
        return None


def parse_time(text: str, field: str) -> float:
    """An ISO 8601 time with a time zone (``Z`` or an offset) -> seconds since the epoch."""
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise SetError(field, f"{text!r} is not an ISO 8601 time (e.g. 2026-12-08T17:00:00Z)") from None
    if when.tzinfo is None or when.utcoffset() is None:
        raise SetError(field, f"{text!r} has no time zone: add Z (UTC) or an offset such as +01:00")
    return when.timestamp()


def iso(when: float) -> str:
    """Seconds since the epoch -> ISO 8601 UTC with a ``Z``, to the second."""
    return dt.datetime.fromtimestamp(when, dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def validate(body: SetIn, known_problems: Sequence[str]) -> tuple[tuple[str, ...], SetRules]:
    """The body's problems and rules, or :class:`SetError` naming the first bad field."""
    for index, problem in enumerate(body.problems):
        if problem not in known_problems:
            raise SetError(f"problems[{index}]", f"unknown problem {problem!r}")
    if len(set(body.problems)) != len(body.problems):
        raise SetError("problems", "lists a problem twice")
    opens_at = parse_time(body.opens_at, "opens_at") if body.opens_at is not None else None
    deadline = parse_time(body.deadline, "deadline") if body.deadline is not None else None
    if opens_at is not None and deadline is not None and deadline <= opens_at:
        raise SetError("deadline", f"{iso(deadline)} is not after opens_at ({iso(opens_at)})")
    return tuple(body.problems), SetRules(opens_at, deadline, body.late.allowed, body.late.penalty)


def set_document(stored: StoredSet, now: float) -> dict[str, Any]:
    """A set as the API returns it."""
    rules = SetRules.of(stored)
    return {
        "id": stored.id,
        "title": stored.title,
        "problems": list(stored.problems),
        "opens_at": iso(stored.opens_at) if stored.opens_at is not None else None,
        "deadline": iso(stored.deadline) if stored.deadline is not None else None,
        "late": {"allowed": stored.late_allowed, "penalty": stored.late_penalty},
        "status": rules.phase(now),
        "created_by": stored.created_by,
    }


@dataclass(frozen=True)
class SetRow:
    """One user's line in a set's leaderboard."""

    rank: int
    user: str
    total: float
    cells: tuple[Entry | None, ...]  # one per problem of the set, in its order; None: nothing submitted

    def to_json(self, problems: Sequence[str]) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "user": self.user,
            "total": round(self.total, 6),
            "problems": {p: None if c is None else {
                "score": round(c.score, 6), "counted": round(c.counted, 6), "verdict": c.verdict.value, "late": c.late,
                "submission": c.submission, "submitted_at": c.submitted_at,
            } for p, c in zip(problems, self.cells, strict=True)},
        }


def set_board(problems: Sequence[str], entries: Sequence[Entry]) -> list[SetRow]:
    """Rank users by their total over ``problems`` (see the module doc).

    >>> from judge.verdict import Verdict
    >>> entries = [Entry("ann", "a", 1.0, Verdict.ACCEPTED, "t1", 1), Entry("bob", "a", 1.0, Verdict.ACCEPTED, "t2", 2),
    ...            Entry("bob", "b", 1.0, Verdict.ACCEPTED, "t3", 3, late=True, penalty=0.5)]
    >>> [(r.rank, r.user, r.total) for r in set_board(["a", "b"], entries)]
    [(1, 'bob', 1.5), (2, 'ann', 1.0)]
    """
    best = pick((e for e in entries if e.problem in problems), Pick.BEST)
    by_user: dict[str, dict[str, Entry]] = {}
    for entry in best:
        by_user.setdefault(entry.user, {})[entry.problem] = entry
    unranked = []
    for user, cells in by_user.items():
        total = math.fsum(c.counted for c in cells.values())
        reached = max(c.order for c in cells.values())
        unranked.append((round(total, 9), reached, user, tuple(cells.get(p) for p in problems)))
    unranked.sort(key=lambda u: (-u[0], u[1], u[2]))
    rows: list[SetRow] = []
    for index, (total, _, user, row_cells) in enumerate(unranked):
        rank = rows[-1].rank if rows and rows[-1].total == total else index + 1
        rows.append(SetRow(rank, user, total, row_cells))
    return rows


def render_set_board(rows: Sequence[SetRow], problems: Sequence[str], fmt: str) -> str:
    """``json``: a list of rows; ``csv``: rank, user, total, then each problem's counted score and late flag."""
    if fmt == "json":
        return strict_json([r.to_json(problems) for r in rows], indent=2) + "\n"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["rank", "user", "total", *(h for p in problems for h in (csv_cell(p), csv_cell(f"{p} late")))])
    for row in rows:
        cells = [v for c in row.cells for v in (("", "") if c is None else (_number(c.counted), "true" if c.late else "false"))]
        writer.writerow([row.rank, csv_cell(row.user), _number(row.total), *cells])
    return buffer.getvalue()


def _number(value: float) -> str:
    return json.dumps(round(value, 6))

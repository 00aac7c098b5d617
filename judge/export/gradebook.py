"""Gradebook rows: one per user and problem, from a results store or the service's database, as CSV.

An LMS gradebook import wants one score per student and assignment. :class:`Entry` is one graded
submission as a gradebook sees it; :func:`pick` keeps one per user and problem (``best``: the
highest score, counting a late submission's penalty, earliest first among equals; ``latest``: the
last one submitted); :func:`render_csv` writes them. Every text cell goes through
:func:`judge.safe_text.csv_cell`, so a user or file name such as ``=HYPERLINK(...)`` is shown as
text by a spreadsheet, never run as a formula.

Example:
    >>> from judge.verdict import Verdict
    >>> rows = [Entry("ann", "conv1d", 0.5, Verdict.WRONG_ANSWER, "2026-12-01T10:00:00+00:00", 1),
    ...         Entry("ann", "conv1d", 1.0, Verdict.ACCEPTED, "2026-12-02T10:00:00+00:00", 2, late=True, penalty=0.6),
    ...         Entry("=cmd", "conv1d", 1.0, Verdict.ACCEPTED, "2026-12-01T11:00:00+00:00", 3)]
    >>> print(render_csv(pick(rows, Pick.BEST), max_score=10), end="")
    user,problem,score,max_score,verdict,submitted_at,late,submission
    '=cmd,conv1d,10,10,accepted,2026-12-01T11:00:00+00:00,false,
    ann,conv1d,5,10,wrong_answer,2026-12-01T10:00:00+00:00,false,
"""

from __future__ import annotations

import csv
import enum
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..record import ResultRecord
from ..safe_text import csv_cell
from ..service.db import ServiceDB, StoredSet
from ..verdict import Verdict

COLUMNS = ("user", "problem", "score", "max_score", "verdict", "submitted_at", "late")


class Pick(str, enum.Enum):
    """Which submission of a user's to a problem the gradebook gets."""

    BEST = "best"
    LATEST = "latest"


@dataclass(frozen=True)
class Entry:
    """One graded submission as a gradebook sees it. ``score`` is the judge's (0.0 to 1.0);
    ``penalty`` is the share a late submission loses in a set's totals (never in its verdict)."""

    user: str
    problem: str
    score: float
    verdict: Verdict
    submitted_at: str
    order: int  # the order the submissions were received in: what "latest" and "earliest" mean
    submission: str = ""
    late: bool = False
    penalty: float = 0.0
    set_id: str = ""

    @property
    def counted(self) -> float:
        """The score that counts in a set's totals: the late penalty taken off when late."""
        return self.score * (1.0 - self.penalty) if self.late else self.score


def pick(entries: Iterable[Entry], how: Pick = Pick.BEST) -> list[Entry]:
    """One entry per (user, problem), sorted by user then problem.

    >>> from judge.verdict import Verdict
    >>> a = Entry("ann", "p", 1.0, Verdict.ACCEPTED, "t1", 1)
    >>> b = Entry("ann", "p", 0.0, Verdict.WRONG_ANSWER, "t2", 2)
    >>> [e.order for e in pick([a, b], Pick.BEST)], [e.order for e in pick([a, b], Pick.LATEST)]
    ([1], [2])
    """
    chosen: dict[tuple[str, str], Entry] = {}
    for entry in entries:
        key = (entry.user, entry.problem)
        held = chosen.get(key)
        if held is None:
            chosen[key] = entry
        elif how is Pick.LATEST:
            chosen[key] = max(held, entry, key=lambda e: e.order)
        elif (entry.counted, -entry.order) > (held.counted, -held.order):
            chosen[key] = entry
    return [chosen[k] for k in sorted(chosen)]


def from_records(records: Iterable[ResultRecord]) -> list[Entry]:
    """Entries from a results store (``judge batch --out``): the latest line of each submission
    (a re-timed submission has two), in the order the submissions were first seen.

    Batch runs have no deadlines: no entry is late.
    """
    from ..batch.ties import latest

    ordered = sorted(latest(records), key=lambda r: (r.submitted_at, r.submission))
    return [Entry(r.user, r.problem, r.score, r.verdict, r.submitted_at, i, r.submission) for i, r in enumerate(ordered)]


def from_service(db: ServiceDB, *, problem: str | None = None, problem_set: StoredSet | None = None) -> list[Entry]:
    """Entries from the service's database: every submission with a current result (of ``problem``).

    With ``problem_set``: only the submissions made to that set (``"set"`` in the POST), of the
    problems it holds now, each late or not against the set's deadline, with its late penalty.
    """
    if problem_set is None:
        graded = db.graded(problem=problem)
        return [Entry(g.user, g.problem, g.record.score, g.record.verdict, g.submitted_at, g.seq, g.submission_id, g.late,
                      0.0, g.set_id or "") for g in graded]
    graded = [g for g in db.graded(problem=problem, set_id=problem_set.id) if g.problem in problem_set.problems]
    return [Entry(g.user, g.problem, g.record.score, g.record.verdict, g.submitted_at, g.seq, g.submission_id, g.late,
                  problem_set.late_penalty, problem_set.id) for g in graded]


def render_csv(entries: Sequence[Entry], *, max_score: float = 100.0, with_set: bool = False) -> str:
    """The gradebook CSV: a header and one row per entry.

    ``score`` is the judge's score scaled to ``max_score`` (with a set, the late penalty taken off:
    the score that counts in the set); ``late`` is ``true`` or ``false``; ``set`` is added with
    ``with_set``. Numbers are written without a trailing ``.0``.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    header = [*COLUMNS, *(("set",) if with_set else ()), "submission"]
    writer.writerow(header)
    for e in entries:
        score = e.counted if with_set else e.score
        row = [csv_cell(e.user), csv_cell(e.problem), _number(score * max_score), _number(max_score), e.verdict.value,
               csv_cell(e.submitted_at), "true" if e.late else "false"]
        if with_set:
            row.append(csv_cell(e.set_id))
        row.append(csv_cell(e.submission))
        writer.writerow(row)
    return buffer.getvalue()


def _number(value: float) -> str:
    rounded = round(value, 4)
    return str(int(rounded)) if rounded == int(rounded) else str(rounded)

"""Which ranking times are too close to order, and the ties they make (the leaderboard's ranks).

Ranking times closer than :data:`NOISE` do not say which submission is faster (the spread is
measured with ``bench/ranking_noise.py``; see the README). Each user's best record is grouped with
the records of the same score whose times are within that noise of the group's **fastest** time:
closeness is not chained, so a tie never spans more than the noise band (A ~ B and B ~ C with
A not ~ C: A and B tie, C starts the next group). Inside a group, the earlier submission is listed
first. Records without a ranking time never tie on time.

Kept apart from :mod:`judge.batch.leaderboard` so that ``judge batch`` can pick the close
contenders to re-time (:mod:`judge.batch.retime`) without importing the rendering.

Example:
    >>> from judge.verdict import CaseResult, SubmissionResult, Verdict
    >>> def rec(user: str, time_s: float) -> ResultRecord:
    ...     result = SubmissionResult("p", f"{user}.py", Verdict.ACCEPTED, (CaseResult("c", False, Verdict.ACCEPTED),),
    ...                               ranking_time_s=time_s)
    ...     return ResultRecord(user, f"{user}.py", "0", result, submitted_at=user)
    >>> [[r.user for r in g] for g in close_contenders([rec("a", 0.0100), rec("b", 0.0104), rec("c", 0.0107)])]
    [['a', 'b']]
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from ..record import ResultRecord

NOISE = 0.05  # ranking times closer than 5% are within these machines' run-to-run noise (README)


def within_noise(a: float, b: float, noise: float = NOISE) -> bool:
    """Whether two ranking times are too close to order: they differ by less than ``noise`` of the slower.

    Example:
        >>> within_noise(0.0100, 0.0104), within_noise(0.0100, 0.0106)
        (True, False)
    """
    fast, slow = sorted((a, b))
    return fast == slow or slow - fast < noise * slow


def latest(records: Iterable[ResultRecord]) -> list[ResultRecord]:
    """The last record of each submission (path and content hash), in the order each was first seen.

    A later line for the same submission replaces the earlier: a re-timed record, or a regrade.

    Example:
        >>> from judge.verdict import SubmissionResult, Verdict
        >>> def rec(time_s: float) -> ResultRecord:
        ...     result = SubmissionResult("p", "a.py", Verdict.ACCEPTED, (), ranking_time_s=time_s)
        ...     return ResultRecord("ann", "a.py", "0", result)
        >>> [r.ranking_time_s for r in latest([rec(0.2), rec(0.1)])]
        [0.1]
    """
    last = {r.key: r for r in records}
    return list(last.values())


def order_key(record: ResultRecord) -> tuple[float, float, str, str]:
    """Best first: higher score, then lower ranking time (none: last), then earlier submission."""
    time_s = record.ranking_time_s
    return (-record.score, time_s if time_s is not None else math.inf, record.submitted_at, record.submission)


def _tied(anchor: ResultRecord, other: ResultRecord) -> bool:
    """Whether ``other`` shares the rank of the tie whose fastest record is ``anchor``."""
    ta, tb = anchor.ranking_time_s, other.ranking_time_s
    return anchor.score == other.score and ta is not None and tb is not None and within_noise(ta, tb)


def tie_groups(records: Iterable[ResultRecord]) -> list[tuple[ResultRecord, ...]]:
    """Each user's best record, grouped by shared rank, best group first (see the module doc).

    A group of several is a tie within measurement noise, listed earlier submission first; its
    rank is the number of records in the groups before it, plus one.

    Example:
        >>> from judge.verdict import CaseResult, SubmissionResult, Verdict
        >>> def rec(user: str, time_s: float) -> ResultRecord:
        ...     result = SubmissionResult("p", f"{user}.py", Verdict.ACCEPTED, (CaseResult("c", False, Verdict.ACCEPTED),),
        ...                               ranking_time_s=time_s)
        ...     return ResultRecord(user, f"{user}.py", "0", result, submitted_at=user)
        >>> [[r.user for r in g] for g in tie_groups([rec("a", 0.0100), rec("b", 0.0104), rec("c", 0.0107)])]
        [['a', 'b'], ['c']]
    """
    best: dict[str, ResultRecord] = {}
    for record in latest(records):
        user = record.user
        if user not in best or order_key(record) < order_key(best[user]):
            best[user] = record
    groups: list[list[ResultRecord]] = []
    for record in sorted(best.values(), key=order_key):
        # The group's first record (in order_key) is its fastest: closeness is measured from it only.
        if groups and _tied(groups[-1][0], record):
            groups[-1].append(record)
        else:
            groups.append([record])
    return [tuple(sorted(g, key=lambda r: (r.submitted_at, r.submission, r.user))) for g in groups]


def close_contenders(records: Iterable[ResultRecord]) -> list[tuple[ResultRecord, ...]]:
    """The ties within measurement noise (groups of two or more): what ``judge batch`` re-times together."""
    return [group for group in tie_groups(records) if len(group) > 1]



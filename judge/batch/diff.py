"""Two result sets -> the submissions whose verdict or score changed (``judge diff``).

Example:
    >>> from judge.record import Job, ResultRecord
    >>> from judge.verdict import CaseResult, SubmissionResult, Verdict
    >>> def graded(verdict: Verdict) -> ResultRecord:
    ...     result = SubmissionResult("conv1d", "x.py", verdict, (CaseResult("c", False, verdict),))
    ...     return ResultRecord("x", "x.py", "0", result)
    >>> [c.to_json() for c in diff_results([graded(Verdict.WRONG_ANSWER)], [graded(Verdict.ACCEPTED)])]
    [{'submission': 'x.py', 'user': 'x', 'verdict_before': 'wrong_answer', 'verdict_after': 'accepted', 'score_before': 0.0, 'score_after': 1.0}]
    >>> [c.line() for c in diff_results([graded(Verdict.ACCEPTED)], [])]
    ['x.py: accepted (1.0) -> not graded']
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..record import ResultRecord
from ..safe_text import visible
from ..verdict import Verdict

NOT_GRADED = "not graded"  # the side of a change where the submission has no result


@dataclass(frozen=True)
class Change:
    """One submission graded differently in two result sets; None where it is absent from one."""

    submission: str
    user: str
    verdict_before: Verdict | None
    verdict_after: Verdict | None
    score_before: float | None
    score_after: float | None

    def to_json(self) -> dict[str, Any]:
        return {
            "submission": self.submission,
            "user": self.user,
            "verdict_before": None if self.verdict_before is None else self.verdict_before.value,
            "verdict_after": None if self.verdict_after is None else self.verdict_after.value,
            "score_before": self.score_before,
            "score_after": self.score_after,
        }

    def line(self) -> str:
        """One line for people: ``path: before (score) -> after (score)``, "not graded" for a
        missing side; the path shown through :func:`judge.safe_text.visible`."""

        def side(verdict: Verdict | None, score: float | None) -> str:
            return NOT_GRADED if verdict is None else f"{verdict.value} ({score})"

        return visible(f"{self.submission}: {side(self.verdict_before, self.score_before)} -> {side(self.verdict_after, self.score_after)}")


def diff_results(a: Iterable[ResultRecord], b: Iterable[ResultRecord]) -> list[Change]:
    """Submissions (by path) whose verdict or score differs between two result sets.

    A path graded several times in one set counts with its last record (the newest line).
    """
    old = {r.submission: r for r in a}
    new = {r.submission: r for r in b}
    changes = []
    for path in sorted(old.keys() | new.keys()):
        before, after = old.get(path), new.get(path)
        verdicts = (before.verdict if before else None, after.verdict if after else None)
        scores = (round(before.score, 6) if before else None, round(after.score, 6) if after else None)
        if verdicts[0] != verdicts[1] or scores[0] != scores[1]:
            owner = after or before
            assert owner is not None  # the path came from one of the two sets
            changes.append(Change(path, owner.user, verdicts[0], verdicts[1], scores[0], scores[1]))
    return changes

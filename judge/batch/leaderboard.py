"""Rank users by their best submission: higher score, then lower ranking time, then earlier.

"Earlier" is ``submitted_at``: the time the judge first saw the submission (see judge.batch), not
anything the submitter controls. User and file names are the submitters' choice: every format
shows them through :mod:`judge.safe_text`, so a name can neither add a row, run a formula, inject
HTML nor drive a terminal. Rows keep the raw values; only rendering escapes.

Example:
    >>> from judge.record import ResultRecord
    >>> from judge.verdict import CaseResult, SubmissionResult, Verdict
    >>> def graded(user: str, time_s: float, at: str) -> ResultRecord:
    ...     result = SubmissionResult("conv1d", f"{user}.py", Verdict.ACCEPTED,
    ...                               (CaseResult("c", False, Verdict.ACCEPTED),), ranking_time_s=time_s)
    ...     return ResultRecord(user, f"{user}.py", "0", result, submitted_at=at)
    >>> rows = rank([graded("ann", 0.0102, "t2"), graded("ben", 0.0100, "t1")])
    >>> print(render(rows, "text"), end="")
    rank  user  submission  verdict                score   time ms
       1  ben   ben.py      accepted               1.000    10.000  (same score as #2; faster (10.000 ms vs 10.200 ms), within measurement noise)
       2  ann   ann.py      accepted               1.000    10.200
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from dataclasses import dataclass

from ..record import ResultRecord
from ..safe_text import csv_cell, html_text, md_cell, strict_json, visible
from ..verdict import Verdict

FORMATS = ("text", "md", "csv", "json", "html")
NOISE = 0.05  # ranking times closer than 5% are within these machines' run-to-run noise


@dataclass(frozen=True)
class Row:
    """One user's line in the leaderboard."""

    rank: int
    user: str
    submission: str
    verdict: Verdict
    score: float
    time_s: float | None
    submitted_at: str
    tie_break: str = ""  # why this row ranks above the next one when their scores are equal


def _order(record: ResultRecord) -> tuple[float, float, str, str]:
    time_s = record.ranking_time_s
    return (-record.score, time_s if time_s is not None else math.inf, record.submitted_at, record.submission)


def rank(records: Iterable[ResultRecord]) -> list[Row]:
    """Each user's best record, ranked; ties in score are broken by time, then by submission time."""
    best: dict[str, ResultRecord] = {}
    for record in records:
        user = record.user
        if user not in best or _order(record) < _order(best[user]):
            best[user] = record
    ordered = sorted(best.values(), key=_order)
    rows: list[Row] = []
    for position, record in enumerate(ordered, 1):
        nxt = ordered[position] if position < len(ordered) else None
        rows.append(
            Row(
                rank=position,
                user=record.user,
                submission=record.submission,
                verdict=record.verdict,
                score=record.score,
                time_s=record.ranking_time_s,
                submitted_at=record.submitted_at,
                tie_break=_explain(record, nxt, position + 1) if nxt else "",
            )
        )
    return rows


def _explain(a: ResultRecord, b: ResultRecord, next_rank: int) -> str:
    if a.score != b.score:
        return ""
    ta, tb = a.ranking_time_s, b.ranking_time_s
    if ta is not None and tb is not None and ta != tb:
        note = f"same score as #{next_rank}; faster ({ta * 1e3:.3f} ms vs {tb * 1e3:.3f} ms)"
        if tb and (tb - ta) / tb < NOISE:
            note += ", within measurement noise"
        return note
    if ta is not None and tb is None:
        return f"same score as #{next_rank}; has a ranking time, #{next_rank} does not"
    return f"same score as #{next_rank} and no faster; submitted earlier ({a.submitted_at or '?'} vs {b.submitted_at or '?'})"


def render(rows: list[Row], fmt: str) -> str:
    """Render rows as text, md, csv, json or html."""
    if fmt == "json":
        return strict_json(
            [
                {"rank": r.rank, "user": r.user, "submission": r.submission, "verdict": r.verdict.value,
                 "score": r.score, "time_s": r.time_s, "tie_break": r.tie_break}
                for r in rows
            ],
            indent=2,
        )
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["rank", "user", "submission", "verdict", "score", "time_s", "submitted_at", "tie_break"])
        for r in rows:
            user, sub, verdict, at, tie_break = (csv_cell(str(t)) for t in (r.user, r.submission, r.verdict.value, r.submitted_at, r.tie_break))
            writer.writerow([r.rank, user, sub, verdict, f"{r.score:.6g}", "" if r.time_s is None else f"{r.time_s:.6g}", at, tie_break])
        return buffer.getvalue()
    if fmt == "md":
        lines = ["| rank | user | submission | verdict | score | time (ms) | tie-break |", "|---:|---|---|---|---:|---:|---|"]
        for r in rows:
            # No code span around the file name: escapes do not work inside one.
            user, sub, verdict, tie_break = (md_cell(str(t)) for t in (r.user, r.submission, r.verdict.value, r.tie_break))
            cells = [str(r.rank), user, sub, verdict, f"{r.score:.3f}", _ms(r.time_s), tie_break]
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines) + "\n"
    if fmt == "html":
        return _html(rows)
    if fmt == "text":
        return _text(rows)
    raise ValueError(f"unknown format {fmt!r}; valid: {', '.join(FORMATS)}")


def _text(rows: list[Row]) -> str:
    shown = [(visible(str(r.user)), visible(str(r.submission)), r.verdict.value, visible(r.tie_break)) for r in rows]
    width = max([len(user) for user, _, _, _ in shown] + [4])
    sub_w = max([len(sub) for _, sub, _, _ in shown] + [10])
    out = [f"{'rank':>4}  {'user':<{width}}  {'submission':<{sub_w}}  {'verdict':<21} {'score':>6} {'time ms':>9}"]
    for r, (user, sub, verdict, tie_break) in zip(rows, shown, strict=True):
        line = f"{r.rank:>4}  {user:<{width}}  {sub:<{sub_w}}  {verdict:<21} {r.score:6.3f} {_ms(r.time_s):>9}"
        out.append(line + (f"  ({tie_break})" if tie_break else ""))
    return "\n".join(out) + "\n"


def _ms(time_s: float | None) -> str:
    return "-" if time_s is None else f"{time_s * 1e3:.3f}"


def _html(rows: list[Row]) -> str:
    body = "\n".join(
        "<tr>"
        + "".join(
            f"<td>{html_text(str(c))}</td>"
            for c in (r.rank, r.user, r.submission, r.verdict.value, f"{r.score:.3f}", _ms(r.time_s), r.tie_break)
        )
        + "</tr>"
        for r in rows
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Leaderboard</title>
<style>
body{{font-family:system-ui,sans-serif;margin:2rem;color:#222}}
table{{border-collapse:collapse}} th,td{{padding:.35rem .8rem;border-bottom:1px solid #ddd;text-align:left}}
th{{background:#f4f4f4}} td:nth-child(1),td:nth-child(5),td:nth-child(6){{text-align:right}}
</style></head><body>
<h1>Leaderboard</h1>
<p>Best submission per user: higher score first, then lower ranking time, then earlier submission.</p>
<table><thead><tr><th>rank</th><th>user</th><th>submission</th><th>verdict</th><th>score</th><th>time (ms)</th><th>tie-break</th></tr></thead>
<tbody>
{body}
</tbody></table></body></html>
"""


"""Rank users by their best submission: higher score, then lower ranking time, then earlier.

"Earlier" is ``submitted_at``: the time the judge first saw the submission (see judge.batch), not
anything the submitter controls. User and file names are the submitters' choice: every format
shows them through :mod:`judge.safe_text`, so a name can neither add a row, run a formula, inject
HTML nor drive a terminal. Rows keep the raw values; only rendering escapes.

**No rank inside the noise.** Ranking times closer than :data:`NOISE` (5%, measured with
``bench/ranking_noise.py``) do not say which submission is faster, so users whose best records
have the same score and times that close share a rank (standard competition ranking: 1, 2, 2, 4)
in every format, listed earlier submission first. Closeness is not chained: a tie is anchored at
its fastest time and takes every following time (same score) within the noise of *that* time;
the first time outside starts the next rank, even when it is within the noise of the tie's
slowest. So a tie never spans more than the noise band, and A ~ B, B ~ C with A not ~ C gives
A and B one rank and C the next. The records are the latest per submission (path and content
hash): a later line for the same submission (a re-timed one, see :mod:`judge.batch.retime`)
replaces the earlier.

A :class:`Board` adds what the rows alone do not say: the problem(s), counts, when it was made,
and whether the batch is unfinished (:func:`judge.batch.completion`). An unfinished batch is said
in every format, each kept valid and machine-readable: a line before the text table, a ``>``
blockquote before the Markdown table, a highlighted paragraph in HTML. CSV and JSON stay pure
data (the JSON a top-level list of rows, as before; no comment line that would break a CSV
reader): for them :func:`warning` gives the line that ``judge leaderboard`` prints on stderr.

Example:
    >>> from judge.record import ResultRecord
    >>> from judge.verdict import CaseResult, SubmissionResult, Verdict
    >>> def graded(user: str, time_s: float, at: str) -> ResultRecord:
    ...     result = SubmissionResult("conv1d", f"{user}.py", Verdict.ACCEPTED,
    ...                               (CaseResult("c", False, Verdict.ACCEPTED),), ranking_time_s=time_s)
    ...     return ResultRecord(user, f"{user}.py", "0", result, submitted_at=at)
    >>> rows = rank([graded("ann", 0.0100, "t2"), graded("ben", 0.0102, "t1"), graded("cy", 0.0120, "t0")])
    >>> [(r.rank, r.user, r.time_s) for r in rows]
    [(1, 'ben', 0.0102), (1, 'ann', 0.01), (3, 'cy', 0.012)]
    >>> print(rows[0].tie_break)
    tied at #1 with the next row: same score, times within measurement noise (10.200 ms vs 10.000 ms); listed first as submitted earlier (t1 vs t2)
    >>> print(rows[1].tie_break)
    same score as #3; the tie at #1 is faster (its fastest 10.000 ms vs 12.000 ms)
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from ..record import ResultRecord
from ..safe_text import csv_cell, html_text, md_cell, strict_json, visible
from ..verdict import Verdict
from . import Completion
from .ties import NOISE, close_contenders, latest, order_key, tie_groups, within_noise

FORMATS = ("text", "md", "csv", "json", "html")
__all__ = ["FORMATS", "NOISE", "Board", "Row", "close_contenders", "latest", "rank", "render", "tie_groups", "warning", "within_noise"]


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
    problem: str = ""


@dataclass(frozen=True)
class Board:
    """What a leaderboard page says besides its rows (see the module doc)."""

    problems: tuple[str, ...] = ()
    users: int = 0
    submissions: int | None = None  # graded submissions; None: only the rows (best per user) are known
    by_verdict: tuple[tuple[Verdict, int], ...] = ()  # of every graded submission (of the rows when submissions is None)
    completion: Completion | None = None  # None: unknown (say nothing)
    generated_at: str = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))

    @classmethod
    def of(cls, records: Sequence[ResultRecord], completion: Completion | None = None, generated_at: str = "") -> Board:
        """The board of every graded record (a submission graded twice counts once, its last record)."""
        latest = {r.key: r for r in records}
        counts = Counter(r.verdict for r in latest.values())
        extra = {"generated_at": generated_at} if generated_at else {}
        return cls(
            problems=tuple(sorted({r.problem for r in latest.values()})),
            users=len({r.user for r in latest.values()}),
            submissions=len(latest),
            by_verdict=tuple((v, counts[v]) for v in Verdict if counts[v]),
            completion=completion,
            **extra,
        )

    @classmethod
    def of_rows(cls, rows: Sequence[Row]) -> Board:
        """A board from the ranked rows only (each user's best): what render shows without one."""
        counts = Counter(r.verdict for r in rows)
        return cls(
            problems=tuple(sorted({r.problem for r in rows if r.problem})),
            users=len(rows),
            by_verdict=tuple((v, counts[v]) for v in Verdict if counts[v]),
        )


def warning(board: Board | None) -> str | None:
    """The unfinished-batch warning (plain text, one line), or None when complete or unknown.

    Example:
        >>> from judge.batch import Completion
        >>> board = Board(completion=Completion(discovered=5, ungraded=2, users=("ann", "b\\x1bob")))
        >>> print(warning(board))  # doctest: +ELLIPSIS
        warning: the batch is unfinished: 2 of 5 submissions have no result yet (users: ann, b\\x1bob); their rows...
    """
    done = board.completion if board is not None else None
    if done is None or done.complete:
        return None
    return "warning: " + _unfinished(done, visible)


def _unfinished(done: Completion, show: Callable[[str], str]) -> str:
    """The warning's words, with user names through ``show`` (the format's escaping)."""
    names = ", ".join(show(u) for u in done.users[:5]) + (f" and {len(done.users) - 5} more" if len(done.users) > 5 else "")
    users = f" (users: {names})" if names else ""
    return (f"the batch is unfinished: {done.ungraded} of {done.discovered} submissions have no result yet{users}; "
            "their rows may change: rerun judge batch to finish")


def rank(records: Iterable[ResultRecord]) -> list[Row]:
    """Each user's best record, ranked; ties within measurement noise share a rank (see the module doc)."""
    groups = tie_groups(records)
    rows: list[Row] = []
    position = 1
    for number, group in enumerate(groups):
        following = groups[number + 1] if number + 1 < len(groups) else None
        for index, record in enumerate(group):
            if index + 1 < len(group):
                tie_break = _explain_tie(record, group[index + 1], position)
            elif following is not None:
                tie_break = _explain(group, following, position, position + len(group))
            else:
                tie_break = ""
            rows.append(
                Row(
                    rank=position,
                    user=record.user,
                    submission=record.submission,
                    verdict=record.verdict,
                    score=record.score,
                    time_s=record.ranking_time_s,
                    submitted_at=record.submitted_at,
                    tie_break=tie_break,
                    problem=record.problem,
                )
            )
        position += len(group)
    return rows


def _explain_tie(a: ResultRecord, b: ResultRecord, rank_: int) -> str:
    assert a.ranking_time_s is not None and b.ranking_time_s is not None  # a tie has times
    return (f"tied at #{rank_} with the next row: same score, times within measurement noise "
            f"({_ms(a.ranking_time_s)} ms vs {_ms(b.ranking_time_s)} ms); "
            f"listed first as submitted earlier ({a.submitted_at or '?'} vs {b.submitted_at or '?'})")


def _explain(group: Sequence[ResultRecord], following: Sequence[ResultRecord], rank_: int, next_rank: int) -> str:
    """Why ``group`` (one rank) is above ``following`` (the next), when their scores are equal."""
    a, b = group[-1], following[0]
    if a.score != b.score:
        return ""
    fastest = min(group, key=order_key).ranking_time_s
    ta, tb = a.ranking_time_s, min(following, key=order_key).ranking_time_s
    if fastest is not None and tb is not None:
        if len(group) == 1:
            note = f"same score as #{next_rank}; faster ({_ms(fastest)} ms vs {_ms(tb)} ms)"
        else:
            note = f"same score as #{next_rank}; the tie at #{rank_} is faster (its fastest {_ms(fastest)} ms vs {_ms(tb)} ms)"
        slowest = max(t for t in (r.ranking_time_s for r in group) if t is not None)
        if within_noise(slowest, tb):
            note += (f"; {_ms(slowest)} ms vs {_ms(tb)} ms alone is within measurement noise, "
                     "but a tie is counted from its fastest time")
        return note
    if ta is not None and tb is None:
        return f"same score as #{next_rank}; has a ranking time, #{next_rank} does not"
    return f"same score as #{next_rank} and no faster; submitted earlier ({a.submitted_at or '?'} vs {b.submitted_at or '?'})"


def render(rows: list[Row], fmt: str, board: Board | None = None) -> str:
    """Render rows as text, md, csv, json or html; every format ends with a newline.

    ``board`` (default: what the rows alone tell) adds the unfinished-batch warning to text, md and
    html, and the problem, counts and date to the html page; csv and json are rows only.
    """
    if fmt == "json":
        return strict_json(
            [
                {"rank": r.rank, "user": r.user, "submission": r.submission, "verdict": r.verdict.value,
                 "score": r.score, "time_s": r.time_s, "submitted_at": r.submitted_at, "tie_break": r.tie_break}
                for r in rows
            ],
            indent=2,
        ) + "\n"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["rank", "user", "submission", "verdict", "score", "time_s", "submitted_at", "tie_break"])
        for r in rows:
            user, sub, verdict, at, tie_break = (csv_cell(str(t)) for t in (r.user, r.submission, r.verdict.value, r.submitted_at, r.tie_break))
            writer.writerow([r.rank, user, sub, verdict, f"{r.score:.6g}", "" if r.time_s is None else f"{r.time_s:.6g}", at, tie_break])
        return buffer.getvalue()
    unfinished = board.completion if board is not None and board.completion and not board.completion.complete else None
    if fmt == "md":
        lines = [f"> **Warning:** {_unfinished(unfinished, md_cell)}", ""] if unfinished else []
        lines += ["| rank | user | submission | verdict | score | time (ms) | tie-break |", "|---:|---|---|---|---:|---:|---|"]
        for r in rows:
            # No code span around the file name: escapes do not work inside one.
            user, sub, verdict, tie_break = (md_cell(str(t)) for t in (r.user, r.submission, r.verdict.value, r.tie_break))
            cells = [str(r.rank), user, sub, verdict, f"{r.score:.3f}", _ms(r.time_s), tie_break]
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines) + "\n"
    if fmt == "html":
        return _html(rows, board or Board.of_rows(rows))
    if fmt == "text":
        note = warning(board)
        return (note + "\n" if note else "") + _text(rows)
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


def _html(rows: list[Row], board: Board) -> str:
    """A page to publish: problem, date, counts, coloured verdicts, the unfinished-batch warning.

    Every value a submitter chose (user and file names, and problem ids, which come from the
    results file) goes through :func:`html_text`; class names come from the Verdict enum only.
    """
    body = "\n".join(
        f'<tr class="v-{r.verdict.value}">'
        + "".join(
            f'<td class="{cls}">{html_text(str(c))}</td>'
            for cls, c in (("rank", r.rank), ("user", r.user), ("submission", r.submission), (f"verdict v-{r.verdict.value}", r.verdict.value),
                           ("num", f"{r.score:.3f}"), ("num", _ms(r.time_s)), ("tie", r.tie_break))
        )
        + "</tr>"
        for r in rows
    )
    problems = ", ".join(html_text(p) for p in board.problems)
    title = f"Leaderboard · {problems}" if problems else "Leaderboard"
    verdicts = " ".join(
        f'<span class="verdict v-{v.value}">{html_text(v.value)} {n}</span>' for v, n in board.by_verdict
    ) or "none"
    unfinished = board.completion if board.completion is not None and not board.completion.complete else None
    alert = f'<p class="warning" role="alert"><strong>Warning:</strong> {_unfinished(unfinished, html_text)}</p>\n' if unfinished else ""
    graded = "" if board.submissions is None else f" · {board.submissions} submission(s) graded"
    counted = "each user's best submission" if board.submissions is None else "every graded submission"
    styles = "\n".join(f".v-{v.value}{{{_CSS[v]}}}" for v in Verdict)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body{{font-family:system-ui,sans-serif;margin:2rem;color:#222;max-width:70rem}}
table{{border-collapse:collapse}} th,td{{padding:.35rem .8rem;border-bottom:1px solid #ddd;text-align:left}}
th{{background:#f4f4f4}} td.rank,td.num{{text-align:right;font-variant-numeric:tabular-nums}}
.meta{{color:#555}} .verdict{{padding:.1rem .4rem;border-radius:.25rem;white-space:nowrap}}
.warning{{background:#fff4ce;border-left:4px solid #e0a800;padding:.6rem .9rem}}
{styles}
</style></head><body>
<h1>{title}</h1>
{alert}<p class="meta">Generated {html_text(board.generated_at)} · {board.users} user(s){graded}</p>
<p class="counts">Verdicts of {counted}: {verdicts}</p>
<p>Best submission per user: higher score first, then lower ranking time, then earlier submission.
Ranking times within {NOISE:.0%} of each other are within measurement noise: those users share a rank.</p>
<table><thead><tr><th>rank</th><th>user</th><th>submission</th><th>verdict</th><th>score</th><th>time (ms)</th><th>tie-break</th></tr></thead>
<tbody>
{body}
</tbody></table></body></html>
"""


_CSS = {
    Verdict.ACCEPTED: "background:#dcf5e3;color:#0b6b2b",
    Verdict.WRONG_ANSWER: "background:#fde2e1;color:#a1160a",
    Verdict.RUNTIME_ERROR: "background:#f3e1f7;color:#7a1f8f",
    Verdict.TIME_LIMIT_EXCEEDED: "background:#fff1cc;color:#7a5600",
    Verdict.MEMORY_LIMIT_EXCEEDED: "background:#fff1cc;color:#7a5600",
    Verdict.OUTPUT_LIMIT_EXCEEDED: "background:#fff1cc;color:#7a5600",
    Verdict.COMPILE_ERROR: "background:#f3e1f7;color:#7a1f8f",
    Verdict.INTERNAL_ERROR: "background:#ffd6d6;color:#8b0000;font-weight:bold",
}

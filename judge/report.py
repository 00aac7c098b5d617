"""Render results for people (text, coloured only on a terminal) and machines (JSON).

Example:
    >>> print(render_json(result))        # doctest: +SKIP
    {"problem": "conv1d", "verdict": "accepted", ...}
"""

from __future__ import annotations

import json
from typing import IO

from rich.console import Console
from rich.markup import escape

from .verdict import CaseResult, SubmissionResult, Verdict

_STYLE = {
    Verdict.ACCEPTED: "green",
    Verdict.WRONG_ANSWER: "red",
    Verdict.RUNTIME_ERROR: "magenta",
    Verdict.TIME_LIMIT_EXCEEDED: "yellow",
    Verdict.MEMORY_LIMIT_EXCEEDED: "yellow",
    Verdict.OUTPUT_LIMIT_EXCEEDED: "yellow",
    Verdict.COMPILE_ERROR: "magenta",
    Verdict.INTERNAL_ERROR: "bold red",
}


def render_json(result: SubmissionResult) -> str:
    """Exactly one JSON document."""
    return json.dumps(result.to_json(), indent=2)


def make_console(stream: IO[str] | None = None) -> Console:
    """A console that colours only when writing to a terminal."""
    return Console(file=stream, highlight=False, soft_wrap=True)


def case_line(case: CaseResult) -> str:
    """One line (rich markup) for a case."""
    mark = "✓" if case.passed else "✗"
    style = _STYLE[case.verdict]
    label = f"{case.case_id}{' (hidden)' if case.hidden else ''}"
    time = f"{case.time_s:7.3f}s" if case.time_s is not None else "      - "
    first = case.message.splitlines()[0] if case.message else ""
    line = f"  [{style}]{mark} {case.verdict.short:<3}[/] {escape(label):<34} {time}"
    return line + (f"  {escape(first)}" if first else "")


def render_text(result: SubmissionResult, console: Console, *, with_cases: bool = True) -> None:
    """The human report: header, a line per case, details for failures, a summary."""
    run = result.run
    isolation = "sandboxed" if run and run.sandboxed else "NOT sandboxed (--no-sandbox: trusted code only)"
    if with_cases:
        console.print(f"[bold]{escape(result.problem)}[/] · {escape(result.submission)} · {isolation}")
        for case in result.cases:
            console.print(case_line(case))
    details = [c for c in result.cases if not c.passed and (c.mismatch or "\n" in c.message)]
    shown: set[str] = set()
    for case in details:
        key = case.message
        if key in shown and case.verdict is Verdict.COMPILE_ERROR:
            continue
        shown.add(key)
        console.print(f"\n[bold]{escape(case.case_id)}[/]: {escape(case.verdict.value)}")
        if case.message:
            console.print(escape(case.message), markup=True)
        if case.mismatch and case.mismatch.expected_values:
            console.print("  index        expected             got")
            for idx, exp, got in zip(case.mismatch.first_indices, case.mismatch.expected_values, case.mismatch.got_values):
                console.print(f"  {str(idx[0] if len(idx) == 1 else idx):<10} {exp:>14.7g} {got:>16.7g}")
    hints: dict[str, list[str]] = {}
    for case in result.cases:
        if case.hint:
            hints.setdefault(case.hint, []).append(case.case_id)
    for hint, ids in hints.items():
        where = ", ".join(ids[:4]) + (f" and {len(ids) - 4} more" if len(ids) > 4 else "")
        console.print(f"\n[cyan]hint[/] ({escape(where)}): {escape(hint)}")
    passed = sum(c.passed for c in result.cases)
    style = _STYLE[result.verdict]
    summary = f"\nVerdict: [{style} bold]{result.verdict.value}[/] · {passed}/{len(result.cases)} cases · score {result.score:.3f}"
    if result.wall_s is not None:
        summary += f" · {result.wall_s:.2f}s"
    console.print(summary)
    if result.verdict is Verdict.COMPILE_ERROR and result.message:
        console.print(escape(result.message))
    if not with_cases:
        console.print(isolation)
    if run and run.output_truncated:
        console.print(f"(your program printed {run.stdout_bytes + run.stderr_bytes} bytes; output beyond the cap was discarded)")

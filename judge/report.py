"""Render results for people (text, coloured only on a terminal) and machines (JSON).

Everything a learner or a file name chose (messages, case ids, the submission's name, hints) is
shown through :mod:`judge.safe_text` and as plain :class:`rich.text.Text`, never as rich markup,
so it can neither send terminal escapes nor break or fake the judge's own lines.

Example:
    >>> case = CaseResult("big", True, Verdict.WRONG_ANSWER, "wrong values (details are not shown for hidden cases)")
    >>> print(render_json(SubmissionResult("conv1d", "a.py", Verdict.WRONG_ANSWER, (case,))))
    {
      "problem": "conv1d",
      "submission": "a.py",
      "verdict": "wrong_answer",
      "score": 0.0,
    ...
"""

from __future__ import annotations

from typing import IO

from rich.console import Console
from rich.text import Text

from .safe_text import block, strict_json, visible
from .verdict import CaseResult, RunInfo, SubmissionResult, Verdict

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
# Learner-written multi-line text is shown behind this, so the judge's own lines (at column 0)
# stay distinguishable from anything a message says.
QUOTE = "    | "


def render_json(result: SubmissionResult) -> str:
    """Exactly one strict JSON document (non-finite numbers as strings, see safe_text)."""
    return strict_json(result.to_json(), indent=2)


def make_console(stream: IO[str] | None = None) -> Console:
    """A console that colours only when writing to a terminal."""
    return Console(file=stream, highlight=False, soft_wrap=True, emoji=False)


def header_line(problem: str, submission: str, isolation: str | None = None) -> Text:
    """``problem · submission [· isolation]``, the first line of a report."""
    line = Text.assemble((visible(problem), "bold"), " · ", visible(submission))
    if isolation:
        line.append(f" · {isolation}")
    return line


def case_line(case: CaseResult) -> Text:
    """One line for a case; only the first line of its message."""
    mark = "✓" if case.passed else "✗"
    label = f"{visible(case.case_id)}{' (hidden)' if case.hidden else ''}"
    time = f"{case.time_s:7.3f}s" if case.time_s is not None else "      - "
    first = case.message.splitlines()[0] if case.message else ""
    line = Text("  ")
    line.append(f"{mark} {case.verdict.short:<3}", style=_STYLE[case.verdict])
    line.append(f" {label:<34} {time}")
    if first:
        line.append(f"  {visible(first)}")
    return line


def render_text(result: SubmissionResult, console: Console, *, with_cases: bool = True) -> None:
    """The human report: header, a line per case, details for failures, a summary."""
    run = result.run
    isolation = "sandboxed" if run and run.sandboxed else "NOT sandboxed (--no-sandbox: trusted code only)"
    if with_cases:
        console.print(header_line(result.problem, result.submission, isolation))
        for case in result.cases:
            console.print(case_line(case))
    details = [c for c in result.cases if not c.passed and (c.mismatch or "\n" in c.message)]
    shown: set[str] = set()
    for case in details:
        key = case.message
        if key in shown and case.verdict is Verdict.COMPILE_ERROR:
            continue
        shown.add(key)
        console.print(Text.assemble("\n", (visible(case.case_id), "bold"), f": {case.verdict.value}"))
        if case.message:
            console.print(Text(block(case.message, QUOTE)))
        if case.mismatch and case.mismatch.expected_values:
            console.print("  index        expected             got", markup=False)
            mismatch = case.mismatch
            for idx, exp, got in zip(mismatch.first_indices, mismatch.expected_values, mismatch.got_values, strict=True):
                console.print(f"  {str(idx[0] if len(idx) == 1 else idx):<10} {exp:>14.7g} {got:>16.7g}", markup=False)
    _print_hints(result, console)
    passed = sum(c.passed for c in result.cases)
    summary = Text("\nVerdict: ")
    summary.append(result.verdict.value, style=f"{_STYLE[result.verdict]} bold")
    summary.append(f" · {passed}/{len(result.cases)} cases · score {result.score:.3f}")
    if result.wall_s is not None:
        summary.append(f" · {result.wall_s:.2f}s")
    console.print(summary)
    if result.verdict is Verdict.COMPILE_ERROR and result.message:
        console.print(Text(block(result.message, QUOTE)))
    if not with_cases:
        console.print(isolation, markup=False)
    if run and run.output_truncated:
        console.print(_truncation_note(run), markup=False)
    for note in run.notes if run else ():
        console.print(f"note: {note}", markup=False)


def _truncation_note(run: RunInfo) -> str:
    if run.stdout_bytes is None or run.stderr_bytes is None:  # withheld when hidden cases ran
        return "(your program printed more than the cap; output beyond it was discarded)"
    return f"(your program printed {run.stdout_bytes + run.stderr_bytes} bytes; output beyond the cap was discarded)"


def _print_hints(result: SubmissionResult, console: Console) -> None:
    hints: dict[str, list[str]] = {}
    for case in result.cases:
        if case.hint:
            hints.setdefault(case.hint, []).append(visible(case.case_id))
    for hint, ids in hints.items():
        where = ", ".join(ids[:4]) + (f" and {len(ids) - 4} more" if len(ids) > 4 else "")
        console.print(Text.assemble("\n", ("hint", "cyan"), f" ({where}): {visible(hint)}"))

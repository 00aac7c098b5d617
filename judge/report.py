"""Render results for people (text, coloured only on a terminal) and machines (JSON).

Everything a learner or a file name chose (messages, case ids, the submission's name, hints) is
shown through :mod:`judge.safe_text` and as plain :class:`rich.text.Text`, never as rich markup,
so it can neither send terminal escapes nor break or fake the judge's own lines.

The text report says each thing once: a case whose message an earlier case already showed says
``same as <that case>``, a traceback shared by several cases is quoted once under all their ids,
and the "details are not shown for hidden cases" that ends every hidden case's message becomes
one note. Lines are broken at spaces to the console's width, continuation lines indented (a
learner's text stays behind its quote bar on every line), and nothing is ever cut off: a word
longer than a line is folded onto the next. Text for a file or a pipe is not wrapped (see
:func:`wrap_width`). What a failed public case printed is quoted under that case's id after
the details (already bounded by the judge, its cut marked); cases that passed are only named
(their output would bury the failures'). The JSON report is the result as it is.

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

import re
import shlex
from collections.abc import Sequence
from typing import IO

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from .safe_text import block, strict_json, visible
from .verdict import CaseResult, Mismatch, RunInfo, SubmissionResult, Verdict

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
# How every hidden case's message ends (judge.grade.HIDDEN_DETAIL, kept equal by a test; not
# imported so that rendering a result does not load the grading pipeline).
HIDDEN_DETAIL = "details are not shown for hidden cases"
_WITHHELD = f"({HIDDEN_DETAIL})"
# A continuation line keeps at least this many columns for text; a hanging indent that would
# leave fewer is made shallower.
_MIN_ROOM = 20
_WORD = re.compile(r" *[^ ]+")  # a word with the spaces before it: lines break at spaces only


def render_json(result: SubmissionResult) -> str:
    """Exactly one strict JSON document (non-finite numbers as strings, see safe_text)."""
    return strict_json(result.to_json(), indent=2)


def make_console(stream: IO[str] | None = None) -> Console:
    """A console that colours only when writing to a terminal."""
    return Console(file=stream, highlight=False, soft_wrap=True, emoji=False)


def wrap_width(console: Console) -> int | None:
    """The width the text report is wrapped to on ``console``: its width on a terminal (also one
    forced with ``Console(force_terminal=True)``); ``None`` for a file or a pipe, whose lines are
    kept whole (a log stays greppable, whatever shows it wraps it)."""
    return console.width if console.is_terminal else None


def header_line(problem: str, submission: str, isolation: str | None = None) -> Text:
    """``problem · submission [· isolation]``, the first line of a report (not wrapped)."""
    line = Text.assemble((visible(problem), "bold"), " · ", visible(submission))
    if isolation:
        line.append(f" · {isolation}")
    return line


def _case_prefix(case: CaseResult) -> Text:
    """Mark, verdict, id and time: what every case line starts with."""
    mark = "✓" if case.passed else "✗"
    label = f"{visible(case.case_id)}{' (hidden)' if case.hidden else ''}"
    time = f"{case.time_s:7.3f}s" if case.time_s is not None else "      - "
    line = Text("  ")
    line.append(f"{mark} {case.verdict.short:<3}", style=_STYLE[case.verdict])
    line.append(f" {label:<34} {time}")
    return line


def case_line(case: CaseResult) -> Text:
    """One line for a case with the first line of its message, as it is (nothing left out, not wrapped).

    :class:`CaseLines` is the same line for a whole report: repeats referred to, wrapped to a width.
    """
    first = case.message.splitlines()[0] if case.message else ""
    line = _case_prefix(case)
    if first:
        line.append(f"  {visible(first)}")
    return line


class CaseLines:
    """The case lines of one report, made one at a time as each case is decided.

    Like :func:`case_line`, but a message an earlier line of this report showed is not repeated
    (``same as <id of that case>``), a hidden case's line drops the "details are not shown for
    hidden cases" ending (:attr:`withheld` then says so; :func:`render_text` prints it once), and
    lines are broken at spaces to the console's :func:`wrap_width` (read at each line; no console:
    not wrapped).
    Make a new one for each report (and when a grading starts again).

    >>> lines = CaseLines()
    >>> print(lines.line(CaseResult("a", False, Verdict.COMPILE_ERROR, "SyntaxError at line 3: invalid syntax")))
      ✗ CE  a                                        -   SyntaxError at line 3: invalid syntax
    >>> print(lines.line(CaseResult("b", True, Verdict.COMPILE_ERROR, "SyntaxError at line 3: invalid syntax")))
      ✗ CE  b (hidden)                               -   same as a
    """

    def __init__(self, console: Console | None = None) -> None:
        self._console = console
        self._first: dict[str, str] = {}  # a message shown -> the (visible) id of the case that showed it
        self.complete: set[str] = set()  # messages a line showed whole (one line long)
        self.withheld = False  # some hidden case's line dropped the "details are not shown" ending

    @property
    def width(self) -> int | None:
        return wrap_width(self._console) if self._console is not None else None

    def header(self, problem: str, submission: str, isolation: str | None = None) -> Text:
        """:func:`header_line`, wrapped."""
        return _fill(header_line(problem, submission, isolation), self.width, "    ")

    def line(self, case: CaseResult) -> Text:
        """The line (or lines, when wrapped) for ``case``."""
        prefix = _case_prefix(case)
        earlier = self._first.get(case.message) if case.message else None
        shown = _strip_withheld(case.message) if case.hidden else case.message
        if case.hidden and shown != case.message:
            self.withheld = True
        text = ""
        if earlier is not None:
            text = f"same as {earlier}"
        elif shown:
            self._first[case.message] = visible(case.case_id)
            text, *more = visible(shown, newlines=True).split("\n")
            if not more:
                self.complete.add(case.message)
        width = self.width
        indent = prefix.cell_len + 2
        under = " " * 8
        if not text:
            return _fill(prefix, width, under)
        if width is None or width - indent >= _MIN_ROOM:
            return _fill(prefix + f"  {text}", width, " " * indent, len(prefix.plain))
        # Too narrow for the message beside the columns: the columns, then the message below them.
        return Text("\n").join([_fill(prefix, width, under), _fill(Text(under + text), width, under, len(under))])


def _strip_withheld(message: str) -> str:
    return message[: -len(_WITHHELD)].rstrip() if message.endswith(_WITHHELD) else message


def render_text(result: SubmissionResult, console: Console, *, with_cases: bool = True, lines: CaseLines | None = None) -> None:
    """The human report: header, a line per case, details for failures, a summary.

    ``with_cases=False`` leaves out the header and case lines (printed live by the caller);
    ``lines`` is the :class:`CaseLines` that printed them, so that what they showed is not
    shown again and the hidden-details note is printed once.
    """
    width = wrap_width(console)
    run = result.run
    isolation = "sandboxed" if run and run.sandboxed else "NOT sandboxed (--no-sandbox: trusted code only)"
    if with_cases:
        lines = CaseLines(console)
        console.print(lines.header(result.problem, result.submission, isolation))
        for case in result.cases:
            console.print(lines.line(case))
    if lines is not None and lines.withheld:
        console.print(_fill(Text(f"  {_WITHHELD}"), width, "   "))
    shown = _print_details(result.cases, console, width, result.problem)
    _print_output(result.cases, console, width)
    _print_hints(result, console, width)
    passed = sum(c.passed for c in result.cases)
    summary = Text("Verdict: ")
    summary.append(result.verdict.value, style=f"{_STYLE[result.verdict]} bold")
    summary.append(f" · {passed}/{len(result.cases)} cases · score {result.score:.3f}")
    if result.wall_s is not None:
        summary.append(f" · {result.wall_s:.2f}s")
    console.print()
    console.print(_fill(summary, width, "  "))
    already = shown | (lines.complete if lines is not None else set())
    if result.verdict is Verdict.COMPILE_ERROR and result.message and result.message not in already:
        console.print(_quoted(result.message, width))
    if not with_cases:
        console.print(_fill(Text(isolation), width, "  "))
    if run and run.output_truncated:
        console.print(_fill(Text(_truncation_note(run)), width, "  "))
    for note in run.notes if run else ():
        console.print(_fill(Text(f"note: {note}"), width, "      "))


def _print_details(cases: Sequence[CaseResult], console: Console, width: int | None, problem: str) -> set[str]:
    """Multi-line messages and mismatch tables of failed cases, each message once under the ids
    of all the cases that have it; returns the messages shown."""
    detailed = [c for c in cases if not c.passed and (c.mismatch or "\n" in c.message)]
    shown: set[str] = set()
    for case in detailed:
        table = _table(case.mismatch)
        if case.message in shown and table is None:
            continue
        group = [case] if table is not None else [c for c in detailed if c.message == case.message and _table(c.mismatch) is None]
        console.print()
        head = Text.assemble((_some([visible(c.case_id) for c in group]), "bold"), f": {case.verdict.value}")
        console.print(_fill(head, width, "    "))
        if case.message and case.message not in shown:
            console.print(_quoted(case.message, width))
            shown.add(case.message)
        if table is not None:
            if table.path:
                console.print(f"  in {visible(table.path)}:", markup=False)
            console.print("  index        expected             got", markup=False)
            for idx, exp, got in zip(table.first_indices, table.expected_values, table.got_values, strict=True):
                console.print(f"  {str(idx[0] if len(idx) == 1 else idx):<10} {exp:>14.7g} {got:>16.7g}", markup=False)
            command = f"judge cases show -p {shlex.quote(visible(problem))} --case {shlex.quote(visible(case.case_id))}"
            console.print(_fill(Text(f"  this case's inputs: {command}"), width, "    "))
    return shown


def _print_output(cases: Sequence[CaseResult], console: Console, width: int | None) -> None:
    """What each failed case printed, quoted under its id; the passed cases that printed, named once.

    Only public cases ever carry output (the grader drops a hidden case's): nothing to check here.
    """
    for case in cases:
        if case.output and not case.passed:
            console.print()
            console.print(_fill(Text.assemble((visible(case.case_id), "bold"), ": what your code printed"), width, "    "))
            console.print(_quoted(case.output.rstrip("\n"), width))
    quiet = [visible(c.case_id) for c in cases if c.output and c.passed]
    if quiet:
        console.print()
        note = f"  {_some(quiet)} passed and printed something: see \"output\" in the JSON report (--format json)"
        console.print(_fill(Text(note), width, "    "))


def _table(mismatch: Mismatch | None) -> Mismatch | None:
    return mismatch if mismatch is not None and mismatch.expected_values else None


def _some(ids: Sequence[str]) -> str:
    """``a, b, c, d and 3 more``."""
    return ", ".join(ids[:4]) + (f" and {len(ids) - 4} more" if len(ids) > 4 else "")


def _truncation_note(run: RunInfo) -> str:
    if run.stdout_bytes is None or run.stderr_bytes is None:  # withheld when hidden cases ran
        return "(your program printed more than the cap; output beyond it was discarded)"
    return f"(your program printed {run.stdout_bytes + run.stderr_bytes} bytes; output beyond the cap was discarded)"


def _print_hints(result: SubmissionResult, console: Console, width: int | None) -> None:
    hints: dict[str, list[str]] = {}
    for case in result.cases:
        if case.hint:
            hints.setdefault(case.hint, []).append(visible(case.case_id))
    for hint, ids in hints.items():
        console.print()
        console.print(_fill(Text.assemble(("hint", "cyan"), f" ({_some(ids)}): {visible(hint)}"), width, "  "))


def _quoted(message: str, width: int | None) -> Text:
    """:func:`judge.safe_text.block` with ``QUOTE``, each line wrapped behind ``QUOTE`` too."""
    if width is None:
        return Text(block(message, QUOTE))
    out = []
    for raw in visible(message, newlines=True).split("\n"):
        lead = len(raw) - len(raw.lstrip(" "))
        hang = " " * min(lead + 2, max(width - len(QUOTE) - _MIN_ROOM, 0))
        out.append(_fill(Text(QUOTE + raw), width, QUOTE + hang, len(QUOTE)))
    return Text("\n").join(out)


def _fill(text: Text, width: int | None, indent: str, start: int = 0) -> Text:
    """One line of ``text`` broken at spaces into lines of at most ``width`` cells (none: as it is).

    Continuation lines start with ``indent``; the first ``start`` characters are never broken
    between (a prefix), and the spaces at a break are the break. A word longer than a line is
    folded where the line ends: every character is shown, none past the width.
    """
    plain = text.plain
    if width is None or cell_len(plain) <= width:
        return text
    rest = max(width - cell_len(indent), _MIN_ROOM)
    spans: list[tuple[int, int]] = []
    begin, end, room, words = 0, start, width, False

    def fold() -> None:
        nonlocal begin, room
        while cell_len(plain[begin:end]) > room:
            cut, used = begin, 0
            while cut < end and (cut == begin or used + cell_len(plain[cut]) <= room):
                used += cell_len(plain[cut])
                cut += 1
            spans.append((begin, cut))
            begin, room = cut, rest

    fold()
    for match in _WORD.finditer(plain, start):
        if words and cell_len(plain[begin : match.end()]) > room:
            spans.append((begin, end))
            begin, room = match.start() + len(match.group()) - len(match.group().lstrip(" ")), rest
        end, words = match.end(), True
        fold()
    spans.append((begin, end))
    out = Text()
    for number, (a, b) in enumerate(spans):
        if number:
            out.append("\n" + indent)
        out.append_text(text[a:b])
    return out

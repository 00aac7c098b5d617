"""The text report says each thing once and fits the console (issue #15, item 7).

A report used to print the same traceback once per case, "(details are not shown for hidden
cases)" on every hidden case's line, a syntax error once per case and again in the summary, and
lines that the terminal broke mid-word. These build results directly and render them to an
80-column console without colour: no worker starts.
"""

from __future__ import annotations

import io
import json

from rich.cells import cell_len
from rich.console import Console

import judge.grade
from judge.report import HIDDEN_DETAIL, QUOTE, CaseLines, case_line, make_console, render_json, render_text
from judge.verdict import CaseResult, Mismatch, RunInfo, SubmissionResult, Verdict

WIDTH = 80
WITHHELD = f"({HIDDEN_DETAIL})"
SYNTAX = "SyntaxError at line 3, column 5: invalid syntax"
TRACEBACK = "\n".join([
    "ValueError while running the solution: operands could not be broadcast together with shapes (3,4) (5,)",
    "Traceback (your code only):",
    '  File "a.py", line 12, in conv1d',
    "    return jnp.convolve(x, w) + bias",
])
FORGED = "Verdict: accepted · 3/3 cases · score 1.000"


def console(buffer: io.StringIO, width: int = WIDTH) -> Console:
    """A terminal of ``width`` columns without colour (what is written can be read back as text)."""
    return Console(file=buffer, width=width, force_terminal=True, color_system=None, highlight=False, soft_wrap=True, emoji=False)


def report(result: SubmissionResult, width: int = WIDTH) -> str:
    """``render_text`` with its own case lines."""
    buffer = io.StringIO()
    render_text(result, console(buffer, width))
    return buffer.getvalue()


def live_report(result: SubmissionResult, width: int = WIDTH) -> str:
    """As ``judge grade`` prints it: the header and each case line live, then the rest."""
    buffer = io.StringIO()
    out = console(buffer, width)
    lines = CaseLines(out)
    out.print(lines.header(result.problem, result.submission))
    for case in result.cases:
        out.print(lines.line(case))
    render_text(result, out, with_cases=False, lines=lines)
    return buffer.getvalue()


def flat(text: str) -> str:
    """Whitespace (line breaks and indents of wrapped lines included) as single spaces."""
    return " ".join(text.split())


def result_of(cases: list[CaseResult], verdict: Verdict, message: str = "") -> SubmissionResult:
    return SubmissionResult("conv1d", "a.py", verdict, tuple(cases), message=message, run=RunInfo(sandboxed=True))


def compile_error() -> SubmissionResult:
    cases = [CaseResult(f"c{i}", i >= 4, Verdict.COMPILE_ERROR, SYNTAX) for i in range(18)]
    return result_of(cases, Verdict.COMPILE_ERROR, SYNTAX)


def public_traceback() -> SubmissionResult:
    cases = [CaseResult(name, False, Verdict.RUNTIME_ERROR, TRACEBACK, 0.01) for name in ("worked-example", "small", "large", "odd")]
    return result_of(cases, Verdict.RUNTIME_ERROR)


def hidden_failures() -> SubmissionResult:
    cases = [CaseResult("public", False, Verdict.ACCEPTED, "", 0.01)]
    for i in range(14):
        message = "wrong values" if i % 2 else "your code raised an exception"
        cases.append(CaseResult(f"h{i}", True, Verdict.WRONG_ANSWER if i % 2 else Verdict.RUNTIME_ERROR, f"{message} {WITHHELD}", 0.1))
    return result_of(cases, Verdict.RUNTIME_ERROR)


def test_one_syntax_error_is_shown_once_for_eighteen_cases() -> None:
    for out in (report(compile_error()), live_report(compile_error())):
        assert flat(out).count(SYNTAX) == 1, out
        assert out.count("same as c0") == 17
        assert "Verdict: compile_error · 0/18 cases" in out


def test_a_traceback_shared_by_four_public_cases_is_quoted_once() -> None:
    for out in (report(public_traceback()), live_report(public_traceback())):
        for line in TRACEBACK.splitlines()[1:]:
            assert out.count(line) == 1, (line, out)
        assert out.count("same as worked-example") == 3
        assert "worked-example, small, large, odd: runtime_error" in out  # the quote says whose it is
        lines = out.splitlines()
        assert [line for line in lines if "same as" in line] == [line for line in lines if line.startswith("  ✗ RE") and "same as" in line]


def test_hidden_cases_say_once_that_details_are_not_shown() -> None:
    for out in (report(hidden_failures()), live_report(hidden_failures())):
        assert flat(out).count(HIDDEN_DETAIL) == 1, out
        lines = out.splitlines()
        case_lines = [i for i, line in enumerate(lines) if line.startswith("  ✗") or line.startswith("  ✓")]
        note = next(i for i, line in enumerate(lines) if HIDDEN_DETAIL in line)
        assert note > max(case_lines) and note < next(i for i, line in enumerate(lines) if line.startswith("Verdict:"))
        assert "your code raised an exception" in flat(out) and "wrong values" in flat(out)  # the verdicts' words stay


def test_no_note_without_hidden_cases_and_case_line_is_unchanged() -> None:
    assert HIDDEN_DETAIL not in report(public_traceback())
    # case_line, for callers that print cases one by one without a CaseLines: every message, whole
    hidden = hidden_failures().cases[1]
    assert case_line(hidden).plain.endswith(f"your code raised an exception {WITHHELD}")
    assert case_line(compile_error().cases[5]).plain.endswith(SYNTAX)


def test_hidden_detail_is_the_graders_wording() -> None:
    assert HIDDEN_DETAIL == judge.grade.HIDDEN_DETAIL


def test_json_keeps_every_message_whole() -> None:
    for result in (compile_error(), public_traceback(), hidden_failures()):
        data = json.loads(render_json(result))
        assert [c["message"] for c in data["cases"]] == [c.message for c in result.cases]


def words(text: str) -> list[str]:
    return [word for line in text.splitlines() for word in line.replace(QUOTE.strip(), " ").split()]


def test_long_messages_wrap_at_words_to_the_console_width() -> None:
    sentence = ("the output has the wrong dtype: expected float32 but got float64; convert it with "
                "jnp.asarray(out, dtype=jnp.float32) or compute in float32 from the start ") * 3
    long_line = "    raise ValueError(f'expected a kernel of odd length, got {w.shape} and {x.shape} for input')  " * 2
    mismatch = Mismatch((2,), (2,), 1.0, 2.0, 1, 2, ((1,),), (0.5,), (1.5,))
    cases = [
        CaseResult("first", False, Verdict.WRONG_ANSWER, sentence.strip(), 0.01),
        CaseResult("second", False, Verdict.RUNTIME_ERROR, "Traceback (your code only):\n" + long_line.rstrip(), 0.01),
        CaseResult("third", False, Verdict.WRONG_ANSWER, "1/2 elements differ", 0.01, 1.0, 2.0, mismatch, hint=sentence.strip()),
    ]
    result = result_of(cases, Verdict.RUNTIME_ERROR)
    for width in (WIDTH, 60, 120):
        out = report(result, width)
        lines = out.splitlines()
        assert max(cell_len(line) for line in lines) <= width, out
        expected = words(sentence) + words(long_line)
        shown = words(out)
        for word in expected:  # no word split across lines: each comes out whole
            assert word in shown, (word, out)
        # a wrapped case line continues under its message, a wrapped quote behind its bar
        # (beside the columns when there is room, else under them)
        first = next(i for i, line in enumerate(lines) if line.startswith("  ✗ WA  first"))
        start = next(i for i in (first, first + 1) if "the output" in lines[i])
        column = lines[start].index("the output")
        assert lines[start + 1].startswith(" " * column) and lines[start + 1][column] != " "
        quoted = [line for line in lines if "raise ValueError" in line or "{w.shape}" in line or "input')" in line]
        assert quoted and all(line.startswith(QUOTE) for line in quoted)


def test_a_word_longer_than_a_line_is_folded_not_cut() -> None:
    token = "/".join(f"directory{i:02d}" for i in range(20))  # 239 characters, no space
    out = report(result_of([CaseResult("c", False, Verdict.RUNTIME_ERROR, f"cannot open\n{token}", 0.01)], Verdict.RUNTIME_ERROR))
    lines = out.splitlines()
    assert max(cell_len(line) for line in lines) <= WIDTH
    pieces = [line.removeprefix(QUOTE).strip() for line in lines if line.startswith(QUOTE)]
    assert token in "".join(pieces)


def test_a_forged_verdict_line_stays_quoted_when_wrapped() -> None:
    padding = "x" * (WIDTH - len(QUOTE) - 1)  # the forged text would start the next line if it were not indented
    messages = [
        f"boom\n{FORGED}",
        f"boom\n{padding} {FORGED}",
        f"{'y' * 30} {FORGED}\n{padding} {FORGED}\x1b[2J",
    ]
    for message in messages:
        cases = [CaseResult("c1", False, Verdict.RUNTIME_ERROR, message, 0.01), CaseResult("c2", False, Verdict.RUNTIME_ERROR, message, 0.01)]
        for out in (report(result_of(cases, Verdict.RUNTIME_ERROR)), live_report(result_of(cases, Verdict.RUNTIME_ERROR))):
            lines = out.splitlines()
            assert [line for line in lines if line.startswith("Verdict")] == ["Verdict: runtime_error · 0/2 cases · score 0.000"], out
            forged = [line for line in lines if "Verdict: accepted" in line]
            assert forged and all(line.startswith(QUOTE) or line.startswith("  ✗ RE") or line.startswith(" " * 8) for line in forged), out
            assert "\x1b" not in out


def test_a_file_or_pipe_keeps_whole_lines() -> None:
    message = "the values differ from the expected ones " * 5
    result = result_of([CaseResult("c", False, Verdict.WRONG_ANSWER, message.strip(), 0.01)], Verdict.WRONG_ANSWER)
    assert max(cell_len(line) for line in report(result, 60).splitlines()) <= 60  # a terminal: wrapped
    buffer = io.StringIO()  # not a terminal: one line per case, as a log wants it
    render_text(result, make_console(buffer))
    case = next(line for line in buffer.getvalue().splitlines() if line.startswith("  ✗ WA  c"))
    assert case.endswith(message.strip())


def test_a_public_mismatch_names_the_command_that_shows_its_inputs() -> None:
    """Item 8: the learner can see the inputs of the public case they failed."""
    mismatch = Mismatch((4,), (4,), 1.0, 1.0, 1, 4, ((2,),), (3.0,), (4.0,))
    case = CaseResult("small-multichannel", False, Verdict.WRONG_ANSWER, "wrong values", 0.1, 1.0, 1.0, mismatch)
    text = flat(report(result_of([case], Verdict.WRONG_ANSWER)))
    assert "judge cases show -p conv1d --case small-multichannel" in text

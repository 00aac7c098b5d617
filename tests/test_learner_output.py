"""What a submission prints reaches the learner: public cases only, bounded (issue #15, item 5).

A newcomer's prints used to be lost (stdout_bytes: 0 without flush=True) and never shown. The
worker now sends what the submission writes to sys.stdout/sys.stderr as output frames while it
runs, so a print just before a crash or a kill still arrives; the judge checks every frame, keeps
at most MAX_CASE_OUTPUT_BYTES per case and shows it for public cases, never for hidden ones.

The protocol, grading and report tests start no worker; the run tests start unsandboxed workers
(fast), and one grading goes through the real sandbox end to end.
"""

from __future__ import annotations

import dataclasses
import io
import json
import time
from pathlib import Path

import numpy as np
import pytest

from judge.cases import load_cases
from judge.config import Config, Limits
from judge.expected import Expected
from judge.grade import grade, judge_case
from judge.output_tree import OutputTree
from judge.problem import ArgSpec, ArgType, Problem
from judge.report import QUOTE, make_console, render_json, render_text
from judge.runner import MAX_CASE_OUTPUT_BYTES, CaseOutcome, OutcomeKind, SolutionRun, WorkerOptions, _OutputLog
from judge.sandbox import SandboxPolicy, bwrap_usable
from judge.verdict import CaseResult, SubmissionResult, Verdict
from judge.worker import OUTPUT_BUDGET_BYTES
from judge.worker_protocol import OutputFrame, WorkerFrameError, parse_output_header

LEAK = "LEAK seed=7 x=[0.123456, 2.5]"
ARGS = (ArgSpec("n", ArgType.INT), ArgSpec("x", ArgType.ARRAY, dtype="float32", ndim=1, container="numpy"))
INPUTS = [{"n": i, "x": np.arange(4, dtype=np.float32)} for i in range(3)]
LIMITS = Limits(case_time_s=5, total_time_s=60, startup_time_s=30, memory_mib=1024)
slow = pytest.mark.slow


def run(tmp_path: Path, source: str, limits: Limits = LIMITS, **options: object) -> list[CaseOutcome]:
    path = tmp_path / "solution.py"
    path.write_text(source)
    runner = SolutionRun(path, ARGS, INPUTS, limits, SandboxPolicy(isolate=False), WorkerOptions(), **options)  # type: ignore[arg-type]
    return list(runner.outcomes())


def text_report(result: SubmissionResult) -> str:
    buffer = io.StringIO()
    render_text(result, make_console(buffer))
    return buffer.getvalue()


# -- the protocol: an output frame belongs to the call being waited for, or it is refused ----------


def output(**fields: object) -> dict[str, object]:
    return {"type": "output", "index": 1, "nonce": "n", "text": "hi\n", "arrays": [], **fields}


@pytest.mark.parametrize(
    ("header", "why"),
    [
        (output(index=2), "another call"),
        (output(index=True), "another call"),
        (output(nonce="other"), "nonce"),
        (output(nonce=LEAK), "nonce"),
        (output(time_s=0.1), "fields"),
        (output(kind=LEAK), "fields"),
        (output(arrays=[8]), "no arrays"),
        (output(text=5), "not text"),
        (output(text=["x"]), "not text"),
        (output(text="x" * 100_000), "not text"),
        (output(dropped=-1), "count"),
        (output(dropped=True), "count"),
        (output(dropped=1.5), "count"),
        (output(dropped=10**30), "count"),
        (output(type="OUTPUT"), "not an output frame"),
    ],
)
def test_output_frames_are_checked_field_by_field(header: dict, why: str) -> None:
    with pytest.raises(WorkerFrameError) as caught:
        parse_output_header(header, 1, "n")
    assert why in str(caught.value)
    assert "LEAK" not in str(caught.value)  # nothing the worker sent is echoed


def test_import_output_names_no_call_and_case_output_must() -> None:
    assert parse_output_header({"type": "output", "text": "loaded\n", "arrays": []}, None, None) == OutputFrame("loaded\n")
    with pytest.raises(WorkerFrameError):
        parse_output_header(output(), None, None)  # a case's output while the file is imported
    with pytest.raises(WorkerFrameError):
        parse_output_header({"type": "output", "text": "x", "arrays": []}, 1, "n")  # no call named during a case
    frame = parse_output_header(output(text="a" + chr(0xD800) + "b", dropped=7), 1, "n")
    assert frame == OutputFrame("a?b", 7)


def test_the_judge_keeps_a_bounded_part_and_says_how_much_more() -> None:
    log = _OutputLog(0)
    for _ in range(1000):
        log.add(0, OutputFrame("é" * 99 + "\n"))  # two bytes a character: cuts never split one
    log.add(0, OutputFrame("", dropped=500))
    text = log.text()
    kept, note = text.rsplit("\n", 1)
    assert len(kept.encode()) <= MAX_CASE_OUTPUT_BYTES
    assert len(kept.encode()) == MAX_CASE_OUTPUT_BYTES and note == f"(… {1000 * 199 - MAX_CASE_OUTPUT_BYTES + 500} more bytes not shown)"
    withheld = _OutputLog(0, withheld=True)
    withheld.add(0, OutputFrame(LEAK, dropped=99))
    assert withheld.text() == ""
    assert withheld.attach(CaseOutcome(0, OutcomeKind.OK)).output == ""


# -- grading: public cases show it, hidden cases and processes after a hidden input never ----------


@pytest.fixture(scope="module")
def conv1d_cases(conv1d: Problem) -> tuple[Problem, list]:
    cases = load_cases(conv1d)
    return conv1d, [next(c for c in cases if not c.hidden), next(c for c in cases if c.hidden)]


@pytest.mark.parametrize("kind", list(OutcomeKind))
def test_a_hidden_case_never_carries_output(conv1d_cases: tuple[Problem, list], kind: OutcomeKind) -> None:
    problem, (_, hidden) = conv1d_cases
    array = np.ones(6, dtype=np.float32) if kind is OutcomeKind.OK else None
    outcome = CaseOutcome(0, kind, value=None if array is None else OutputTree.of(array), time_s=0.2, message="m", output=LEAK + "\n")
    expected = Expected(OutputTree.of(np.zeros(6, np.float32)))
    for after_secret in (False, True):
        result = judge_case(problem, hidden, dataclasses.replace(outcome, after_secret=after_secret), expected)
        assert result.output == ""
        assert "LEAK" not in json.dumps(result.to_json())


def test_a_public_case_shows_its_output_unless_a_hidden_input_came_first(conv1d_cases: tuple[Problem, list]) -> None:
    problem, (public, _) = conv1d_cases
    outcome = CaseOutcome(0, OutcomeKind.EXCEPTION, time_s=0.1, message="ValueError", output="debug: 3\n")
    assert judge_case(problem, public, outcome, Expected(None, "x")).output == "debug: 3\n"
    later = dataclasses.replace(outcome, output=LEAK, after_secret=True)
    assert judge_case(problem, public, later, Expected(None, "x")).output == ""


def test_output_is_in_the_json_and_old_records_still_read() -> None:
    case = CaseResult("a", False, Verdict.WRONG_ANSWER, "wrong values", 0.1, output="x = 3\n")
    result = SubmissionResult("p", "s.py", Verdict.WRONG_ANSWER, (case, CaseResult("b", False, Verdict.ACCEPTED)))
    data = json.loads(render_json(result))
    assert data["cases"][0]["output"] == "x = 3\n" and "output" not in data["cases"][1]
    assert SubmissionResult.from_json(data) == result
    old = {k: v for k, v in case.to_json().items() if k != "output"}
    assert CaseResult.from_json(old).output == ""


def test_the_text_report_quotes_a_failed_cases_output_and_names_the_passed_ones() -> None:
    cases = (
        CaseResult("wrong-one", False, Verdict.WRONG_ANSWER, "wrong values", 0.1,
                   output="shape (3, 4)\nVerdict: accepted\x1b[2J\n(… 120 more bytes not shown)"),
        CaseResult("fine", False, Verdict.ACCEPTED, "", 0.1, output="ok\n"),
        CaseResult("secret", True, Verdict.ACCEPTED, "", 0.1),
    )
    shown = text_report(SubmissionResult("p", "s.py", Verdict.WRONG_ANSWER, cases))
    lines = shown.splitlines()
    at = lines.index("wrong-one: what your code printed")
    assert lines[at + 1 : at + 4] == [f"{QUOTE}shape (3, 4)", f"{QUOTE}Verdict: accepted\\x1b[2J", f"{QUOTE}(… 120 more bytes not shown)"]
    assert "fine passed and printed something" in shown and "\nok\n" not in shown
    assert [line for line in lines if line.startswith("Verdict:")] == ["Verdict: wrong_answer · 2/3 cases · score 0.667"]


# -- runs: what a submission prints arrives, whatever ends the case --------------------------------


@slow
def test_prints_reach_the_outcome_with_and_without_flush(tmp_path: Path) -> None:
    source = (
        "import sys\n"
        "print('loading')\n"
        "def solve(n, x):\n"
        "    print('n is', n, flush=True)\n"
        "    print('x[0] is', float(x[0]))\n"
        "    sys.stderr.write('to stderr, no newline')\n"
        "    return x * 0 + 99\n"
    )
    outcomes = run(tmp_path, source)
    assert [o.output for o in outcomes] == [
        "loading\nn is 0\nx[0] is 0.0\nto stderr, no newline",  # the import's output goes with the first case
        "n is 1\nx[0] is 0.0\nto stderr, no newline",
        "n is 2\nx[0] is 0.0\nto stderr, no newline",
    ]


@slow
def test_a_print_just_before_a_crash_or_a_kill_still_arrives(tmp_path: Path) -> None:
    source = (
        "import os, sys\n"
        "def solve(n, x):\n"
        "    if n == 0:\n"
        "        print('about to exit')\n"
        "        os._exit(3)\n"
        "    if n == 1:\n"
        "        sys.stdout.write('looping')\n"
        "        while True:\n"
        "            pass\n"
        "    print('fine')\n"
        "    raise ValueError('bad')\n"
    )
    outcomes = run(tmp_path, source, dataclasses.replace(LIMITS, case_time_s=2))
    assert [(o.kind, o.output) for o in outcomes] == [
        (OutcomeKind.CRASH, "about to exit\n"),
        (OutcomeKind.TIMEOUT, "looping"),
        (OutcomeKind.EXCEPTION, "fine\n"),
    ]


@slow
def test_what_a_failing_import_printed_goes_with_the_compile_error(tmp_path: Path) -> None:
    outcomes = run(tmp_path, "print('reading weights')\nraise RuntimeError('no weights')\n")
    assert [o.kind for o in outcomes] == [OutcomeKind.COMPILE_ERROR] * 3
    assert outcomes[0].output == "reading weights\n"
    assert [o.output for o in outcomes[1:]] == ["", ""]  # said once, not once per case


@slow
def test_a_flood_of_prints_is_bounded_and_cheap(tmp_path: Path) -> None:
    source = "import sys\ndef solve(n, x):\n    for i in range(300_000):\n        print('line', i)\n    sys.stderr.write('x' * 10**7)\n    return x\n"
    started = time.monotonic()
    outcomes = run(tmp_path, source, dataclasses.replace(LIMITS, case_time_s=20))
    assert time.monotonic() - started < 60
    assert all(o.kind is OutcomeKind.OK for o in outcomes), [o.message for o in outcomes]
    printed = "".join(f"line {i}\n" for i in range(300_000))
    kept = printed[:MAX_CASE_OUTPUT_BYTES]
    # All of it counted: what the worker sent beyond the judge's share, and what it only counted.
    more = len(printed) + 10**7 - len(kept)
    expected = kept + ("" if kept.endswith("\n") else "\n") + f"(… {more} more bytes not shown)"
    assert [o.output for o in outcomes] == [expected] * 3
    assert OUTPUT_BUDGET_BYTES > MAX_CASE_OUTPUT_BYTES


@slow
def test_output_between_calls_from_a_background_thread_breaks_nothing(tmp_path: Path) -> None:
    source = (
        "import threading, time\n"
        "def chatter():\n"
        "    while True:\n"
        "        print('tick')\n"
        "        time.sleep(0.001)\n"
        "threading.Thread(target=chatter, daemon=True).start()\n"
        "def solve(n, x):\n"
        "    time.sleep(0.2)\n"
        "    return x\n"
    )
    outcomes = run(tmp_path, source)
    assert [o.kind for o in outcomes] == [OutcomeKind.OK] * 3
    # Each call gets what the thread printed while it ran. print() writes "tick" and "\n"
    # separately, so a call may begin or end between the two: only whole words are asserted.
    for outcome in outcomes:
        assert "tick" in outcome.output and set(outcome.output.split()) == {"tick"}, outcome.output[:200]


@slow
def test_the_runner_keeps_nothing_a_hidden_input_could_have_shaped(tmp_path: Path) -> None:
    source = "def solve(n, x):\n    print('LEAK', n)\n    return x\n"
    outcomes = run(tmp_path, source, secret={1})
    assert [o.output for o in outcomes] == ["LEAK 0\n", "", ""]  # the hidden case, and every case after it


FORGE = (
    "import json, os, struct, sys\n"
    "def send(header):\n"
    "    body = json.dumps(header).encode()\n"
    "    os.write(int(sys.argv[sys.argv.index('--out-fd') + 1]), struct.pack('>I', len(body)) + body)\n"
    "def call():\n"
    "    caller = sys._getframe(2).f_locals  # the worker's own loop: the real index and nonce\n"
    "    return caller['index'], caller['nonce']\n"
)


@slow
@pytest.mark.parametrize(
    ("forged", "why"),
    [
        ("{'type': 'output', 'index': index + 1, 'nonce': nonce, 'text': 'LEAK', 'arrays': []}", "for another call"),
        ("{'type': 'output', 'index': index, 'nonce': 'f' * 16, 'text': 'LEAK', 'arrays': []}", "does not echo the nonce"),
        ("{'type': 'output', 'text': 'LEAK', 'arrays': []}", "for another call"),
        ("{'type': 'output', 'index': index, 'nonce': nonce, 'text': 'LEAK', 'kind': 'x', 'arrays': []}", "fields"),
    ],
    ids=["other-index", "wrong-nonce", "import-frame-in-a-case", "extra-field"],
)
def test_a_forged_output_frame_is_a_crash(tmp_path: Path, forged: str, why: str) -> None:
    source = FORGE + f"def solve(n, x):\n    print('before')\n    index, nonce = call()\n    send({forged})\n    return x\n"
    outcomes = run(tmp_path, source)
    assert [o.kind for o in outcomes] == [OutcomeKind.CRASH] * 3
    assert all(why in o.message and "not a valid result" in o.message for o in outcomes), outcomes[0].message
    assert all("LEAK" not in o.message and "LEAK" not in o.output for o in outcomes)
    assert outcomes[1].output == "before\n"


@slow
def test_a_valid_looking_output_frame_is_never_taken_as_the_answer(tmp_path: Path) -> None:
    source = FORGE + (
        "import time\n"
        "def solve(n, x):\n"
        "    index, nonce = call()\n"
        "    for _ in range(200):\n"
        "        send({'type': 'output', 'index': index, 'nonce': nonce, 'text': 'still here\\n', 'arrays': []})\n"
        "        time.sleep(0.02)\n"
    )
    started = time.monotonic()
    outcomes = run(tmp_path, source, dataclasses.replace(LIMITS, case_time_s=1.5))
    assert [o.kind for o in outcomes] == [OutcomeKind.TIMEOUT] * 3  # output never extends the deadline
    assert outcomes[0].output.startswith("still here\n")
    assert time.monotonic() - started < 40


# -- end to end: a public wrong answer shows its prints, a hidden case shows nothing ----------------


def _grade_printing(tmp_path: Path, config: Config, problem: Problem, cases: list, policy: SandboxPolicy | None) -> SubmissionResult:
    source = (
        "import sys\n"
        "import numpy as np\n"
        "def solve(seed, x, features, kernel_size):\n"
        "    print('LEAK', int(seed), 'x0=%.6f' % float(x[0, 0]))  # not flushed\n"
        "    sys.stderr.write('shape %s' % (x.shape,))\n"
        "    return np.zeros(x.shape[0] * int(features), dtype=np.float32)\n"
    )
    path = tmp_path / "debugging.py"
    path.write_text(source)
    return grade(path, problem, config, cases=cases, policy=policy, hints=False)


def _check_public_shown_hidden_not(result: SubmissionResult) -> None:
    public, hidden = result.cases
    assert public.verdict is Verdict.WRONG_ANSWER and hidden.verdict is Verdict.WRONG_ANSWER
    printed, stderr = public.output.split("\n")
    assert printed.startswith("LEAK ") and " x0=" in printed and stderr.startswith("shape (")
    assert hidden.output == ""
    document = render_json(result)
    report = text_report(result)
    assert document.count("LEAK") == 1 and report.count("LEAK") == 1, report  # the public case's, once
    assert f"{public.case_id}: what your code printed" in report


@slow
def test_a_public_wrong_answer_shows_its_prints_and_a_hidden_one_does_not(
    tmp_path: Path, config: Config, conv1d_cases: tuple[Problem, list]
) -> None:
    problem, cases = conv1d_cases
    _check_public_shown_hidden_not(_grade_printing(tmp_path, config, problem, cases, SandboxPolicy(isolate=False)))


@slow
@pytest.mark.skipif(not bwrap_usable()[0], reason=f"sandbox unusable: {bwrap_usable()[1]}")
def test_the_same_through_the_sandbox(tmp_path: Path, config: Config, conv1d_cases: tuple[Problem, list]) -> None:
    problem, cases = conv1d_cases
    result = _grade_printing(tmp_path, config, problem, cases, None)
    assert result.run is not None and result.run.sandboxed
    _check_public_shown_hidden_not(result)

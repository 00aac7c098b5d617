"""What a hidden case may say, and the parent's checks on every field a worker sends (no JAX here)."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import struct
from pathlib import Path

import numpy as np
import pytest

from judge.cases import load_cases
from judge.channel import FrameReader, ProtocolError, parse_header, send
from judge.errors import ProblemSpecError
from judge.expected import Expected
from judge.grade import HIDDEN_DETAIL, HIDDEN_MESSAGES, judge_case
from judge.output_tree import Branch, Container, LeafSpec, OutputTree
from judge.problem import HiddenFeedback, load_problem
from judge.runner import CaseOutcome, OutcomeKind
from judge.verdict import Verdict
from judge.worker_protocol import WorkerFrameError, parse_result_header

REPO = Path(__file__).resolve().parents[1]
LEAK = "LEAK seed=7 x=[0.123456, 2.5]"


@pytest.fixture(scope="module")
def conv1d():
    problem = load_problem(REPO / "problems" / "conv1d")
    hidden = next(c for c in load_cases(problem) if c.hidden)
    return problem, hidden


@pytest.mark.parametrize("kind", sorted(HIDDEN_MESSAGES, key=lambda k: k.value))
def test_hidden_failure_says_only_the_judges_fixed_text(conv1d, kind: OutcomeKind) -> None:
    problem, case = conv1d
    result = judge_case(problem, case, CaseOutcome(0, kind, time_s=1.23456789, message=LEAK), Expected(None, "unused"))
    assert result.message == f"{HIDDEN_MESSAGES[kind]} ({HIDDEN_DETAIL})"
    assert "LEAK" not in result.message
    assert result.time_s == 1.2  # the judge's own measurement, coarse


def test_hidden_wrong_answer_gives_no_figures(conv1d) -> None:
    problem, case = conv1d
    expected = Expected(OutputTree.of(np.zeros(6, dtype=np.float32)))
    got = CaseOutcome(0, OutcomeKind.OK, value=OutputTree.of(np.ones(6, dtype=np.float32)), time_s=0.04)
    result = judge_case(problem, case, got, expected)
    assert result.verdict is Verdict.WRONG_ANSWER
    assert result.message == f"wrong values ({HIDDEN_DETAIL})"
    assert result.max_abs_error is None and result.mismatch is None and result.time_s == 0.0


def test_hidden_tree_answers_name_no_key_path_or_size(conv1d) -> None:
    """A tree output: the hidden message is one of three fixed ones, never the submission's keys,
    the path of the wrong leaf, or the size of its containers (all of which it may choose)."""
    problem, case = conv1d
    stats_spec = Branch(Container.DICT, (("mean", LeafSpec()), ("n", LeafSpec(dtype="int32"))))
    spec = Branch(Container.TUPLE, ((0, LeafSpec(dtype="float32")), (1, stats_spec)))
    problem = dataclasses.replace(problem, output=dataclasses.replace(problem.output, tree=spec))

    def answer(stats: dict[str, object], kind: Container = Container.TUPLE) -> OutputTree:
        inner = Branch(Container.DICT, tuple((k, np.asarray(v)) for k, v in stats.items()))
        return OutputTree(Branch(kind, ((0, np.zeros(3, np.float32)), (1, inner))))

    expected = Expected(answer({"mean": [1.0], "n": 3}))
    cases = {
        "wrong structure": [answer({"mean": [1.0], "n": 3, LEAK: 0}), answer({"mean": [1.0]}), answer({"mean": [1.0], "n": 3}, Container.LIST)],
        "wrong values": [answer({"mean": [1.0], "n": 4}), answer({"mean": [float("nan")], "n": 3})],
        "wrong shape": [answer({"mean": [1.0, 2.0], "n": 3})],
        "": [answer({"n": 3, "mean": [1.0]})],  # key order is free
    }
    for message, answers in cases.items():
        for got in answers:
            result = judge_case(problem, case, CaseOutcome(0, OutcomeKind.OK, value=got, time_s=0.5), expected)
            assert result.message == (f"{message} ({HIDDEN_DETAIL})" if message else ""), got.to_wire()[0]
            assert result.mismatch is None and result.max_abs_error is None
            assert not any(s in json.dumps(result.to_json()) for s in ("LEAK", "mean", "[1]", "'n'"))
    public = dataclasses.replace(case, hidden=False)
    shown = judge_case(problem, public, CaseOutcome(0, OutcomeKind.OK, value=answer({"mean": [1.0], "n": 4}), time_s=0.5), expected)
    assert shown.message == "[1]['n']: 1/1 elements differ (compared exactly)"


def test_feedback_none_gives_the_verdict_only(conv1d) -> None:
    problem, case = conv1d
    quiet = dataclasses.replace(problem, hidden_feedback=HiddenFeedback.NONE)
    result = judge_case(quiet, case, CaseOutcome(0, OutcomeKind.EXCEPTION, time_s=3.3, message=LEAK), Expected(None, "x"))
    assert (result.verdict, result.message, result.time_s) == (Verdict.RUNTIME_ERROR, "", None)


def test_public_case_keeps_the_learners_own_message(conv1d) -> None:
    problem, _ = conv1d
    public = next(c for c in load_cases(problem) if not c.hidden)
    result = judge_case(problem, public, CaseOutcome(0, OutcomeKind.EXCEPTION, time_s=0.5, message=LEAK), Expected(None, "x"))
    assert result.message == LEAK


def test_feedback_setting_is_validated_with_file_line_and_field(tmp_path: Path) -> None:
    root = tmp_path / "conv1d"
    shutil.copytree(REPO / "problems" / "conv1d", root)
    with (root / "problem.yaml").open("a") as handle:
        handle.write("feedback:\n  hidden: everything\n")
    with pytest.raises(ProblemSpecError) as caught:
        load_problem(root)
    text = str(caught.value)
    assert "problem.yaml" in text and "feedback.hidden" in text and "verdict, none" in text
    (root / "problem.yaml").write_text((root / "problem.yaml").read_text().replace("everything", "none"))
    assert load_problem(root).hidden_feedback is HiddenFeedback.NONE


# -- the channel: strict JSON, bounded numbers and depth ------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        b'{"type": "result", "time_s": ' + str(10**400).encode() + b"}",
        b'{"type": "result", "time_s": ' + b"9" * 5000 + b"}",
        b'{"type": "result", "time_s": NaN}',
        b'{"type": "result", "time_s": Infinity}',
        b'{"type": "result", "time_s": 1e999}',
        b'{"type": "result", "x": ' + b"[" * 200_000 + b"]" * 200_000 + b"}",
        b"[1, 2]",
        b"\xff\xfe",
    ],
    ids=["int-10e400", "int-5000-digits", "nan", "infinity", "float-overflow", "nested-200000", "not-object", "not-utf8"],
)
def test_hostile_headers_are_protocol_errors(raw: bytes) -> None:
    with pytest.raises(ProtocolError):
        parse_header(raw)


def test_frame_reader_turns_a_hostile_header_into_a_protocol_error() -> None:
    r, w = os.pipe()
    body = b'{"type": "result", "arrays": [' + str(10**400).encode() + b"]}"
    os.write(w, struct.pack(">I", len(body)) + body)
    os.close(w)
    with pytest.raises(ProtocolError):
        FrameReader(r).read(deadline=None, max_array_bytes=1024)
    os.close(r)


def test_the_judge_never_writes_nan_into_a_frame() -> None:
    r, w = os.pipe()
    with os.fdopen(w, "wb") as out, pytest.raises(ValueError):
        send(out, {"type": "case", "value": float("nan")})
    os.close(r)


@pytest.mark.parametrize(
    "header, why",
    [
        ({"type": "result", "index": 1, "nonce": "n", "arrays": [8], "time_s": 0.1}, "fields"),
        ({"type": "result", "index": 1, "nonce": "other", "arrays": [8]}, "nonce"),
        ({"type": "result", "index": True, "nonce": "n", "arrays": [8]}, "another call"),
        ({"type": "result", "index": 2, "nonce": "n", "arrays": [8]}, "another call"),
        ({"type": LEAK, "index": 1, "nonce": "n", "arrays": []}, "neither"),
        ({"type": "error", "index": 1, "nonce": "n", "kind": LEAK, "message": "m", "arrays": []}, "unknown kind"),
        ({"type": "error", "index": 1, "nonce": "n", "kind": "exception", "message": 5, "arrays": []}, "not text"),
    ],
)
def test_worker_answers_are_checked_field_by_field(header: dict, why: str) -> None:
    with pytest.raises(WorkerFrameError) as caught:
        parse_result_header(header, 1, "n")
    assert why in str(caught.value)
    assert "LEAK" not in str(caught.value)  # nothing the worker sent is echoed


def test_worker_text_is_made_valid_unicode() -> None:
    header = {"type": "error", "index": 1, "nonce": "n", "kind": "exception", "message": "a" + chr(0xD800) + "b", "arrays": []}
    frame = parse_result_header(header, 1, "n")
    assert frame.message == "a?b"
    frame.message.encode("utf-8")  # strict: no lone surrogate left



def test_an_import_error_after_a_hidden_case_is_not_shown(conv1d) -> None:
    problem, case = conv1d
    first = judge_case(problem, case, CaseOutcome(0, OutcomeKind.COMPILE_ERROR, message="SyntaxError at line 3"), Expected(None, "x"))
    assert first.message == "SyntaxError at line 3"  # the first import: no input existed yet
    again = CaseOutcome(0, OutcomeKind.COMPILE_ERROR, message=LEAK, after_secret=True)
    result = judge_case(problem, case, again, Expected(None, "x"))
    assert result.verdict is Verdict.COMPILE_ERROR and "LEAK" not in result.message

from __future__ import annotations

import pytest

from judge.verdict import CaseResult, SubmissionResult, Verdict


def test_overall_is_accepted_only_when_all_accepted() -> None:
    assert Verdict.overall([Verdict.ACCEPTED] * 3) is Verdict.ACCEPTED
    assert Verdict.overall([]) is Verdict.ACCEPTED


@pytest.mark.parametrize(
    ("verdicts", "overall"),
    [
        ([Verdict.ACCEPTED, Verdict.WRONG_ANSWER], Verdict.WRONG_ANSWER),
        ([Verdict.WRONG_ANSWER, Verdict.RUNTIME_ERROR], Verdict.RUNTIME_ERROR),
        ([Verdict.RUNTIME_ERROR, Verdict.TIME_LIMIT_EXCEEDED], Verdict.TIME_LIMIT_EXCEEDED),
        ([Verdict.TIME_LIMIT_EXCEEDED, Verdict.MEMORY_LIMIT_EXCEEDED], Verdict.MEMORY_LIMIT_EXCEEDED),
        ([Verdict.OUTPUT_LIMIT_EXCEEDED, Verdict.WRONG_ANSWER], Verdict.OUTPUT_LIMIT_EXCEEDED),
        ([Verdict.COMPILE_ERROR, Verdict.MEMORY_LIMIT_EXCEEDED], Verdict.COMPILE_ERROR),
        ([Verdict.COMPILE_ERROR, Verdict.INTERNAL_ERROR], Verdict.INTERNAL_ERROR),
    ],
)
def test_priority(verdicts: list[Verdict], overall: Verdict) -> None:
    assert Verdict.overall(verdicts) is overall


def test_parse_lists_valid_codes() -> None:
    assert Verdict.parse("wrong_answer") is Verdict.WRONG_ANSWER
    with pytest.raises(ValueError, match="valid verdicts: accepted, wrong_answer"):
        Verdict.parse("WA")


def test_score_and_json() -> None:
    cases = (
        CaseResult("a", False, Verdict.ACCEPTED, time_s=0.5),
        CaseResult("b", True, Verdict.WRONG_ANSWER, "wrong values"),
        CaseResult("c", True, Verdict.ACCEPTED),
        CaseResult("d", False, Verdict.RUNTIME_ERROR, "boom"),
    )
    result = SubmissionResult("p", "s.py", Verdict.overall(c.verdict for c in cases), cases)
    data = result.to_json()
    assert data["verdict"] == "runtime_error" and data["score"] == 0.5
    assert [c["id"] for c in data["cases"]] == ["a", "b", "c", "d"]
    assert data["cases"][1] == {"id": "b", "hidden": True, "verdict": "wrong_answer", "message": "wrong values", "time_s": None}

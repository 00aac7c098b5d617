from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from judge.report import make_console, render_json, render_text
from judge.verdict import CaseResult, Mismatch, RunInfo, SubmissionResult, Verdict

REPO = Path(__file__).resolve().parents[1]


def sample() -> SubmissionResult:
    mismatch = Mismatch((2,), (2,), 1.0, 2.0, 1, 2, ((1,),), (0.5,), (1.5,))
    cases = (
        CaseResult("pub", False, Verdict.WRONG_ANSWER, "1/2 elements differ", 0.1, 1.0, 2.0, mismatch, hint="flip it"),
        CaseResult("hid", True, Verdict.WRONG_ANSWER, "wrong values (details are not shown for hidden cases)", 0.1, hint="flip it"),
        CaseResult("ok", True, Verdict.ACCEPTED, "", 0.1),
    )
    return SubmissionResult("conv1d", "s.py", Verdict.WRONG_ANSWER, cases, run=RunInfo(sandboxed=True, output_truncated=True, stdout_bytes=10**6))


def text(result: SubmissionResult) -> str:
    buffer = io.StringIO()
    render_text(result, make_console(buffer))
    return buffer.getvalue()


def test_text_report_lines_details_hint_and_summary() -> None:
    out = text(sample())
    assert "\x1b[" not in out  # not a terminal: no colour
    assert "pub" in out and "hid (hidden)" in out
    assert "0.5" in out and "1.5" in out  # public values shown
    assert out.count("flip it") == 1 and "hint (pub, hid)" in out
    assert "Verdict: wrong_answer · 1/3 cases" in out
    assert "output beyond the cap was discarded" in out
    assert "sandboxed" in out


def test_json_report_is_one_document() -> None:
    data = json.loads(render_json(sample()))
    assert data["verdict"] == "wrong_answer" and data["cases"][1]["hint"] == "flip it"
    assert "mismatch" not in data["cases"][1]


@pytest.mark.slow
def test_what_the_sandbox_could_not_enforce_reaches_the_report(monkeypatch: pytest.MonkeyPatch, config) -> None:
    """Without a writable memory cgroup there is no process cap: the JSON and the text say so."""
    import judge.sandbox
    from judge.grade import grade

    monkeypatch.setattr(judge.sandbox.Cgroup, "create", classmethod(lambda cls, memory, pids: None))
    from judge.cases import load_cases
    from judge.problem import load_problem

    problem = load_problem(REPO / "problems" / "conv1d")
    case = load_cases(problem)[:1]
    result = grade(problem.solutions_dir / "accepted" / "compact_lax.py", problem, config, cases=case, hints=False)
    assert result.verdict is Verdict.ACCEPTED
    assert result.to_json()["run"]["notes"] == ["no writable cgroup: memory capped by address space only, processes not capped"]
    text = io.StringIO()
    render_text(result, make_console(text))
    assert "note: no writable cgroup: memory capped by address space only, processes not capped" in text.getvalue()

"""Every file in problems/*/solutions/ must get the verdict its first line declares.

Graded by ``judge check`` (the ``checked`` fixture: each solution sandboxed, as a learner's
file is), whose report the gate's own tests (tests/test_check_problems.py) read too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from judge.authoring.check import CheckReport
from judge.verdict import Verdict

REPO = Path(__file__).resolve().parent.parent
EXPECT = re.compile(r"^#\s*expect:\s*([a-z_]+)\s*$")
SOLUTIONS = sorted(REPO.glob("problems/*/solutions/*/*.py"))


def declared_verdict(path: Path) -> Verdict:
    first = path.read_text().splitlines()[0]
    match = EXPECT.match(first)
    assert match, f"{path}: first line must be '# expect: <verdict>'"
    return Verdict.parse(match.group(1))


def test_there_are_golden_solutions() -> None:
    accepted = [p for p in SOLUTIONS if p.parent.name == "accepted"]
    wrong = [p for p in SOLUTIONS if p.parent.name == "wrong"]
    assert len(accepted) >= 3 and len(wrong) >= 6


@pytest.mark.parametrize("path", SOLUTIONS, ids=[str(p.relative_to(REPO / "problems")) for p in SOLUTIONS])
def test_solution_gets_declared_verdict(path: Path, checked: Callable[[Path], CheckReport]) -> None:
    expected = declared_verdict(path)
    report = checked(path.parents[2])
    name = str(path.relative_to(path.parents[1]))
    [graded] = [s for s in report.solutions if s.file == name]
    assert graded.got is expected, f"{name}: got {graded.got.value}; failing cases: {', '.join(graded.rejected_by)}"
    assert graded.sandboxed
    if path.parent.name == "accepted":
        assert graded.score == 1.0 and not graded.rejected_by
    else:
        assert graded.score < 1.0 and graded.rejected_by

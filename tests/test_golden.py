"""Every file in problems/*/solutions/ must get the verdict its first line declares."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from judge.config import Config
from judge.grade import grade
from judge.problem import load_problem
from judge.verdict import SubmissionResult, Verdict

REPO = Path(__file__).resolve().parent.parent
EXPECT = re.compile(r"^#\s*expect:\s*([a-z_]+)\s*$")
SOLUTIONS = sorted(REPO.glob("problems/*/solutions/*/*.py"))


def declared_verdict(path: Path) -> Verdict:
    first = path.read_text().splitlines()[0]
    match = EXPECT.match(first)
    assert match, f"{path}: first line must be '# expect: <verdict>'"
    return Verdict.parse(match.group(1))


@pytest.fixture(scope="module")
def golden_results(config: Config) -> dict[Path, SubmissionResult]:
    """Grade all solutions two at a time (the machines have 2 cores)."""

    def run(path: Path) -> SubmissionResult:
        problem = load_problem(path.parents[2], config.problems_dir)
        return grade(path, problem, config)

    # Warm the expected-output cache once per problem before going parallel.
    by_problem = {p.parents[2]: p for p in SOLUTIONS}
    first = {p: run(p) for p in by_problem.values()}
    with ThreadPoolExecutor(max_workers=2) as pool:
        rest = [p for p in SOLUTIONS if p not in first]
        return {**first, **dict(zip(rest, pool.map(run, rest), strict=True))}


def test_there_are_golden_solutions() -> None:
    accepted = [p for p in SOLUTIONS if p.parent.name == "accepted"]
    wrong = [p for p in SOLUTIONS if p.parent.name == "wrong"]
    assert len(accepted) >= 3 and len(wrong) >= 6


@pytest.mark.parametrize("path", SOLUTIONS, ids=[str(p.relative_to(REPO / "problems")) for p in SOLUTIONS])
def test_solution_gets_declared_verdict(path: Path, golden_results: dict[Path, SubmissionResult]) -> None:
    expected = declared_verdict(path)
    result = golden_results[path]
    detail = "; ".join(f"{c.case_id}: {c.verdict.value} {c.message[:80]}" for c in result.cases if not c.passed)
    assert result.verdict is expected, detail
    assert result.run is not None and result.run.sandboxed
    if path.parent.name == "accepted":
        assert result.score == 1.0
    else:
        assert result.score < 1.0

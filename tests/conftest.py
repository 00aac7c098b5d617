"""Shared fixtures: the repository, a config with a per-session cache, the conv1d problem."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from judge.authoring.check import CheckReport, check_problem
from judge.config import Config, load_config
from judge.problem import Problem, load_problem
from judge.record import ResultRecord
from judge.verdict import CaseResult, SubmissionResult, Verdict

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def session_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache dir for the whole session, so the reference runs once per problem."""
    return tmp_path_factory.mktemp("judge-cache")


@pytest.fixture(scope="session")
def config(session_cache: Path) -> Config:
    return load_config(REPO / "config.yaml", overrides={"cache_dir": str(session_cache)})


@pytest.fixture(scope="session")
def checked(config: Config) -> Callable[[Path], CheckReport]:
    """``judge check`` of a shipped problem, run once per session and shared: the gate's tests and
    the golden tests both need every known solution graded, and grading them twice doubled the
    suite's longest part."""
    reports: dict[Path, CheckReport] = {}
    lock = threading.Lock()

    def report(root: Path) -> CheckReport:
        with lock:
            if root not in reports:
                reports[root] = check_problem(root, config)
            return reports[root]

    return report


@pytest.fixture(scope="session")
def conv1d(config: Config) -> Problem:
    return load_problem("conv1d", config.problems_dir)


def graded_record(user: str, submission: str, score: float, time_s: float | None = None, submitted_at: str = "",
                  verdict: str = "accepted", sha256: str = "0") -> ResultRecord:
    """A stored record with the given score (as a share of 20 cases) for leaderboard and diff tests."""
    passed = round(score * 20)
    assert abs(passed - score * 20) < 1e-9, "scores in these tests are multiples of 1/20"
    failing = Verdict.parse(verdict) if verdict != "accepted" else Verdict.WRONG_ANSWER
    cases = tuple(CaseResult(f"c{i}", False, Verdict.ACCEPTED if i < passed else failing) for i in range(20))
    result = SubmissionResult("conv1d", submission, Verdict.parse(verdict), cases, ranking_time_s=time_s)
    return ResultRecord(user, submission, sha256, result, submitted_at=submitted_at)


# Modules whose every test starts real JAX workers (sandboxed or not): `make test-fast` leaves them
# out, with the doctests that grade and every test marked slow. `make test` (CI) runs everything.
SLOW_MODULES = {"test_batch", "test_cli", "test_golden", "test_expected_cache", "test_hidden_feedback", "test_runner",
                "test_sandbox_layers", "test_hostile", "test_service_live", "test_check_problems"}
SLOW_DOCTESTS = {"judge.grade", "judge.job", "judge.runner"}
SLOW_FIXTURES = {"graded_service", "session_cache", "checked"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        module = item.nodeid.split("::")[0].rsplit("/", 1)[-1].removesuffix(".py")
        doctest_of = item.name if type(item).__name__ == "DoctestItem" else ""
        if module in SLOW_MODULES or doctest_of in SLOW_DOCTESTS or SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def fake_grading(monkeypatch: pytest.MonkeyPatch, config: Config) -> Config:
    """Batch machinery without JAX: every submission accepted at once, no ranking time."""
    import judge.job

    def fake_grade(path: Path, problem: Problem, config: Config, **options: object) -> SubmissionResult:
        return SubmissionResult(problem.id, str(path), Verdict.ACCEPTED, (CaseResult("c", False, Verdict.ACCEPTED),))

    monkeypatch.setattr(judge.job, "grade", fake_grade)
    return dataclasses.replace(config, sandbox="none")

"""Shared fixtures: the repository, a config with a per-session cache, the conv1d problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from judge.config import Config, load_config
from judge.problem import Problem, load_problem

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
def conv1d(config: Config) -> Problem:
    return load_problem("conv1d", config.problems_dir)

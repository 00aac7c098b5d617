from __future__ import annotations

from pathlib import Path

import pytest

from judge.config import Config, load_config
from judge.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text)
    return path


def test_defaults_without_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    cfg = load_config(None)
    assert (cfg.backend, cfg.precision, cfg.x64, cfg.sandbox) == ("cpu", "highest", False, "auto")
    assert cfg.problems_dir == tmp_path / "problems"


def test_repo_config_loads(repo: Path) -> None:
    cfg = load_config(repo / "config.yaml")
    assert cfg.backend == "cpu" and cfg.problems_dir == repo / "problems"
    assert cfg.limits.case_time_s == 10


def test_relative_paths_are_relative_to_the_file(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, "problems_dir: probs\ncache_dir: /abs/cache\n"))
    assert cfg.problems_dir == tmp_path / "probs"
    assert cfg.cache_dir == Path("/abs/cache")


def test_environment_overrides_file_and_flags_override_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "backend: cpu\nprecision: high\n")
    monkeypatch.setenv("JUDGE_BACKEND", "gpu")
    monkeypatch.setenv("JUDGE_X64", "true")
    cfg = load_config(path)
    assert (cfg.backend, cfg.precision, cfg.x64) == ("gpu", "high", True)
    assert load_config(path, overrides={"backend": "tpu"}).backend == "tpu"


@pytest.mark.parametrize(
    ("text", "line", "field"),
    [
        ("backend: cuda\n", 1, "backend"),
        ("x64: maybe\n", 1, "x64"),
        ("rtol: 1e-5\nbogus: 1\n", 2, "bogus"),
        ("limits:\n  case_time_s: -1\n", 2, "limits.case_time_s"),
        ("limits:\n  cpu_s: 3\n", 2, "limits.cpu_s"),
        ("service:\n  warm_workers: 1.5\n", 2, "service.warm_workers"),
        ("service:\n  warm_workers: -1\n", 2, "service.warm_workers"),
    ],
)
def test_bad_values_name_file_line_and_field(tmp_path: Path, text: str, line: int, field: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.line == line and info.value.field == field
    assert str(info.value).startswith(f"{path}:{line}: field '{field}'")


def test_bad_yaml_names_the_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"config.yaml:2: invalid YAML"):
        load_config(write(tmp_path, "backend: cpu\nlimits: ]\n"))


def test_missing_explicit_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.yaml")


def test_with_overrides_validates() -> None:
    cfg = Config().with_overrides(case_time_s=2, sandbox="none")
    assert cfg.limits.case_time_s == 2 and cfg.sandbox == "none"
    with pytest.raises(ConfigError):
        Config().with_overrides(backend="metal")


def test_warm_workers_default_to_one_per_grader_and_zero_turns_them_off(tmp_path: Path) -> None:
    from judge.service.db import ServiceDB
    from judge.service.queue import Graders

    assert load_config(write(tmp_path, "backend: cpu\n")).service.warm_workers is None
    default = Graders(ServiceDB(tmp_path / "a"), load_config(write(tmp_path, "backend: cpu\n")), workers=3)
    assert default.group.pool is not None and default.group.pool.size == 3
    off = load_config(write(tmp_path, "service:\n  warm_workers: 0\n"))
    assert off.service.warm_workers == 0
    assert Graders(ServiceDB(tmp_path / "b"), off, workers=3).group.pool is None

"""Expected-output cache: keyed by everything it depends on; never stale, never trusted if corrupt."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import numpy as np
import pytest

from judge import expected as expected_mod
from judge.cases import load_cases, materialize
from judge.config import Config
from judge.expected import Expected, cache_key, expected_outputs
from judge.problem import Problem, load_problem


@pytest.fixture()
def fresh(tmp_path: Path, repo: Path, config: Config) -> tuple[Problem, Config]:
    root = tmp_path / "conv1d"
    shutil.copytree(repo / "problems" / "conv1d", root)
    return load_problem(root), dataclasses.replace(config, cache_dir=tmp_path / "cache")


@pytest.fixture()
def reference_calls(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Record which case ids each reference run computes (the real reference still runs)."""
    calls: list[list[str]] = []
    real = expected_mod._run_reference

    def spy(problem, cases, inputs, config):  # type: ignore[no-untyped-def]
        calls.append([c.id for c in cases])
        return real(problem, cases, inputs, config)

    monkeypatch.setattr(expected_mod, "_run_reference", spy)
    return calls


def outputs(problem: Problem, config: Config, n: int = 3) -> dict[str, Expected]:
    cases = load_cases(problem)[:n]
    return expected_outputs(problem, cases, [materialize(problem, c) for c in cases], config)


def test_second_call_is_served_from_cache(fresh: tuple[Problem, Config], reference_calls: list[list[str]]) -> None:
    problem, config = fresh
    first = outputs(problem, config)
    second = outputs(problem, config)
    assert len(reference_calls) == 1
    assert all(e.from_cache for e in second.values())
    for case_id in first:
        np.testing.assert_array_equal(first[case_id].value.single, second[case_id].value.single)


def test_changed_case_recomputes_only_that_case(fresh: tuple[Problem, Config], reference_calls: list[list[str]]) -> None:
    problem, config = fresh
    before = outputs(problem, config)
    text = problem.cases_file.read_text()
    problem.cases_file.write_text(text.replace("features: 4", "features: 5", 1))  # small-multichannel
    after = outputs(problem, config)
    assert reference_calls[-1] == ["small-multichannel"]
    assert after["small-multichannel"].value.single.shape != before["small-multichannel"].value.single.shape


def test_changed_reference_recomputes_everything(fresh: tuple[Problem, Config], reference_calls: list[list[str]]) -> None:
    problem, config = fresh
    outputs(problem, config)
    ref = problem.reference_file
    ref.write_text(ref.read_text() + "\n# a comment changes the key too\n")
    outputs(problem, config)
    assert len(reference_calls) == 2 and len(reference_calls[1]) == 3


def test_key_depends_on_versions_backend_precision_x64(fresh: tuple[Problem, Config], monkeypatch: pytest.MonkeyPatch) -> None:
    problem, config = fresh
    case = load_cases(problem)[0]
    base = cache_key(problem, case, config)
    assert cache_key(problem, case, dataclasses.replace(config, backend="gpu")) != base
    assert cache_key(problem, case, dataclasses.replace(config, precision="default")) != base
    assert cache_key(problem, case, dataclasses.replace(config, x64=True)) != base
    real = expected_mod.package_versions
    monkeypatch.setattr(expected_mod, "package_versions", lambda: {**real(), "jax": "999.0"})
    assert cache_key(problem, case, config) != base


def test_new_jax_version_never_serves_stale_output(
    fresh: tuple[Problem, Config], reference_calls: list[list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    problem, config = fresh
    outputs(problem, config)
    real = expected_mod.package_versions
    monkeypatch.setattr(expected_mod, "package_versions", lambda: {**real(), "jaxlib": "0.0.0-other"})
    outputs(problem, config)
    assert len(reference_calls) == 2


@pytest.mark.parametrize("damage", ["flip-byte", "truncate", "bad-checksum", "garbage"])
def test_corrupt_entries_are_rebuilt(fresh: tuple[Problem, Config], reference_calls: list[list[str]], damage: str) -> None:
    problem, config = fresh
    good = outputs(problem, config)
    for data in (config.cache_dir / "expected").rglob("*.npy"):
        blob = data.read_bytes()
        if damage == "flip-byte":
            data.write_bytes(blob[:-1] + bytes([blob[-1] ^ 0xFF]))
        elif damage == "truncate":
            data.write_bytes(blob[: len(blob) // 2])
        elif damage == "bad-checksum":
            data.with_suffix(".sha256").write_text("0" * 64)
        else:
            data.write_bytes(b"\x93NUMPY garbage")
    again = outputs(problem, config)
    assert len(reference_calls) == 2 and len(reference_calls[1]) == 3
    for case_id, e in again.items():
        assert not e.from_cache
        np.testing.assert_array_equal(e.value.single, good[case_id].value.single)


def test_unreadable_cache_dir_still_grades(fresh: tuple[Problem, Config], reference_calls: list[list[str]]) -> None:
    problem, config = fresh
    config.cache_dir.mkdir(parents=True)
    (config.cache_dir / "expected").write_text("a file where a folder should be")
    result = outputs(problem, config)
    assert all(e.value is not None for e in result.values())


def test_concurrent_fillers_run_the_reference_once(fresh: tuple[Problem, Config], monkeypatch: pytest.MonkeyPatch) -> None:
    """Two graders that miss the cache at once: one computes under the file lock, the other reads."""
    import threading
    import time

    problem, config = fresh
    cases = load_cases(problem)[:2]
    inputs = [materialize(problem, c) for c in cases]
    real = expected_mod._run_reference
    calls: list[int] = []

    def slow_reference(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        time.sleep(0.5)  # both threads are waiting on the lock by now
        return real(*args, **kwargs)

    monkeypatch.setattr(expected_mod, "_run_reference", slow_reference)
    found: list[dict[str, Expected]] = []
    threads = [threading.Thread(target=lambda: found.append(expected_outputs(problem, cases, inputs, config))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert len(calls) == 1 and len(found) == 2
    assert all(e.value is not None for result in found for e in result.values())

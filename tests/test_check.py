"""``judge check`` fails, naming the culprit, when a problem is not ready."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from judge.authoring.check import bfloat16_round, redundant_cases
from judge.cli import main
from judge.cli.authoring import register

REPO = Path(__file__).resolve().parent.parent

if "check" not in main.commands:
    register(main)


def invoke(*args: str, cache: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env={"JUDGE_CACHE_DIR": str(cache)})
    return result.exit_code, result.output


def test_redundant_cases_greedy_cover() -> None:
    assert redundant_cases(["a", "b", "c"], {"w1": {"a", "b"}, "w2": {"b"}}) == ["a", "c"]
    assert redundant_cases(["a", "b"], {"w1": set()}) == ["a", "b"]


def test_bfloat16_round_matches_emulation() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=1000).astype(np.float32)
    rounded = bfloat16_round(x)
    assert np.all(np.abs(rounded - x) <= np.abs(x) * 2.0**-8)
    bits = x.view(np.uint32).astype(np.uint64)
    emulated = ((bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000).astype(np.uint32).view(np.float32)
    np.testing.assert_array_equal(rounded, emulated)


@pytest.fixture()
def layernorm_copy(tmp_path: Path) -> Path:
    root = tmp_path / "layernorm"
    shutil.copytree(REPO / "problems" / "layernorm", root)
    return root


@pytest.mark.slow
def test_slipping_wrong_solution_fails_check_and_is_named(layernorm_copy: Path, session_cache: Path) -> None:
    # fast_variance is rejected only by the large-offset case: delete that case.
    cases = layernorm_copy / "cases.yaml"
    text = cases.read_text()
    start = text.index("  - id: large-offset")
    end = text.index("  - id: small-spread-eps")
    cases.write_text(text[:start] + text[end:])
    # Keep the run short: only two accepted and three wrong solutions.
    for name in ("lax_rsqrt_var.py", "numpy_float64.py"):
        (layernorm_copy / "solutions" / "accepted" / name).unlink()
    for path in (layernorm_copy / "solutions" / "wrong").glob("*.py"):
        if path.stem not in ("fast_variance", "eps_outside_sqrt", "rms_norm"):
            path.unlink()
    code, out = invoke("check", "--problem", str(layernorm_copy), cache=session_cache)
    assert code == 1, out
    assert "✗ every wrong solution is rejected by some case: no case rejects: wrong/fast_variance.py" in out
    assert "✗ solutions/wrong/fast_variance.py: declared wrong_answer, got accepted" in out
    assert "Result: FAIL" in out
    code, out = invoke("check", "--problem", str(layernorm_copy), "--format", "json", cache=session_cache)
    report = json.loads(out)
    assert code == 1 and not report["ok"]
    assert report["table"]["wrong/fast_variance.py"] == []


@pytest.mark.parametrize(
    "file, edit, expected",
    [
        ("problem.yaml", ("type: float", "type: flaot"), "problem.yaml:"),
        ("cases.yaml", ("    eps: 1.0\n", "    eps: big\n"), "case 'large-eps': field 'eps'"),
        ("cases.yaml", ("  - id: one-row", "  - id: one-row\n    bogus: 1"), "field 'bogus'"),
        ("problem.yaml", ("gen: {choices:", "gen: {choises:"), "field 'args[3].gen'"),
    ],
)
def test_malformed_files_give_a_failed_line_not_a_traceback(
    layernorm_copy: Path, session_cache: Path, file: str, edit: tuple[str, str], expected: str
) -> None:
    path = layernorm_copy / file
    text = path.read_text()
    assert edit[0] in text
    path.write_text(text.replace(edit[0], edit[1], 1))
    code, out = invoke("check", "--problem", str(layernorm_copy), cache=session_cache)
    assert code == 1 and "Traceback" not in out
    failed = [line for line in out.splitlines() if line.startswith("  ✗")]
    assert len(failed) == 1 and expected in failed[0] and str(path) in failed[0], out


def test_unknown_problem_is_a_usage_error(session_cache: Path) -> None:
    code, out = invoke("check", "--problem", "no-such-problem", cache=session_cache)
    assert code == 2 and "no-such-problem" in out and "Traceback" not in out

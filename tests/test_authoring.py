"""Authoring commands: judge new, cases show / add / gen."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from judge.authoring.cases import append_cases, flow_yaml, propose_candidates
from judge.cases import load_cases, materialize
from judge.cli import main
from judge.cli.authoring import register
from judge.problem import load_problem

REPO = Path(__file__).resolve().parent.parent

if "check" not in main.commands:
    register(main)


def invoke(*args: str, cache: Path, problems: Path | None = None) -> tuple[int, str]:
    env = {"JUDGE_CACHE_DIR": str(cache)}
    if problems is not None:
        env["JUDGE_PROBLEMS_DIR"] = str(problems)
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.output


@pytest.fixture()
def conv1d_copy(tmp_path: Path) -> Path:
    root = tmp_path / "conv1d"
    shutil.copytree(REPO / "problems" / "conv1d", root)
    return root


# -- judge new ------------------------------------------------------------------------------


@pytest.mark.slow
def test_new_then_complete_then_check_passes(tmp_path: Path, session_cache: Path) -> None:
    code, out = invoke("new", "dense-layer", cache=session_cache, problems=tmp_path)
    assert code == 0, out
    root = tmp_path / "dense-layer"
    expected = {"problem.yaml", "cases.yaml", "statement.md", "reference.py", "template.py",
                "solutions/accepted/example_accepted.py", "solutions/wrong/example_wrong.py"}
    assert {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} == expected
    # Fresh from the scaffold, check refuses the TODO placeholders.
    code, out = invoke("check", "--problem", "dense-layer", cache=session_cache, problems=tmp_path)
    assert code == 1 and "TODO(author)" in out
    # The author completes it: here, by deleting every placeholder line.
    for path in root.rglob("*"):
        if path.is_file():
            path.write_text("".join(line for line in path.read_text().splitlines(True) if "TODO(author)" not in line))
    code, out = invoke("check", "--problem", "dense-layer", cache=session_cache, problems=tmp_path)
    assert code == 0, out
    assert "Result: PASS" in out


def test_new_refuses_existing_folder_and_bad_ids(tmp_path: Path, session_cache: Path) -> None:
    (tmp_path / "taken").mkdir()
    code, out = invoke("new", "taken", cache=session_cache, problems=tmp_path)
    assert code == 2 and "already exists" in out
    for bad in ("Bad", "../escape", "_x", "a b"):
        code, out = invoke("new", bad, cache=session_cache, problems=tmp_path)
        assert code == 2 and "invalid problem id" in out, (bad, out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


# -- judge cases show -----------------------------------------------------------------------


def test_cases_show_json_round_trips_through_the_materializer(session_cache: Path) -> None:
    code, out = invoke("cases", "show", "--problem", "conv1d", "--format", "json", cache=session_cache)
    assert code == 0
    shown = json.loads(out)
    problem = load_problem("conv1d", REPO / "problems")
    cases = load_cases(problem)
    assert [c["id"] for c in shown] == [c.id for c in cases]
    for item, case in zip(shown, cases, strict=False):
        assert item["hidden"] == case.hidden
        values = materialize(problem, case)
        for name, value in values.items():
            if isinstance(value, np.ndarray):
                again = np.array(item["inputs"][name], dtype=value.dtype)
                assert again.shape == value.shape and again.tobytes() == value.tobytes()
            else:
                assert item["inputs"][name] == value and type(item["inputs"][name]) is type(value)


def test_cases_show_filters(session_cache: Path) -> None:
    _, out = invoke("cases", "show", "-p", "conv1d", "--public", "--format", "json", cache=session_cache)
    public = json.loads(out)
    _, out = invoke("cases", "show", "-p", "conv1d", "--hidden", "--format", "json", cache=session_cache)
    hidden = json.loads(out)
    assert public and hidden and not any(c["hidden"] for c in public) and all(c["hidden"] for c in hidden)
    code, out = invoke("cases", "show", "-p", "conv1d", cache=session_cache)
    assert code == 0 and "worked-example" in out and "float32[4, 1]" in out


# -- judge cases add ------------------------------------------------------------------------


def test_append_keeps_comments_and_layout(conv1d_copy: Path) -> None:
    problem = load_problem(conv1d_copy)
    before = problem.cases_file.read_text()
    append_cases(problem, [{"id": "extra", "hidden": True, "seed": 4.0, "x": {"shape": [3, 1], "dist": "normal", "seed": 9},
                            "features": 2, "kernel_size": 2}])
    after = problem.cases_file.read_text()
    assert after.startswith(before)
    assert after[len(before):] == (
        "\n  - id: extra\n    hidden: true\n    seed: 4.0\n"
        "    x: {shape: [3, 1], dist: normal, seed: 9}\n    features: 2\n    kernel_size: 2\n"
    )
    assert load_cases(problem)[-1].id == "extra"


@pytest.mark.slow
def test_cases_add_validates_runs_reference_and_reports(conv1d_copy: Path, session_cache: Path) -> None:
    before = (conv1d_copy / "cases.yaml").read_text()
    code, out = invoke("cases", "add", "-p", str(conv1d_copy), "--id", "worked-example", "--set", "seed=1",
                       "--set", "features=2", "--set", "kernel_size=3", "--set", "x=[[1.0]]", cache=session_cache)
    assert code == 2 and "already exists" in out
    code, out = invoke("cases", "add", "-p", str(conv1d_copy), "--id", "bad", "--set", "seed=1",
                       "--set", "features=two", "--set", "kernel_size=3", "--set", "x=[[1.0]]", cache=session_cache)
    assert code == 2 and "field 'features'" in out and len(out.strip().splitlines()) == 1
    assert (conv1d_copy / "cases.yaml").read_text() == before
    code, out = invoke("cases", "add", "-p", str(conv1d_copy), "--id", "tiny-even", "--hidden", "--note", "L=3, K=2",
                       "--set", "seed=5", "--set", "features=2", "--set", "kernel_size=2",
                       "--set", "x={shape: [3, 1], dist: normal, seed: 40}", "--format", "json", cache=session_cache)
    assert code == 0, out
    effect = json.loads(out)
    assert effect["written"] and "wrong/even_kernel_symmetric_pad.py" in effect["rejects"]
    assert effect["surviving_before"] == [] and effect["newly_rejects"] == []
    text = (conv1d_copy / "cases.yaml").read_text()
    assert text.startswith(before) and "# Coverage: worked example" in text
    added = load_cases(load_problem(conv1d_copy))[-1]
    assert added.id == "tiny-even" and added.hidden and added.inputs["seed"] == 5.0


@pytest.mark.slow
def test_cases_add_names_newly_rejected_survivors(conv1d_copy: Path, session_cache: Path) -> None:
    # Leave only the cases that even_kernel_symmetric_pad passes (odd kernels)...
    problem = load_problem(conv1d_copy)
    keep_ids = {"worked-example", "small-multichannel", "single-output-channel"}
    text = problem.cases_file.read_text()
    head, _, body = text.partition("cases:\n")
    blocks = body.split("\n\n")
    problem.cases_file.write_text(head + "cases:\n" + "\n\n".join(b for b in blocks if any(f"id: {k}\n" in b for k in keep_ids)) + "\n")
    for path in (conv1d_copy / "solutions" / "wrong").glob("*.py"):
        if path.stem not in ("even_kernel_symmetric_pad", "flipped_kernel"):
            path.unlink()
    code, out = invoke("cases", "add", "-p", str(conv1d_copy), "--id", "even", "--set", "seed=5", "--set", "features=2",
                       "--set", "kernel_size=4", "--set", "x={shape: [6, 2], dist: normal, seed: 41}", cache=session_cache)
    assert code == 0, out
    assert "no existing case rejected: wrong/even_kernel_symmetric_pad.py" in out
    assert "of those, this case rejects: wrong/even_kernel_symmetric_pad.py" in out


# -- judge cases gen ------------------------------------------------------------------------


def test_gen_is_deterministic_for_a_seed() -> None:
    problem = load_problem("conv1d", REPO / "problems")
    a = propose_candidates(problem, 8, seed=3)
    assert a == propose_candidates(problem, 8, seed=3)
    assert a != propose_candidates(problem, 8, seed=4)
    for fields in a:
        assert 1 <= fields["features"] <= 16 and 1 <= fields["kernel_size"] <= 9
        length, channels = fields["x"]["shape"]
        assert 1 <= length <= 512 and 1 <= channels <= 8
        assert float(fields["seed"]).is_integer()


def test_gen_needs_gen_blocks(conv1d_copy: Path, session_cache: Path) -> None:
    path = conv1d_copy / "problem.yaml"
    path.write_text(path.read_text().replace("    gen: {min: 1, max: 9}\n", ""))
    code, out = invoke("cases", "gen", "-p", str(conv1d_copy), "--count", "2", cache=session_cache)
    assert code == 2 and "kernel_size" in out and "gen" in out


def test_gen_block_names_must_resolve(conv1d_copy: Path, session_cache: Path) -> None:
    path = conv1d_copy / "problem.yaml"
    path.write_text(path.read_text().replace("shape: [L, C]", "shape: [L, Q]"))
    code, out = invoke("cases", "show", "-p", str(conv1d_copy), cache=session_cache)
    assert code == 2 and "'Q'" in out and "args[1].gen" in out and "problem.yaml:" in out


@pytest.mark.slow
def test_gen_keeps_useful_cases_and_writes_only_when_asked(conv1d_copy: Path, session_cache: Path) -> None:
    before = (conv1d_copy / "cases.yaml").read_text()
    for path in (conv1d_copy / "solutions" / "wrong").glob("*.py"):
        if path.stem not in ("valid_padding", "flipped_kernel"):
            path.unlink()
    args = ("cases", "gen", "-p", str(conv1d_copy), "--count", "4", "--seed", "7", "--format", "json")
    code, out = invoke(*args, cache=session_cache)
    assert code == 0, out
    first = json.loads(out)
    assert (conv1d_copy / "cases.yaml").read_text() == before
    code, out = invoke(*args, cache=session_cache)
    assert json.loads(out) == first  # same seed, same proposals
    for item in first:
        assert item["reason"] and item["case"]["hidden"] is True
    code, out = invoke(*args, "--write", cache=session_cache)
    assert code == 0
    text = (conv1d_copy / "cases.yaml").read_text()
    assert text.startswith(before)
    ids = [c.id for c in load_cases(load_problem(conv1d_copy))]
    assert ids[-len(first):] == [i["id"] for i in first] if first else True


def test_flow_yaml() -> None:
    assert flow_yaml([[1.0], [2.0]]) == "[[1.0], [2.0]]"
    assert flow_yaml("a: b") == "'a: b'"
    assert flow_yaml(True) == "true"

"""Case sets proven by mutation (``judge check --mutants``) and float margins (``judge check``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from judge.authoring.check import CheckItem, CheckReport, _margin_item, render_json, render_text
from judge.authoring.margins import CaseMargin, allclose_ratio, float64_margins, float64_source
from judge.authoring.mutants import OPERATOR_NAMES, generate_mutants, select_subset
from judge.authoring.mutation import Fate, MutantResult, MutationReport, run_mutation
from judge.cases import load_cases, materialize
from judge.cli import main
from judge.cli.authoring import register
from judge.config import Config
from judge.expected import expected_outputs
from judge.problem import load_problem

REPO = Path(__file__).resolve().parent.parent
PROBLEMS = sorted(p.parent for p in REPO.glob("problems/*/problem.yaml"))
# The suite's subset per shipped problem: a fixed-seed sample spread over the operators. Every
# mutant runs in `make mutants`.
SUITE_SAMPLE = 6

if "check" not in main.commands:
    register(main)

SOURCE = '''"""A docstring with 'SAME' and 1.0 in it, never mutated."""
import flax.linen as nn
import jax.numpy as jnp


def solve(x, eps):
    init = nn.initializers.lecun_normal()  # a comment that stays
    y = jnp.mean(x, axis=-1) + eps
    z = jnp.pad(x, 2, "SAME").reshape(-1)
    return nn.LayerNorm(epsilon=eps, use_bias=True)(y * 2.0)
'''


def by_operator(source: str = SOURCE) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for mutant in generate_mutants(source):
        out.setdefault(mutant.operator, []).append(mutant.change)
    return out


def test_every_operator_rewrites_what_it_names() -> None:
    changes = by_operator()
    assert changes["axis"] == ["axis -1 -> 0"]
    assert changes["padding"] == ["padding 'SAME' -> 'VALID'", "padding 'SAME' -> 'SAME_LOWER'"]
    assert changes["initializer"] == [f"initializer lecun_normal -> {o}" for o in ("glorot_normal", "he_normal", "lecun_uniform")]
    assert "constant 2 -> 3" in changes["constant"] and "constant 2.0 -> 4.0" in changes["constant"]
    assert "constant 2.0 -> 1.0" in changes["constant"]
    assert changes["drop-eps"] == ["drop the epsilon: + eps -> + 0.0", "epsilon=eps -> epsilon=0.0"]
    assert changes["boolean"] == ["use_bias=True -> use_bias=False"]
    assert changes["drop-reshape"] == ["drop .reshape(...)"]
    assert "operator * -> /" in changes["arith"] and "operator + -> -" in changes["arith"]
    assert changes["cast"] == ["round the returned value to bfloat16", "round the returned value to float16"]
    assert {"swap-args", "clip", "transpose", "reverse"} <= set(changes)
    assert set(changes) == set(OPERATOR_NAMES)


def test_a_mutant_changes_only_its_site_and_keeps_comments_and_lines() -> None:
    mutant = next(m for m in generate_mutants(SOURCE) if m.change == "padding 'SAME' -> 'VALID'")
    assert mutant.id == "padding-L9" and mutant.line == 9 and mutant.operator == "padding"
    assert mutant.source == SOURCE.replace('"SAME"', '"VALID"')
    assert mutant.diff.splitlines()[2:] == ["@@ -9 +9 @@", '-    z = jnp.pad(x, 2, "SAME").reshape(-1)',
                                           '+    z = jnp.pad(x, 2, "VALID").reshape(-1)']
    drop = next(m for m in generate_mutants(SOURCE) if m.operator == "drop-reshape")
    assert '    z = jnp.pad(x, 2, "SAME")\n' in drop.source and "# a comment that stays" in drop.source
    clip = next(m for m in generate_mutants(SOURCE) if m.operator == "clip")
    assert "return jnp.clip(nn.LayerNorm(epsilon=eps, use_bias=True)(y * 2.0), -3.0, 3.0)" in clip.source
    # Ids are unique, sources are distinct, and none equals the reference.
    mutants = generate_mutants(SOURCE)
    assert len({m.id for m in mutants}) == len(mutants) == len({m.source for m in mutants})
    assert SOURCE not in {m.source for m in mutants}


def test_a_mutant_whose_tree_equals_the_reference_is_marked() -> None:
    source = "def solve(a):\n    return max(0x10, 16)\n"  # two spellings of one number
    same = generate_mutants(source, operators=["swap-args"])
    assert [(m.source, m.same_tree) for m in same] == [("def solve(a):\n    return max(16, 0x10)\n", True)]
    assert not any(m.same_tree for m in generate_mutants(SOURCE))


def test_unknown_operator_and_subset_rules() -> None:
    with pytest.raises(ValueError, match="unknown mutation operator"):
        generate_mutants(SOURCE, operators=["nope"])
    mutants = generate_mutants(SOURCE)
    subset = select_subset(mutants, 5)
    assert subset == select_subset(mutants, 5) and len(subset) == 5
    assert len({m.operator for m in subset}) == 5  # round robin: one per operator first
    assert [m.id for m in subset] == [m.id for m in mutants if m in subset]  # source order
    assert select_subset(mutants, 1000) == mutants


def test_float64_source_and_ratio() -> None:
    assert float64_source("y = x.astype(np.float32)  # float32\n") == "y = x.astype(np.float64)  # float32\n"
    assert allclose_ratio(np.array([1.0]), np.array([1.0]), rtol=0, atol=0) == 0.0
    assert allclose_ratio(np.array([100.0]), np.array([100.1]), rtol=1e-3, atol=0.0) == pytest.approx(1.0)


def test_margin_item_warns_on_low_margins_and_never_fails() -> None:
    item = _margin_item([CaseMargin("a", 50.0), CaseMargin("b", 1.5), CaseMargin("c", float("inf"))])
    assert item.ok and item.warn and "1 case(s) under 2x: b 1.5x" in item.message
    assert item.details == ("case 'b': margin 1.5x: a correct float64 solution could be rejected on another backend",)
    fine = _margin_item([CaseMargin("a", 50.0), CaseMargin("c", float("inf"))])
    assert fine.ok and not fine.warn and fine.message == "smallest margin 50x (a)"


def test_report_lists_survivors_with_diffs_equivalents_apart_and_counts_stillborn() -> None:
    mutants = generate_mutants(SOURCE)
    survivor, equivalent, stillborn, killed = mutants[0], mutants[1], mutants[2], mutants[3]
    offered = {"id": f"kills-{survivor.id}", "hidden": True, "note": "judge check --mutants", "eps": 0.5}
    mutation = MutationReport(len(mutants), (
        MutantResult(survivor, Fate.SURVIVED, offered=f"kills-{survivor.id}"),
        MutantResult(equivalent, Fate.EQUIVALENT, why="equal outputs on all 3 cases and 16 drawn inputs"),
        MutantResult(stillborn, Fate.STILLBORN, why="exception: TypeError"),
        MutantResult(killed, Fate.KILLED, killed_by="tiny"),
    ), (offered,), draws=16)
    item = CheckItem("every non-equivalent mutant of the reference is rejected by some case", False, mutation.summary(),
                     (f"{survivor.id}: {survivor.change}",))
    report = CheckReport("demo", "/x", (item,), mutation=mutation)
    text = render_text(report)
    assert f"4 mutants (a sample of {len(mutants)}): 1 killed, 1 equivalent, 1 stillborn, 1 survived" in text
    survived = text[text.index("Survived"):text.index("Equivalent")]
    assert survivor.id in survived and survivor.diff.splitlines()[-1] in survived and f"kills-{survivor.id}" in survived
    assert equivalent.id in text[text.index("Equivalent"):] and equivalent.id not in survived
    assert "Stillborn (fail on every case, not gaps): 1" in text and stillborn.id not in text
    assert f"- id: kills-{survivor.id}" in text and "(append with --write)" in text
    data = MutationReport.to_json(mutation)
    assert data["counts"] == {"killed": 1, "survived": 1, "equivalent": 1, "stillborn": 1}
    assert '"fate": "survived"' in render_json(report)


def test_write_without_mutants_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["check", "--problem", "conv1d", "--write"])
    assert result.exit_code == 2 and "--write, --sample and --operator go with --mutants" in result.output


# -- running mutants (JAX workers) ------------------------------------------------------------


def _inputs(problem_root: Path, config: Config) -> tuple:
    problem = load_problem(problem_root)
    cases = load_cases(problem)
    inputs = [materialize(problem, c) for c in cases]
    expected = {k: v.value for k, v in expected_outputs(problem, cases, inputs, config).items()}
    assert all(a is not None for a in expected.values())
    return problem, cases, inputs, expected


@pytest.mark.slow
@pytest.mark.parametrize("root", PROBLEMS, ids=[p.name for p in PROBLEMS])
def test_shipped_problem_rejects_its_sample_of_mutants(root: Path, config: Config) -> None:
    problem, cases, inputs, expected = _inputs(root, config)
    report = run_mutation(problem, cases, inputs, expected, config, sample=SUITE_SAMPLE, draws=8)
    assert len(report.results) == min(SUITE_SAMPLE, report.generated)
    survivors = [(r.mutant.id, r.mutant.change, r.why) for r in report.survivors]
    assert not survivors, f"{problem.id}: no case rejects {survivors}; offered: {report.offered}"


@pytest.fixture()
def weak_conv1d(tmp_path: Path) -> Path:
    """conv1d with one case left, the statement's example (odd kernel, one channel)."""
    root = tmp_path / "conv1d"
    shutil.copytree(REPO / "problems" / "conv1d", root)
    text = (root / "cases.yaml").read_text()
    (root / "cases.yaml").write_text(text[:text.index("  - id: small-multichannel")])
    assert [c.id for c in load_cases(load_problem(root))] == ["worked-example"]
    return root


@pytest.mark.slow
def test_weakened_case_set_names_its_survivors_and_write_closes_the_gap(weak_conv1d: Path, config: Config) -> None:
    problem, cases, inputs, expected = _inputs(weak_conv1d, config)
    report = run_mutation(problem, cases, inputs, expected, config, operators=["padding", "arith"], draws=8, write=True)
    fates = {r.mutant.id: (r.fate, r.mutant.change) for r in report.results}
    # SAME_LOWER pads like SAME for an odd kernel: only an even kernel tells them apart.
    assert fates["padding-L51-2"] == (Fate.SURVIVED, "padding 'SAME' -> 'SAME_LOWER'")
    assert fates["padding-L51"][0] is Fate.KILLED
    # "- bias" for "+ bias" with a zero bias computes the same on every input: not a gap.
    assert fates["arith-L56"][0] is Fate.EQUIVALENT
    assert [r.mutant.id for r in report.survivors] == ["padding-L51-2"]
    text = render_text(CheckReport("conv1d", str(weak_conv1d), (), mutation=report))
    assert "padding-L51-2: padding 'SAME' -> 'SAME_LOWER' (line 51)" in text and '+            padding="SAME_LOWER",' in text
    # The offered case was appended, hidden, with its note, and it rejects the survivor.
    assert report.written and [c["id"] for c in report.offered] == ["kills-padding-L51-2"]
    problem, cases, inputs, expected = _inputs(weak_conv1d, config)
    added = cases[-1]
    assert added.id == "kills-padding-L51-2" and added.hidden and "rejects mutant padding-L51-2" in added.note
    assert int(added.inputs["kernel_size"]) % 2 == 0
    assert "# Test cases for conv1d." in (weak_conv1d / "cases.yaml").read_text()  # comments kept
    again = run_mutation(problem, cases, inputs, expected, config, operators=["padding"], draws=0)
    assert not again.survivors and {r.mutant.id: r.killed_by for r in again.results}["padding-L51-2"] == "kills-padding-L51-2"


@pytest.mark.slow
def test_a_tolerance_too_tight_for_float64_is_a_warning(tmp_path: Path, config: Config) -> None:
    root = tmp_path / "layernorm"
    shutil.copytree(REPO / "problems" / "layernorm", root)
    text = (root / "problem.yaml").read_text()
    (root / "problem.yaml").write_text(text.replace("rtol: 2.0e-4", "rtol: 1.0e-6").replace("atol: 1.0e-4", "atol: 1.0e-7"))
    problem, cases, inputs, expected = _inputs(root, config)
    margins = {m.case_id: m for m in float64_margins(problem, cases, inputs, expected, config)}
    assert margins["large-offset"].low and margins["large-offset"].margin is not None and margins["large-offset"].margin < 1
    assert margins["one-feature"].margin == float("inf")  # one feature: the output is beta exactly
    item = _margin_item(list(margins.values()))
    assert item.ok and item.warn and any(d.startswith("case 'large-offset': margin") for d in item.details)
    # The shipped tolerance leaves at least a 2x margin on every case.
    problem, cases, inputs, expected = _inputs(REPO / "problems" / "layernorm", config)
    assert not [m for m in float64_margins(problem, cases, inputs, expected, config) if m.low or m.margin is None]

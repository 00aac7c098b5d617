"""Outputs beyond one array: the ``output.tree`` schema, the tree's wire and cache forms, and
comparison of trees (structure first, then each leaf with its own rules).

End-to-end gradings of tree problems are in tests/test_tree_grading.py.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from judge.errors import ProblemSpecError
from judge.output_tree import Branch, Container, LeafSpec, OutputTree, TreeError, format_path, skeleton, spec_at
from judge.problem import load_problem

TREE_YAML = """\
output:
  description: the normalised batch and the updated statistics
  dtype: float32
  tree:
    tuple:
      - {description: "y, shape (N, D)"}
      - dict:
          mean: {description: batch mean}
          var:  {rtol: 1.0e-4, atol: 1.0e-5}
          count: {dtype: int32}
          mask: {dtype: bool, shape: flat}
"""


def problem_with_output(tmp_path: Path, repo: Path, output_yaml: str) -> Path:
    """A copy of conv1d whose ``output:`` block is ``output_yaml``."""
    dest = tmp_path / "p"
    shutil.copytree(repo / "problems" / "conv1d", dest)
    text = (dest / "problem.yaml").read_text()
    text = re.sub(r"^output:\n(?:  .*\n)+", output_yaml, text, flags=re.M)
    (dest / "problem.yaml").write_text(text)
    return dest


def output_error(tmp_path: Path, repo: Path, output_yaml: str) -> str:
    with pytest.raises(ProblemSpecError) as info:
        load_problem(problem_with_output(tmp_path, repo, output_yaml))
    return str(info.value)


def test_tree_schema_parses_with_per_leaf_defaults(tmp_path: Path, repo: Path) -> None:
    spec = load_problem(problem_with_output(tmp_path, repo, TREE_YAML)).output.tree
    assert isinstance(spec, Branch) and spec.kind is Container.TUPLE
    y, mean, var, count, mask = (spec_at(spec, p) for p in [(0,), (1, "mean"), (1, "var"), (1, "count"), (1, "mask")])
    assert y == LeafSpec(dtype="float32", description="y, shape (N, D)")
    assert mean.description == "batch mean" and mean.rtol is None
    assert (var.rtol, var.atol, var.exact) == (1e-4, 1e-5, False)
    f32 = np.dtype("float32")
    assert count.is_exact(f32) and mask.is_exact(f32) and mask.flat  # int and bool leaves compare exactly
    assert not y.is_exact(f32) and not var.is_exact(f32)
    assert skeleton(spec) == {"tuple": [None, {"dict": [["mean", None], ["var", None], ["count", None], ["mask", None]]}]}


def test_no_tree_is_one_leaf_of_the_output_dtype(conv1d) -> None:  # type: ignore[no-untyped-def]
    assert conv1d.output.tree == LeafSpec(dtype="float32")


@pytest.mark.parametrize(
    ("tree_yaml", "where", "says"),
    [
        ("    tupel:\n      - {}\n", ":28: field 'output.tree.tupel'", "did you mean 'tuple'?"),
        ("    tuple:\n      - {dtyp: int32}\n", ":29: field 'output.tree.tuple[0].dtyp'", "did you mean 'dtype'?"),
        ("    tuple:\n      - {dtype: flaot32}\n", ":29: field 'output.tree.tuple[0].dtype'", "did you mean 'float32'?"),
        ("    dict:\n      a: {}\n      b: {shape: flatt}\n", ":30: field 'output.tree.dict.b.shape'", "did you mean 'flat'?"),
        ("    tuple:\n      - {rtol: 2}\n", ":29: field 'output.tree.tuple[0].rtol'", "must be a number in [0, 1)"),
        ("    tuple:\n      - {exact: yes please}\n", ":29: field 'output.tree.tuple[0].exact'", "must be true or false"),
        ("    tuple:\n      - {exact: true, atol: 0.1}\n", ":29: field 'output.tree.tuple[0].exact'", "an exact leaf has no tolerance"),
        ("    tuple: []\n", ":28: field 'output.tree.tuple'", "non-empty list"),
        ("    dict:\n      1: {}\n", ":29: field 'output.tree.dict'", "dict keys must be non-empty printable strings"),
        ("    tuple:\n      - 3\n", ":29: field 'output.tree.tuple[0]'", "must be a mapping"),
        ("    tuple: [{}]\n    list: [{}]\n", ":28: field 'output.tree'", "exactly one key"),
    ],
)
def test_tree_schema_errors_name_file_line_and_field(tmp_path: Path, repo: Path, tree_yaml: str, where: str, says: str) -> None:
    message = output_error(tmp_path, repo, "output:\n  dtype: float32\n  tree:\n" + tree_yaml)
    assert "problem.yaml" + where in message and says in message and "\n" not in message


def test_unknown_output_key_has_a_did_you_mean(tmp_path: Path, repo: Path) -> None:
    message = output_error(tmp_path, repo, "output:\n  dtype: float32\n  trees: {}\n")
    assert "field 'output.trees'" in message and "did you mean 'tree'?" in message


def test_wire_round_trip_and_refusals() -> None:
    structure = {"tuple": [None, {"dict": [["mean", None], ["var", None]]}]}
    arrays = [np.zeros((2, 3), np.float32), np.ones(3), np.full(3, 2.0)]
    tree = OutputTree.from_wire(structure, arrays)
    assert tree.to_wire()[0] == structure and [format_path(p) for p, _ in tree.leaves()] == ["[0]", "[1]['mean']", "[1]['var']"]
    assert OutputTree.from_bytes(tree.to_bytes()).identical(tree) and tree.size == 12
    single = OutputTree.of(np.arange(4, dtype=np.float32))
    assert single.to_bytes().startswith(b"\x93NUMPY")  # a single array is cached as a plain .npy, as before
    assert OutputTree.from_bytes(single.to_bytes()).identical(single)
    bad = [
        ({"tuple": [None]}, arrays),  # fewer leaves than arrays
        ({"tuple": [None, None, None, None]}, arrays),  # more leaves than arrays
        ({"set": [None]}, arrays[:1]),
        ({"dict": [[7, None]]}, arrays[:1]),
        ({"dict": [["", None]]}, arrays[:1]),
        ({"dict": [["k" * 101, None]]}, arrays[:1]),
        ({"tuple": [None], "list": [None]}, arrays[:1]),
        ("leaf", arrays[:1]),
    ]
    deep: object = None
    for _ in range(20):
        deep = {"list": [deep]}
    bad.append((deep, arrays[:1]))
    for raw, given in bad:
        with pytest.raises(TreeError) as info:
            OutputTree.from_wire(raw, list(given))
        assert "k" * 20 not in str(info.value) and "set" not in str(info.value)  # never quotes what was sent
    with pytest.raises(TreeError):
        OutputTree.from_wire({"list": [None] * 65}, [np.zeros(1)] * 65)  # more arrays than one answer may carry


def test_worker_keys_are_printable_in_feedback() -> None:
    tree = OutputTree.from_wire({"dict": [["a\x1b[31mb\n", None]]}, [np.zeros(1)])
    assert tree.leaves()[0][0] == ("a?[31mb?",)

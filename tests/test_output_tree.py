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

from judge.compare import Comparison, Reason, compare, compare_tree
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
        ("    dict:\n      mean: {description: batch mean, shape (D,)}\n", ":29: field 'output.tree.dict.mean.shape (D'", "must be quoted"),
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


# -- comparing trees ------------------------------------------------------------------------------

SPEC = Branch(Container.TUPLE, (
    (0, LeafSpec(dtype="float32")),
    (1, Branch(Container.DICT, (
        ("mean", LeafSpec(dtype="float32", rtol=0.1, atol=0.0)),
        ("count", LeafSpec(dtype="int32")),
        ("mask", LeafSpec(dtype="bool", flat=True)),
        ("loose", LeafSpec(dtype="int32", exact=False)),
    ))),
))


def tree(y: object, mean: object, count: object, mask: object, loose: object = 7, kind: Container = Container.TUPLE,
         keys: tuple[str, ...] = ("mean", "count", "mask", "loose")) -> OutputTree:
    values = dict(zip(("mean", "count", "mask", "loose"), (mean, count, mask, loose), strict=True))
    stats = Branch(Container.DICT, tuple((k, np.asarray(values.get(k, 0))) for k in keys))
    return OutputTree(Branch(kind, ((0, np.asarray(y, np.float32)), (1, stats))))


WANT = tree([1.0, 2.0], [10.0], 4, [[True, False]], 7)


def check(got: OutputTree, reveal: bool = True) -> Comparison:
    return compare_tree(WANT, got, SPEC, rtol=1e-5, atol=1e-5, reveal=reveal)


def test_a_matching_tree_is_ok_with_each_leafs_rules() -> None:
    # mean within its own rtol=0.1; the mask flattened; the loose int leaf within the problem tolerance
    got = tree([1.0, 2.0], [10.5], 4, [True, False], 7.00001)
    result = check(got)
    assert result.ok and result.reason is Reason.OK and result.max_rel_error == pytest.approx(0.05)


@pytest.mark.parametrize(
    ("got", "message"),
    [
        (tree([1.0, 2.0], [10.0], 4, [[True, False]], keys=("mean", "count", "loose")), "[1]: missing key 'mask'"),
        (tree([1.0, 2.0], [10.0], 4, [[True, False]], keys=("mean", "count", "mask", "loose", "extra")), "[1]: unexpected key 'extra'"),
        (tree([1.0, 2.0], [10.0], 4, [[True, False]], kind=Container.LIST), "output: expected a tuple, got a list"),
        (OutputTree(Branch(Container.TUPLE, ((0, np.zeros(2)),))), "output: expected a tuple of 2, got a tuple of 1"),
        (OutputTree(Branch(Container.TUPLE, ((0, np.zeros(2)), (1, np.zeros(2))))), "[1]: expected a dict, got an array"),
        (OutputTree.of(np.zeros(2)), "output: expected a tuple, got an array"),
    ],
)
def test_structure_is_compared_first_and_named(got: OutputTree, message: str) -> None:
    result = check(got)
    assert (result.ok, result.reason, result.message, result.mismatch) == (False, Reason.STRUCTURE, message, None)


def test_leaves_are_named_with_their_own_rules() -> None:
    off_by_one = check(tree([1.0, 2.0], [10.0], 5, [[True, False]]))
    assert off_by_one.message == "[1]['count']: 1/1 elements differ (compared exactly)"  # a scalar has no index
    assert off_by_one.mismatch is not None and off_by_one.mismatch.to_json()["path"] == "[1]['count']"
    nan = check(tree([1.0, float("nan")], [10.0], 4, [[True, False]]))
    assert nan.reason is Reason.NONFINITE and nan.message.startswith("[0]: output contains 1 NaN")
    mask = check(tree([1.0, 2.0], [10.0], 4, [True, True]))
    assert mask.message.startswith("[1]['mask']: 1/2 elements differ (compared exactly)")
    shape = check(tree([1.0, 2.0], [10.0], 4, [True, False, True]))
    assert shape.reason is Reason.SHAPE and shape.message.startswith("[1]['mask']: wrong shape: expected (1, 2), got (3,)")
    several = check(tree([1.0, 2.5], [12.0], 4, [[True, False]]))
    assert several.message.startswith("[0]: 1/2 elements differ beyond rtol=1e-05") and several.message.endswith("(also wrong: [1]['mean'])")
    assert not check(tree([1.0, 2.5], [10.0], 4, [[True, False]]), reveal=False).mismatch.expected_values  # type: ignore[union-attr]


def test_a_single_array_is_the_one_leaf_case() -> None:
    want, got = OutputTree.of(np.array([1.0, 2.0])), OutputTree.of(np.array([1.0, 2.5]))
    tree_result = compare_tree(want, got, LeafSpec(dtype="float32"), rtol=1e-5, atol=1e-5, reveal=True)
    assert tree_result == compare(np.array([1.0, 2.0]), np.array([1.0, 2.5]), rtol=1e-5, atol=1e-5, reveal=True)
    assert "path" not in tree_result.mismatch.to_json()  # type: ignore[union-attr]
    ints = compare_tree(OutputTree.of(np.array([3])), OutputTree.of(np.array([3.0000001])), LeafSpec(), rtol=0.1, atol=0.1, reveal=False)
    assert not ints.ok  # an integer output compares exactly by default, even without output.tree


# -- the worker's side: flattening what solve returned ------------------------------------------------

def test_worker_flattens_guided_by_the_skeleton() -> None:
    from flax.core import FrozenDict

    from judge.worker import _BadOutput, _flatten

    arrays: list[np.ndarray] = []
    assert _flatten([1.0, 2.0], None, arrays, ()) is None and arrays[0].tolist() == [1.0, 2.0]  # an expected array: converted
    arrays = []
    guide = skeleton(SPEC)
    value = ([1.0, 2.0], FrozenDict({"mean": 1.0, "count": 2, "mask": [True], "loose": 3}))
    structure = _flatten(value, guide, arrays, ())
    rebuilt = OutputTree.from_wire(structure, arrays)
    assert [format_path(p) for p, _ in rebuilt.leaves()] == ["[0]", "[1]['mean']", "[1]['count']", "[1]['mask']", "[1]['loose']"]
    assert rebuilt.leaves()[0][1].tolist() == [1.0, 2.0]  # the list at an expected leaf is one array
    with pytest.raises(_BadOutput, match="key that is not a string"):
        _flatten({1: 2.0}, guide, [], ())
    with pytest.raises(_BadOutput, match="a list of more than 64 items"):
        _flatten([0.0] * 100, {"list": []}, [], ())
    with pytest.raises(_BadOutput, match="more than 64 arrays"):
        _flatten([[0.0] * 40, [0.0] * 40], {"list": []}, [], ())
    with pytest.raises(_BadOutput, match=r"NoneType at \[1\]\['mean'\]"):
        _flatten((1.0, {"mean": None}), guide, [], ())

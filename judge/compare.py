"""Compare a returned array (or tree of arrays) with the expected one, in the trusted parent only.

Order of checks for one array: dtype kind -> shape -> finiteness -> allclose with the case's
rtol/atol (or equality, for an exact leaf). The first failing check decides the message and the
:class:`Reason`; figures (max errors, how many elements differ and where) are computed whenever
shapes agree. A tree (:func:`compare_tree`) is compared structure first, then leaf by leaf, each
with its own rules from the problem's ``output.tree``; messages name the leaf.

Example:
    >>> c = compare(np.array([1.0, 2.0]), np.array([1.0, 2.5]), rtol=1e-5, atol=1e-5, reveal=True)
    >>> c.ok, c.reason.value, c.mismatch.n_mismatched, c.mismatch.first_indices
    (False, 'values', 1, ((1,),))
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass

import numpy as np

from .output_tree import OutputTree, TreeSpec, format_path, spec_at, structure_difference
from .verdict import Mismatch

MAX_INDICES = 5


class Reason(str, enum.Enum):
    """Why a comparison came out as it did: one member per check of :func:`compare`.

    >>> compare(np.zeros(4), np.zeros((2, 2)), rtol=0, atol=0, reveal=False).reason
    <Reason.SHAPE: 'shape'>
    """

    OK = "ok"  # every element within tolerance
    STRUCTURE = "structure"  # containers differ: kind, length or dict keys (trees only)
    NOT_NUMERIC = "not_numeric"  # the returned dtype is not bool/int/float
    DTYPE = "dtype"  # strict dtype: not exactly the expected dtype
    SHAPE = "shape"  # not the expected shape
    NONFINITE = "nonfinite"  # elements are wrong and some of the returned values are NaN or infinite
    VALUES = "values"  # finite values beyond the tolerance


@dataclass(frozen=True)
class Comparison:
    """Outcome of one comparison: ``ok``, why (``reason``) and what a learner should read about it."""

    ok: bool
    message: str
    max_abs_error: float | None = None
    max_rel_error: float | None = None
    mismatch: Mismatch | None = None
    reason: Reason = Reason.OK
    path: str = ""  # the failing leaf of a tree, as format_path writes it ("" for a single array)

    def __post_init__(self) -> None:
        if self.ok != (self.reason is Reason.OK):
            raise ValueError(f"a comparison that is {'' if self.ok else 'not '}ok cannot have reason {self.reason.value!r}")


def compare(
    expected: np.ndarray,
    got: np.ndarray,
    *,
    rtol: float,
    atol: float,
    reveal: bool,
    strict_dtype: bool = False,
    exact: bool = False,
) -> Comparison:
    """Element-wise ``|got - expected| <= atol + rtol * |expected|`` after structural checks.

    ``reveal`` allows values in the feedback (public cases only). ``exact``: elements must be
    equal (integer and bool outputs), whatever the tolerance.

    >>> compare(np.array([3, 4]), np.array([3.0, 4.000001]), rtol=1e-3, atol=1e-3, reveal=False, exact=True).message
    '1/2 elements differ (compared exactly); first at index 1'
    """
    if got.dtype.kind not in "biuf":
        return Comparison(False, f"expected a numeric array, got dtype {got.dtype}", reason=Reason.NOT_NUMERIC)
    if strict_dtype and got.dtype != expected.dtype:
        return Comparison(False, f"expected dtype {expected.dtype}, got {got.dtype}", reason=Reason.DTYPE)
    if got.shape != expected.shape:
        return Comparison(
            False,
            _shape_message(expected.shape, got.shape),
            mismatch=Mismatch(expected_shape=expected.shape, got_shape=got.shape),
            reason=Reason.SHAPE,
        )
    exp = expected.astype(np.float64, copy=False)
    val = got.astype(np.float64, copy=False)
    with np.errstate(invalid="ignore", over="ignore"):
        diff = np.abs(val - exp)
        rel = diff / np.maximum(np.abs(exp), np.finfo(np.float64).tiny)
        if exact:
            # In the arrays' own dtypes: int64 values beyond 2**53 stay distinct.
            bad = ~np.equal(got, expected) if got.dtype.kind in "biu" and expected.dtype.kind in "biu" else ~(val == exp)
        else:
            bad = ~(diff <= atol + rtol * np.abs(exp))  # NaN in got counts as bad
    finite = np.isfinite(val)
    max_abs = float(np.max(np.where(finite, diff, 0.0))) if val.size else 0.0
    max_rel = float(np.max(np.where(finite, rel, 0.0))) if val.size else 0.0
    n_bad = int(np.count_nonzero(bad))
    if n_bad == 0:
        return Comparison(True, "", max_abs, max_rel, reason=Reason.OK)
    indices = tuple(tuple(int(i) for i in idx) for idx in np.argwhere(bad)[:MAX_INDICES])
    mismatch = Mismatch(
        expected_shape=expected.shape,
        got_shape=got.shape,
        max_abs_error=max_abs,
        max_rel_error=max_rel,
        n_mismatched=n_bad,
        n_total=int(val.size),
        first_indices=indices,
        expected_values=tuple(float(exp[i]) for i in indices) if reveal else (),
        got_values=tuple(float(val[i]) for i in indices) if reveal else (),
    )
    n_nan, n_inf = int(np.count_nonzero(np.isnan(val))), int(np.count_nonzero(np.isinf(val)))
    if n_nan or n_inf:
        reason = Reason.NONFINITE
        message = f"output contains {n_nan} NaN and {n_inf} infinite values; {n_bad}/{val.size} elements are wrong"
    else:
        reason = Reason.VALUES
        where = "; first at index " + ", ".join(str(i[0] if len(i) == 1 else i) for i in indices[:3]) if val.ndim else ""
        if exact:
            message = f"{n_bad}/{val.size} elements differ (compared exactly){where}"
        else:
            message = (
                f"{n_bad}/{val.size} elements differ beyond rtol={rtol:g}, atol={atol:g} "
                f"(max abs error {max_abs:.3g}, max rel error {max_rel:.3g}){where}"
            )
    return Comparison(False, message, max_abs, max_rel, mismatch, reason)


@dataclass(frozen=True)
class LeafRule:
    """How one expected leaf is compared: its tolerance (0 when exact) and shape rule."""

    path: tuple[int | str, ...]
    expected: np.ndarray
    rtol: float
    atol: float
    exact: bool
    flat: bool


def leaf_rules(expected: OutputTree, spec: TreeSpec, *, rtol: float, atol: float) -> list[LeafRule]:
    """Each leaf of ``expected`` with its rule: the leaf's own rtol/atol, else the case's (``rtol``/``atol``).

    >>> from judge.output_tree import LeafSpec
    >>> [(r.rtol, r.exact) for r in leaf_rules(OutputTree.of(np.arange(3)), LeafSpec(), rtol=1e-5, atol=1e-6)]
    [(0.0, True)]
    """
    rules = []
    for path, array in expected.leaves():
        leaf = spec_at(spec, path)
        exact = leaf.is_exact(array.dtype)
        r = 0.0 if exact else (rtol if leaf.rtol is None else leaf.rtol)
        a = 0.0 if exact else (atol if leaf.atol is None else leaf.atol)
        rules.append(LeafRule(path, array, r, a, exact, leaf.flat))
    return rules


def compare_leaf(rule: LeafRule, got: np.ndarray, *, reveal: bool, strict_dtype: bool = False) -> Comparison:
    """One leaf against its rule (a flat leaf of the same size is compared flattened)."""
    expected = rule.expected
    if rule.flat and got.size == expected.size:
        expected, got = expected.reshape(-1), got.reshape(-1)
    return compare(expected, got, rtol=rule.rtol, atol=rule.atol, reveal=reveal, strict_dtype=strict_dtype, exact=rule.exact)


def compare_tree(
    expected: OutputTree,
    got: OutputTree,
    spec: TreeSpec,
    *,
    rtol: float,
    atol: float,
    reveal: bool,
    strict_dtype: bool = False,
) -> Comparison:
    """Structure first (containers, lengths, dict keys), then every leaf by its :func:`leaf_rules`.

    The first wrong leaf decides the reason and the figures; its message is prefixed with its path
    (a single array's is not), and other wrong leaves are named after it. An accepted tree's figures
    are the largest over its leaves.

    >>> from judge.output_tree import Branch, Container, LeafSpec
    >>> spec = Branch(Container.TUPLE, ((0, LeafSpec()), (1, LeafSpec(dtype="int32"))))
    >>> want = OutputTree(Branch(Container.TUPLE, ((0, np.zeros(2)), (1, np.array([1, 2])))))
    >>> got = OutputTree(Branch(Container.TUPLE, ((0, np.zeros(2)), (1, np.array([1.0, 2.0001])))))
    >>> compare_tree(want, got, spec, rtol=1e-3, atol=1e-3, reveal=False).message
    '[1]: 1/2 elements differ (compared exactly); first at index 1'
    >>> compare_tree(want, OutputTree(Branch(Container.LIST, ())), spec, rtol=0, atol=0, reveal=False).message
    'output: expected a tuple, got a list'
    """
    difference = structure_difference(expected.root, got.root)
    if difference is not None:
        where = format_path(difference[0])
        return Comparison(False, f"{where}: {difference[1]}", reason=Reason.STRUCTURE, path=where)
    got_leaves = dict(got.leaves())
    failures: list[tuple[LeafRule, Comparison]] = []
    max_abs: float | None = None
    max_rel: float | None = None
    for rule in leaf_rules(expected, spec, rtol=rtol, atol=atol):
        comparison = compare_leaf(rule, got_leaves[rule.path], reveal=reveal, strict_dtype=strict_dtype)
        if not comparison.ok:
            failures.append((rule, comparison))
        elif comparison.max_abs_error is not None:
            max_abs = max(max_abs or 0.0, comparison.max_abs_error)
            max_rel = max(max_rel or 0.0, comparison.max_rel_error or 0.0)
    if not failures:
        return Comparison(True, "", max_abs, max_rel, reason=Reason.OK)
    rule, first = failures[0]
    if not rule.path:
        return first
    path = format_path(rule.path)
    message = f"{path}: {first.message}"
    if len(failures) > 1:
        others = [format_path(r.path) for r, _ in failures[1:]]
        message += f" (also wrong: {', '.join(others[:3])}{', ...' if len(others) > 3 else ''})"
    mismatch = dataclasses.replace(first.mismatch, path=path) if first.mismatch is not None else None
    return Comparison(False, message, first.max_abs_error, first.max_rel_error, mismatch, first.reason, path)


def _shape_message(expected: tuple[int, ...], got: tuple[int, ...]) -> str:
    message = f"wrong shape: expected {expected}, got {got}"
    if int(np.prod(expected)) == int(np.prod(got)):
        message += " (same number of elements: check how you reshape or flatten the output)"
    elif len(got) > len(expected):
        message += " (more dimensions than expected: did you flatten the output / drop the batch dim?)"
    return message

"""Compare a returned array with the expected one, in the trusted parent only.

Order of checks: dtype kind -> shape -> finiteness -> allclose with the case's rtol/atol.
The first failing check decides the message and the :class:`Reason`; figures (max errors, how
many elements differ and where) are computed whenever shapes agree.

Example:
    >>> c = compare(np.array([1.0, 2.0]), np.array([1.0, 2.5]), rtol=1e-5, atol=1e-5, reveal=True)
    >>> c.ok, c.reason.value, c.mismatch.n_mismatched, c.mismatch.first_indices
    (False, 'values', 1, ((1,),))
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np

from .verdict import Mismatch

MAX_INDICES = 5


class Reason(str, enum.Enum):
    """Why a comparison came out as it did: one member per check of :func:`compare`.

    >>> compare(np.zeros(4), np.zeros((2, 2)), rtol=0, atol=0, reveal=False).reason
    <Reason.SHAPE: 'shape'>
    """

    OK = "ok"  # every element within tolerance
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
) -> Comparison:
    """Element-wise ``|got - expected| <= atol + rtol * |expected|`` after structural checks.

    ``reveal`` allows values in the feedback (public cases only).
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
        message = (
            f"{n_bad}/{val.size} elements differ beyond rtol={rtol:g}, atol={atol:g} "
            f"(max abs error {max_abs:.3g}, max rel error {max_rel:.3g}); first at index "
            + ", ".join(str(i[0] if len(i) == 1 else i) for i in indices[:3])
        )
    return Comparison(False, message, max_abs, max_rel, mismatch, reason)


def _shape_message(expected: tuple[int, ...], got: tuple[int, ...]) -> str:
    message = f"wrong shape: expected {expected}, got {got}"
    if int(np.prod(expected)) == int(np.prod(got)):
        message += " (same number of elements: check how you reshape or flatten the output)"
    elif len(got) > len(expected):
        message += " (more dimensions than expected: did you flatten the output / drop the batch dim?)"
    return message

from __future__ import annotations

import numpy as np
import pytest

from judge.compare import Comparison, Reason, compare


def test_equal_within_tolerance() -> None:
    exp = np.array([1.0, -2.0, 0.0], dtype=np.float32)
    got = exp + np.float32(5e-6)
    result = compare(exp, got, rtol=1e-5, atol=1e-5, reveal=True)
    assert result.ok and result.max_abs_error is not None and result.max_abs_error < 1e-5


def test_mismatch_figures_and_indices() -> None:
    exp = np.zeros(10, dtype=np.float32)
    got = exp.copy()
    got[[2, 7]] = [0.5, -1.0]
    result = compare(exp, got, rtol=1e-5, atol=1e-5, reveal=True)
    assert not result.ok
    assert result.mismatch is not None
    assert result.mismatch.n_mismatched == 2 and result.mismatch.n_total == 10
    assert result.mismatch.first_indices == ((2,), (7,))
    assert result.mismatch.got_values == (0.5, -1.0)
    assert result.max_abs_error == 1.0
    assert "2/10 elements differ" in result.message


def test_values_hidden_unless_revealed() -> None:
    result = compare(np.zeros(3), np.ones(3), rtol=0, atol=0, reveal=False)
    assert result.mismatch is not None and result.mismatch.expected_values == ()


def test_shape_is_checked_before_values_with_a_hint() -> None:
    result = compare(np.zeros(8), np.zeros((4, 2)), rtol=1e-5, atol=1e-5, reveal=True)
    assert not result.ok and "expected (8,), got (4, 2)" in result.message and "flatten" in result.message


def test_nan_and_inf_are_reported_separately() -> None:
    got = np.array([np.nan, np.inf, 1.0])
    result = compare(np.ones(3), got, rtol=1e-5, atol=1e-5, reveal=True)
    assert not result.ok and "1 NaN and 1 infinite" in result.message


def test_integer_and_float64_outputs_compare_by_value() -> None:
    exp = np.array([1.0, 2.0], dtype=np.float32)
    assert compare(exp, np.array([1, 2]), rtol=0, atol=0, reveal=True).ok
    assert compare(exp, exp.astype(np.float64), rtol=0, atol=0, reveal=True).ok


def test_strict_dtype() -> None:
    exp = np.array([1.0], dtype=np.float32)
    assert not compare(exp, exp.astype(np.float64), rtol=0, atol=0, reveal=True, strict_dtype=True).ok


def test_relative_tolerance_scales_with_magnitude() -> None:
    exp = np.array([1e6], dtype=np.float64)
    assert compare(exp, exp * (1 + 5e-6), rtol=1e-5, atol=0, reveal=True).ok
    assert not compare(exp, exp * (1 + 5e-5), rtol=1e-5, atol=0, reveal=True).ok


@pytest.mark.parametrize(
    ("expected", "got", "strict", "reason"),
    [
        (np.ones(3), np.ones(3), False, Reason.OK),
        (np.ones(3), np.array(["a", "b", "c"]), False, Reason.NOT_NUMERIC),
        (np.ones(3, dtype=np.float32), np.ones(3, dtype=np.float64), True, Reason.DTYPE),
        (np.ones(3), np.ones((3, 1)), False, Reason.SHAPE),
        (np.ones(3), np.array([1.0, np.nan, 1.0]), False, Reason.NONFINITE),
        (np.ones(3), np.array([1.0, -np.inf, 1.0]), False, Reason.NONFINITE),
        (np.ones(3), np.array([1.0, 2.0, 1.0]), False, Reason.VALUES),
    ],
    ids=["ok", "not-numeric", "dtype", "shape", "nan", "inf", "values"],
)
def test_each_reason_comes_from_its_check(expected: np.ndarray, got: np.ndarray, strict: bool, reason: Reason) -> None:
    result = compare(expected, got, rtol=1e-5, atol=1e-5, reveal=False, strict_dtype=strict)
    assert result.reason is reason
    assert result.ok is (reason is Reason.OK)


def test_the_reason_agrees_with_the_message() -> None:
    """The reason names the same cause the message describes (the grader decides from the reason)."""
    shape = compare(np.zeros(8), np.zeros((4, 2)), rtol=0, atol=0, reveal=False)
    assert shape.reason is Reason.SHAPE and shape.message.startswith("wrong shape")
    values = compare(np.zeros(8), np.ones(8), rtol=0, atol=0, reveal=False)
    assert values.reason is Reason.VALUES and not values.message.startswith("wrong shape")


def test_ok_and_reason_cannot_disagree() -> None:
    with pytest.raises(ValueError):
        Comparison(True, "", reason=Reason.VALUES)
    with pytest.raises(ValueError):
        Comparison(False, "wrong")

"""The statement's worked example holds, and the shipped case reproduces it through the judge."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from judge.cases import load_cases, materialize
from judge.problem import Problem

REPO = Path(__file__).resolve().parent.parent


def test_worked_example_numbers_match_the_statement() -> None:
    import jax
    import jax.numpy as jnp

    x = jnp.array([1.0, 2.0, 3.0, 4.0])[:, None]
    kernel = jnp.ones((3, 1, 2))
    y = jax.lax.conv_general_dilated(
        x[None, ...], kernel, window_strides=(1,), padding="SAME", dimension_numbers=("NWC", "WIO", "NWC")
    )
    assert y.shape == (1, 4, 2)
    np.testing.assert_array_equal(np.asarray(y[0]), [[3, 3], [6, 6], [9, 9], [7, 7]])
    statement = (REPO / "problems" / "conv1d" / "statement.md").read_text()
    assert "[3, 3, 6, 6, 9, 9, 7, 7]" in statement
    rows = re.findall(r"\[(\d)\., (\d)\.\]", statement)
    assert rows[:4] == [("3", "3"), ("6", "6"), ("9", "9"), ("7", "7")]


def test_worked_example_is_a_public_case(conv1d: Problem) -> None:
    case = next(c for c in load_cases(conv1d) if c.id == "worked-example")
    assert not case.hidden
    values = materialize(conv1d, case)
    assert values["x"].tolist() == [[1.0], [2.0], [3.0], [4.0]]
    assert (values["features"], values["kernel_size"]) == (2, 3)

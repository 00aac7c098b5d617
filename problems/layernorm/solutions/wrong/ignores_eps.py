# expect: wrong_answer
# hint: Use the eps you are given: it matters when a row has a small variance (and prevents a division by zero for constant rows).
"""Wrong: eps left out; constant rows give NaN."""

import jax.numpy as jnp


def solve(x, gamma, beta, eps):
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / jnp.sqrt(var) * gamma + beta

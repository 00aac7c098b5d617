# expect: wrong_answer
# hint: Add eps to the variance inside the square root: (x - mean) / sqrt(var + eps), not / (sqrt(var) + eps).
"""Wrong: eps added to the standard deviation instead of the variance."""

import jax.numpy as jnp


def solve(x, gamma, beta, eps):
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / (jnp.sqrt(var) + eps) * gamma + beta

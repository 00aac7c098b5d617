# expect: wrong_answer
# hint: Layer norm uses the biased variance (divide by D, ddof=0), not the sample variance (D - 1).
"""Wrong: sample variance (ddof=1); NaN or inf when D = 1."""

import jax.numpy as jnp


def solve(x, gamma, beta, eps):
    mean = x.mean(axis=-1, keepdims=True)
    var = jnp.var(x, axis=-1, keepdims=True, ddof=1)
    return (x - mean) / jnp.sqrt(var + eps) * gamma + beta

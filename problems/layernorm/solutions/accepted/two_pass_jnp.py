# expect: accepted
# hint: -
"""Accepted: the formula in jax.numpy, two passes (mean, then mean of squared deviations)."""

import jax.numpy as jnp


def solve(x, gamma, beta, eps):
    mean = jnp.mean(x, axis=-1, keepdims=True)
    var = jnp.mean(jnp.square(x - mean), axis=-1, keepdims=True)
    return (x - mean) / jnp.sqrt(var + eps) * gamma + beta

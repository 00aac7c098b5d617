# expect: compile_error
# hint: solve takes four arguments in this order: solve(x, gamma, beta, eps).
"""Wrong: ``solve`` has no ``eps`` parameter (a hard-coded one instead)."""

import jax.numpy as jnp


def solve(x, gamma, beta):
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / jnp.sqrt(var + 1e-5) * gamma + beta

# expect: accepted
# hint: -
"""Accepted: the definition written out with jax.numpy, jitted."""

import jax
import jax.numpy as jnp


@jax.jit
def _batchnorm(x, running_mean, running_var, momentum, eps):
    mean = jnp.mean(x, axis=0)
    var = jnp.mean(jnp.square(x - mean), axis=0)  # biased: divide by N
    y = (x - mean) / jnp.sqrt(var + eps)
    new_mean = momentum * running_mean + (1.0 - momentum) * mean
    new_var = momentum * running_var + (1.0 - momentum) * var
    return y, {"mean": new_mean, "var": new_var}


def solve(x, running_mean, running_var, momentum, eps):
    return _batchnorm(x, running_mean, running_var, momentum, eps)

# expect: wrong_answer
# hint: Use the biased batch variance, dividing by N (jnp.var's default ddof=0), both to normalise and in the running update.
"""Wrong: ``ddof=1`` everywhere (the sample variance of a statistics course)."""

import jax.numpy as jnp


def solve(x, running_mean, running_var, momentum, eps):
    mean = jnp.mean(x, axis=0)
    var = jnp.var(x, axis=0, ddof=1)
    y = (x - mean) / jnp.sqrt(var + eps)
    return y, {"mean": momentum * running_mean + (1 - momentum) * mean,
               "var": momentum * running_var + (1 - momentum) * var}

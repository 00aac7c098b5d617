# expect: wrong_answer
# hint: The second result is the new RUNNING statistics (the old ones moved towards this batch's by 1 - momentum), not the mean and variance of this batch alone.
"""Wrong: returns this batch's mean and variance as the "batch stats". Right only when momentum is 0."""

import jax.numpy as jnp


def solve(x, running_mean, running_var, momentum, eps):
    mean = jnp.mean(x, axis=0)
    var = jnp.var(x, axis=0)
    return (x - mean) / jnp.sqrt(var + eps), {"mean": mean, "var": var}

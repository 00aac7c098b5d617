# expect: wrong_answer
# hint: Add eps inside the square root: (x - mean) / sqrt(var + eps), not / (sqrt(var) + eps).
"""Wrong: ``eps`` added to the standard deviation. Visible when eps is not small next to the variance."""

import jax.numpy as jnp


def solve(x, running_mean, running_var, momentum, eps):
    mean = jnp.mean(x, axis=0)
    var = jnp.var(x, axis=0)
    y = (x - mean) / (jnp.sqrt(var) + eps)
    return y, {"mean": momentum * running_mean + (1 - momentum) * mean,
               "var": momentum * running_var + (1 - momentum) * var}

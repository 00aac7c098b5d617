# expect: wrong_answer
# hint: Batch normalization takes each feature's statistics over the batch (axis 0), giving D means; over the features (axis -1) it is layer normalization.
"""Wrong: statistics over the last axis (per row, ``keepdims=True``), as in layer normalization.

``y`` has the right shape with wrong values, and the (N, 1) statistics broadcast the running
update to shape (N, D) instead of (D,).
"""

import jax.numpy as jnp


def solve(x, running_mean, running_var, momentum, eps):
    mean = jnp.mean(x, axis=-1, keepdims=True)
    var = jnp.var(x, axis=-1, keepdims=True)
    y = (x - mean) / jnp.sqrt(var + eps)
    return y, {"mean": momentum * running_mean + (1 - momentum) * mean,
               "var": momentum * running_var + (1 - momentum) * var}

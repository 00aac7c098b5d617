# expect: wrong_answer
# hint: Return the UPDATED running statistics, momentum * running + (1 - momentum) * batch statistics, not the ones you were given.
"""Wrong: ``y`` is right but the running statistics are returned as they came in.

Without ``mutable=['batch_stats']`` Flax refuses to update them, so a learner who drops the
argument and keeps the input statistics gets exactly this.
"""

import jax.numpy as jnp


def solve(x, running_mean, running_var, momentum, eps):
    mean = jnp.mean(x, axis=0)
    y = (x - mean) / jnp.sqrt(jnp.var(x, axis=0) + eps)
    return y, {"mean": running_mean, "var": running_var}

# expect: wrong_answer
# hint: Flax updates the running variance with the same biased batch variance (divide by N) that normalises the batch; PyTorch uses the unbiased one (N - 1) for the running variance only.
"""Wrong: PyTorch's ``BatchNorm1d`` rule, the unbiased variance in the running update.

``y`` and the running mean are right; the running variance is off by a factor N / (N - 1)
on its batch part.
"""

import jax.numpy as jnp


def solve(x, running_mean, running_var, momentum, eps):
    mean = jnp.mean(x, axis=0)
    var = jnp.var(x, axis=0)
    y = (x - mean) / jnp.sqrt(var + eps)
    n = x.shape[0]
    new_var = momentum * running_var + (1 - momentum) * var * n / (n - 1)
    return y, {"mean": momentum * running_mean + (1 - momentum) * mean, "var": new_var}

# expect: wrong_answer
# hint: In training mode (use_running_average=False) the batch is normalised with its own mean and variance, and the running statistics are updated; use_running_average=True is evaluation mode.
"""Wrong: ``use_running_average=True``: normalises with the running statistics, updates nothing."""

import flax.linen as nn
import jax.numpy as jnp


def solve(x, running_mean, running_var, momentum, eps):
    layer = nn.BatchNorm(use_running_average=True, momentum=momentum, epsilon=eps)
    d = x.shape[-1]
    variables = {"params": {"scale": jnp.ones(d), "bias": jnp.zeros(d)},
                 "batch_stats": {"mean": running_mean, "var": running_var}}
    y = layer.apply(variables, x)
    return y, {"mean": running_mean, "var": running_var}

# expect: wrong_answer
# hint: Return the statistics themselves, {'mean': ..., 'var': ...}: the dict apply returns with mutable=['batch_stats'] has them one level down, under 'batch_stats'.
"""Wrong: returns everything ``apply`` handed back as the second result, so the statistics sit
under an extra ``'batch_stats'`` key and the dict has the wrong structure."""

import flax.linen as nn
import jax.numpy as jnp


def solve(x, running_mean, running_var, momentum, eps):
    layer = nn.BatchNorm(use_running_average=False, momentum=momentum, epsilon=eps)
    d = x.shape[-1]
    variables = {"params": {"scale": jnp.ones(d), "bias": jnp.zeros(d)},
                 "batch_stats": {"mean": running_mean, "var": running_var}}
    return layer.apply(variables, x, mutable=["batch_stats"])

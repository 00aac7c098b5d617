# expect: accepted
# hint: -
"""Accepted: a hand-written linen module keeping its statistics in the ``batch_stats`` collection.

``self.variable`` creates the statistics at ``init`` (zeros and ones); ``apply`` is given the
running statistics instead and ``mutable=['batch_stats']`` lets the module write the new ones.
"""

import flax.linen as nn
import jax
import jax.numpy as jnp


class TrainBatchNorm(nn.Module):
    momentum: float
    epsilon: float

    @nn.compact
    def __call__(self, x):
        features = x.shape[-1]
        ra_mean = self.variable("batch_stats", "mean", jnp.zeros, (features,))
        ra_var = self.variable("batch_stats", "var", jnp.ones, (features,))
        mean = x.mean(axis=0)
        centred = x - mean
        var = (centred * centred).mean(axis=0)
        if not self.is_initializing():
            ra_mean.value = self.momentum * ra_mean.value + (1 - self.momentum) * mean
            ra_var.value = self.momentum * ra_var.value + (1 - self.momentum) * var
        return centred * jax.lax.rsqrt(var + self.epsilon)


def solve(x, running_mean, running_var, momentum, eps):
    module = TrainBatchNorm(momentum=momentum, epsilon=eps)
    variables = {"batch_stats": {"mean": running_mean, "var": running_var}}
    y, updates = module.apply(variables, x, mutable=["batch_stats"])
    return y, {"mean": updates["batch_stats"]["mean"], "var": updates["batch_stats"]["var"]}

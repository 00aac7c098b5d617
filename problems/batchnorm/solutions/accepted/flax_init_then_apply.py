# expect: accepted
# hint: -
"""Accepted: ``nn.BatchNorm`` with its defaults, the given statistics put into its variables.

``init`` creates the scale (ones), the bias (zeros) and fresh statistics; the fresh ones are
replaced by the given ones before ``apply``. Flax's default ``use_fast_variance=True`` computes
the variance as ``E[x^2] - E[x]^2``, which the statement's bound on the inputs keeps within
the tolerance. The updated collection is returned as Flax gives it.
"""

import flax.linen as nn
import jax


def solve(x, running_mean, running_var, momentum, eps):
    layer = nn.BatchNorm(use_running_average=False, momentum=momentum, epsilon=eps)
    variables = layer.init(jax.random.PRNGKey(0), x)  # the key is unused: no random params
    variables = {"params": variables["params"], "batch_stats": {"mean": running_mean, "var": running_var}}
    y, updates = layer.apply(variables, x, mutable=["batch_stats"])
    return y, updates["batch_stats"]

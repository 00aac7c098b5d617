# expect: wrong_answer
# hint: Start the update from the running statistics you are given (put them in the batch_stats collection), not from the fresh ones init creates (mean 0, var 1).
"""Wrong: ``init`` then ``apply`` with the variables ``init`` made, so the update starts from
mean 0 and variance 1 instead of the given running statistics."""

import flax.linen as nn
import jax


def solve(x, running_mean, running_var, momentum, eps):
    layer = nn.BatchNorm(use_running_average=False, momentum=momentum, epsilon=eps)
    variables = layer.init(jax.random.PRNGKey(0), x)
    y, updates = layer.apply(variables, x, mutable=["batch_stats"])
    return y, updates["batch_stats"]

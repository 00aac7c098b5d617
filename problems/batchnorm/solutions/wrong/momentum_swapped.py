# expect: wrong_answer
# hint: In Flax, momentum is the weight of the OLD running statistics: new = momentum * running + (1 - momentum) * batch. PyTorch's momentum means the opposite.
"""Wrong: PyTorch's convention, ``new = (1 - momentum) * running + momentum * batch``.

``y`` is right; the running statistics move by ``momentum`` instead of ``1 - momentum``. Only
invisible when momentum is 0.5.
"""

import jax.numpy as jnp


def solve(x, running_mean, running_var, momentum, eps):
    mean = jnp.mean(x, axis=0)
    var = jnp.var(x, axis=0)
    y = (x - mean) / jnp.sqrt(var + eps)
    new_mean = (1 - momentum) * running_mean + momentum * mean
    new_var = (1 - momentum) * running_var + momentum * var
    return y, {"mean": new_mean, "var": new_var}

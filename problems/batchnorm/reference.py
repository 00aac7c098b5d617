"""Trusted reference for ``batchnorm``: ``flax.linen.BatchNorm`` in training mode.

The layer starts from the running statistics it is given, normalises ``x`` with the statistics
of the batch, and updates the running statistics (the ``batch_stats`` collection, made mutable
for the call). Its scale and bias stay at their initial values, ones and zeros.
``use_fast_variance=False``: the batch variance is the mean of squared deviations from the mean
(two passes), the float32-accurate form; the statement bounds the inputs so that Flax's default
``E[x^2] - E[x]^2`` also passes.

Example:
    >>> import jax.numpy as jnp
    >>> x = jnp.array([[1.0, 10.0], [3.0, 10.0]])
    >>> y, stats = solve(x, jnp.zeros(2), jnp.ones(2), 0.9, 1e-5)
    >>> [round(float(v), 3) for v in y[:, 0]], [round(float(v), 3) for v in stats["mean"]]
    ([-1.0, 1.0], [0.2, 1.0])
"""

import flax.linen as nn
import jax
import jax.numpy as jnp


def solve(
    x: jax.Array, running_mean: jax.Array, running_var: jax.Array, momentum: float, eps: float
) -> tuple[jax.Array, dict[str, jax.Array]]:
    """Normalise ``x`` (N, D) over the batch axis; return ``(y, {'mean': ..., 'var': ...})``."""
    x = jnp.asarray(x, jnp.float32)
    features = x.shape[-1]
    layer = nn.BatchNorm(
        use_running_average=False, momentum=float(momentum), epsilon=float(eps), use_fast_variance=False
    )
    variables = {
        "params": {"scale": jnp.ones((features,), jnp.float32), "bias": jnp.zeros((features,), jnp.float32)},
        "batch_stats": {"mean": jnp.asarray(running_mean, jnp.float32), "var": jnp.asarray(running_var, jnp.float32)},
    }
    y, updates = layer.apply(variables, x, mutable=["batch_stats"])
    stats = updates["batch_stats"]
    return y, {"mean": stats["mean"], "var": stats["var"]}

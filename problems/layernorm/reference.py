"""Trusted reference for ``layernorm``: Flax's ``nn.LayerNorm`` with the given scale and shift.

``use_fast_variance=False``: the variance is the mean of squared deviations from the mean
(two passes), not ``E[x^2] - E[x]^2``, which loses precision in float32 when the mean is large.

Example:
    >>> import jax.numpy as jnp
    >>> y = solve(jnp.array([[1.0, 2.0, 3.0]]), jnp.ones(3), jnp.zeros(3), 1e-5)
    >>> [round(float(v), 3) for v in y[0]]
    [-1.225, 0.0, 1.225]
"""

import flax.linen as nn
import jax
import jax.numpy as jnp


def solve(x: jax.Array, gamma: jax.Array, beta: jax.Array, eps: float) -> jax.Array:
    """Normalize each row of ``x`` over its last axis, then scale by gamma and shift by beta."""
    layer = nn.LayerNorm(epsilon=float(eps), use_fast_variance=False)
    params = {"params": {"scale": jnp.asarray(gamma), "bias": jnp.asarray(beta)}}
    return layer.apply(params, jnp.asarray(x, jnp.float32))

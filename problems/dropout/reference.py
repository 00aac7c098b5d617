"""Trusted reference for ``dropout``: ``flax.linen.Dropout`` in training mode, and its mask.

The layer is the top-level module, applied with ``deterministic=False`` and
``rngs={'dropout': PRNGKey(int(seed))}``. The mask that decides which elements are kept does
not depend on the input's values, only on the key and the shape, so applying the same layer
with the same key to an array of ones reproduces it exactly: an element of
``ones / (1 - rate)`` is non-zero if and only if it was kept.

Example:
    >>> import jax.numpy as jnp
    >>> y, kept = solve(0.0, jnp.ones((2, 3)), 0.0)
    >>> y.tolist(), kept.tolist()
    ([[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]], [[True, True, True], [True, True, True]])
"""

import flax.linen as nn
import jax
import jax.numpy as jnp


def solve(seed: float, x: jax.Array, rate: float) -> tuple[jax.Array, jax.Array]:
    """Return ``(y, kept)``: dropout of ``x`` with ``rate`` and the boolean mask of kept elements."""
    x = jnp.asarray(x, jnp.float32)
    layer = nn.Dropout(rate=float(rate), deterministic=False)
    rngs = {"dropout": jax.random.PRNGKey(int(seed))}
    y = layer.apply({}, x, rngs=rngs)
    kept = layer.apply({}, jnp.ones_like(x), rngs=rngs) != 0
    return y, kept

# expect: accepted
# hint: -
"""Accepted: ``nn.Dropout`` at the top level, once on x and once on ones for the mask.

The mask depends only on the key and the shape, so the same key gives the same mask both times.
"""

import flax.linen as nn
import jax
import jax.numpy as jnp


def solve(seed, x, rate):
    dropout = nn.Dropout(rate)
    rngs = {"dropout": jax.random.PRNGKey(int(seed))}
    y = dropout.apply({}, x, deterministic=False, rngs=rngs)
    kept = dropout.apply({}, jnp.ones_like(x), deterministic=False, rngs=rngs) > 0
    return y, kept

# expect: wrong_answer
# hint: Use the seed you are given: rngs={'dropout': jax.random.PRNGKey(int(seed))}, not a hard-coded key.
"""Wrong: always ``PRNGKey(0)``; right only for seed 0 (or where the rate makes the mask trivial)."""

import flax.linen as nn
import jax
import jax.numpy as jnp


def solve(seed, x, rate):
    layer = nn.Dropout(rate, deterministic=False)
    rngs = {"dropout": jax.random.PRNGKey(0)}
    return layer.apply({}, x, rngs=rngs), layer.apply({}, jnp.ones_like(x), rngs=rngs) != 0

# expect: wrong_answer
# hint: Pass jax.random.PRNGKey(int(seed)) itself as the 'dropout' key; splitting it first (a training-loop habit) gives a different mask.
"""Wrong: splits the key before use, as a training loop would, and passes the sub-key."""

import flax.linen as nn
import jax
import jax.numpy as jnp


def solve(seed, x, rate):
    key = jax.random.PRNGKey(int(seed))
    key, dropout_key = jax.random.split(key)
    layer = nn.Dropout(rate, deterministic=False)
    rngs = {"dropout": dropout_key}
    return layer.apply({}, x, rngs=rngs), layer.apply({}, jnp.ones_like(x), rngs=rngs) != 0

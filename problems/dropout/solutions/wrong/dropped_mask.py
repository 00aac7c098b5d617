# expect: wrong_answer
# hint: The second result marks the elements that were KEPT (True where y = x / (1 - rate)), not the ones that were dropped.
"""Wrong: returns the mask of dropped elements, the complement of what is asked."""

import flax.linen as nn
import jax
import jax.numpy as jnp


def solve(seed, x, rate):
    layer = nn.Dropout(rate, deterministic=False)
    rngs = {"dropout": jax.random.PRNGKey(int(seed))}
    dropped = layer.apply({}, jnp.ones_like(x), rngs=rngs) == 0
    return layer.apply({}, x, rngs=rngs), dropped

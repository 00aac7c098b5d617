# expect: wrong_answer
# hint: Dropout is only active with deterministic=False (training); with deterministic=True it returns x unchanged and keeps everything.
"""Wrong: ``deterministic=True`` (evaluation mode): y is x and every element counts as kept."""

import flax.linen as nn
import jax
import jax.numpy as jnp


def solve(seed, x, rate):
    layer = nn.Dropout(rate, deterministic=True)
    y = layer.apply({}, x, rngs={"dropout": jax.random.PRNGKey(int(seed))})
    return y, jnp.ones(x.shape, dtype=bool)

"""Starter code for "Dropout with a given key" (see statement.md).

As given it runs but drops nothing, so every case with rate > 0 is a wrong answer.
"""

import flax.linen as nn
import jax
import jax.numpy as jnp


class MyDropout(nn.Module):
    rate: float

    @nn.compact
    def __call__(self, x: jax.Array) -> tuple[jax.Array, jax.Array]:
        # 1. key = self.make_rng("dropout")
        # 2. kept = jax.random.bernoulli(key, 1 - self.rate, x.shape)
        # 3. y = x / (1 - rate) where kept, 0 elsewhere
        kept = jnp.ones(x.shape, dtype=bool)  # replace this
        return x, kept


def solve(seed: float, x: jax.Array, rate: float) -> tuple[jax.Array, jax.Array]:
    """Return (y, kept): y has shape (N, D), kept is a boolean array of the same shape."""
    return MyDropout(rate).apply({}, x, rngs={"dropout": jax.random.PRNGKey(int(seed))})

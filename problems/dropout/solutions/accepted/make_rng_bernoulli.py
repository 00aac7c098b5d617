# expect: accepted
# hint: -
"""Accepted: a hand-written dropout module that draws its mask from ``self.make_rng('dropout')``.

As the top-level module it gets the same key from ``make_rng`` as ``nn.Dropout`` would, and it
draws the mask the same way: ``bernoulli(key, 1 - rate, x.shape)``.
"""

import flax.linen as nn
import jax
import jax.numpy as jnp


class MyDropout(nn.Module):
    rate: float

    @nn.compact
    def __call__(self, x):
        keep_prob = 1.0 - self.rate
        kept = jax.random.bernoulli(self.make_rng("dropout"), keep_prob, x.shape)
        return jnp.where(kept, x / keep_prob, 0.0), kept


def solve(seed, x, rate):
    return MyDropout(rate).apply({}, x, rngs={"dropout": jax.random.PRNGKey(int(seed))})

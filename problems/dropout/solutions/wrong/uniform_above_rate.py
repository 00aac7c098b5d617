# expect: wrong_answer
# hint: The mask is bernoulli(key, 1 - rate, x.shape), i.e. uniform(key, x.shape) < 1 - rate; uniform >= rate keeps as many elements on average but picks different ones.
"""Wrong: keeps an element when its uniform draw is at least ``rate``.

Statistically the same dropout, but a different mask from the same random numbers.
"""

import flax.linen as nn
import jax
import jax.numpy as jnp


class Dropout(nn.Module):
    rate: float

    @nn.compact
    def __call__(self, x):
        kept = jax.random.uniform(self.make_rng("dropout"), x.shape) >= self.rate
        return jnp.where(kept, x / (1.0 - self.rate), 0.0), kept


def solve(seed, x, rate):
    return Dropout(rate).apply({}, x, rngs={"dropout": jax.random.PRNGKey(int(seed))})

# expect: wrong_answer
# hint: Draw one keep/drop decision per element, with the mask's shape equal to x.shape; a mask of shape (N, 1) broadcast over the features drops whole rows.
"""Wrong: one decision per row, broadcast over the features (the mask has shape (N, 1)).

Same key, same formula, but a different shape gives different random numbers, and every row is
kept or dropped as a whole.
"""

import flax.linen as nn
import jax
import jax.numpy as jnp


class RowDropout(nn.Module):
    rate: float

    @nn.compact
    def __call__(self, x):
        keep = jax.random.bernoulli(self.make_rng("dropout"), 1.0 - self.rate, (x.shape[0], 1))
        kept = jnp.broadcast_to(keep, x.shape)
        return jnp.where(kept, x / (1.0 - self.rate), 0.0), kept


def solve(seed, x, rate):
    return RowDropout(rate).apply({}, x, rngs={"dropout": jax.random.PRNGKey(int(seed))})

# expect: wrong_answer
# hint: Apply nn.Dropout as the top-level module: inside another module its path changes, and make_rng folds the path into the key, so the mask changes.
"""Wrong: ``nn.Dropout`` inside a wrapper module, so its key is derived for the path ``Dropout_0``."""

import flax.linen as nn
import jax
import jax.numpy as jnp


class Block(nn.Module):
    rate: float

    @nn.compact
    def __call__(self, x):
        drop = nn.Dropout(self.rate, deterministic=False)
        return drop(x), drop(jnp.ones_like(x)) != 0


def solve(seed, x, rate):
    return Block(rate).apply({}, x, rngs={"dropout": jax.random.PRNGKey(int(seed))})

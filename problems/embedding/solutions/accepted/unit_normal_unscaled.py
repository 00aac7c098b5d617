# expect: accepted
# hint: -
"""Accepted: a table drawn from ``normal(stddev=1.0)`` and no ``sqrt(dim)`` factor.

The specified initialiser draws ``jax.random.normal(key, shape) * sqrt(1 / dim)``; the forward
pass then multiplies by ``sqrt(dim)``. Drawing ``jax.random.normal(key, shape) * 1.0`` from the
same key and skipping the factor gives the same numbers up to float32 rounding. (This is why the
paper scales: the scaled embeddings have unit variance, like the encoding's entries.)
"""

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np


def solve(seed: float, tokens: jax.Array, vocab_size: int, dim: int) -> jax.Array:
    embed = nn.Embed(int(vocab_size), int(dim), embedding_init=nn.initializers.normal(stddev=1.0))
    params = embed.init(jax.random.PRNGKey(int(seed)), tokens)
    length = tokens.shape[0]
    pe = np.zeros((length, dim), np.float32)
    for pos in range(length):
        for j in range(0, dim, 2):
            angle = pos / 10000.0 ** (j / dim)
            pe[pos, j] = np.sin(angle)
            pe[pos, j + 1] = np.cos(angle)
    return embed.apply(params, tokens) + jnp.asarray(pe)

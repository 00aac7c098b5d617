# expect: wrong_answer
# hint: Interleave: sine on the even dimensions (0, 2, 4, ...) and cosine on the odd ones (1, 3, 5, ...); putting all sines in the first half and all cosines in the second is another convention.
"""Wrong: the tensor2tensor convention, ``concat([sin, cos])`` instead of interleaving.

Both halves hold the right numbers, in other columns; the two agree only when dim = 2.
"""

import math

import flax.linen as nn
import jax
import jax.numpy as jnp


def positions(length: int, dim: int) -> jax.Array:
    pos = jnp.arange(length, dtype=jnp.float32)[:, None]
    angle = pos / jnp.power(10000.0, jnp.arange(0, dim, 2, dtype=jnp.float32) / dim)
    return jnp.concatenate([jnp.sin(angle), jnp.cos(angle)], axis=-1)


def solve(seed: float, tokens: jax.Array, vocab_size: int, dim: int) -> jax.Array:
    embed = nn.Embed(int(vocab_size), int(dim))
    params = embed.init(jax.random.PRNGKey(int(seed)), tokens)
    return embed.apply(params, tokens) * math.sqrt(dim) + positions(tokens.shape[0], int(dim))

# expect: wrong_answer
# hint: Positions start at 0: the first token gets sin(0) = 0 on even and cos(0) = 1 on odd dimensions.
"""Wrong: positions counted from 1 (``arange(1, L + 1)``)."""

import math

import flax.linen as nn
import jax
import jax.numpy as jnp


def positions(length: int, dim: int) -> jax.Array:
    pos = jnp.arange(1, length + 1, dtype=jnp.float32)[:, None]
    angle = pos / jnp.power(10000.0, jnp.arange(0, dim, 2, dtype=jnp.float32) / dim)
    return jnp.stack([jnp.sin(angle), jnp.cos(angle)], axis=-1).reshape(length, dim)


def solve(seed: float, tokens: jax.Array, vocab_size: int, dim: int) -> jax.Array:
    embed = nn.Embed(int(vocab_size), int(dim))
    params = embed.init(jax.random.PRNGKey(int(seed)), tokens)
    return embed.apply(params, tokens) * math.sqrt(dim) + positions(tokens.shape[0], int(dim))

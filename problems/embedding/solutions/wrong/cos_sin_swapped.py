# expect: wrong_answer
# hint: Sine goes on the even dimensions and cosine on the odd ones, not the other way round.
"""Wrong: cosine on even dimensions, sine on odd ones."""

import math

import flax.linen as nn
import jax
import jax.numpy as jnp


def positions(length: int, dim: int) -> jax.Array:
    pos = jnp.arange(length, dtype=jnp.float32)[:, None]
    angle = pos / jnp.power(10000.0, jnp.arange(0, dim, 2, dtype=jnp.float32) / dim)
    return jnp.stack([jnp.cos(angle), jnp.sin(angle)], axis=-1).reshape(length, dim)


def solve(seed: float, tokens: jax.Array, vocab_size: int, dim: int) -> jax.Array:
    embed = nn.Embed(int(vocab_size), int(dim))
    params = embed.init(jax.random.PRNGKey(int(seed)), tokens)
    return embed.apply(params, tokens) * math.sqrt(dim) + positions(tokens.shape[0], int(dim))

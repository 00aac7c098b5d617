# expect: wrong_answer
# hint: A sine and its cosine share one frequency: dimension 2i+1 uses 10000**(2i / dim), the same as dimension 2i, not 10000**((2i + 1) / dim).
"""Wrong: each dimension ``j`` gets its own exponent ``j / dim``, so odd (cosine) dimensions use
the next pair's frequency instead of their own pair's."""

import math

import flax.linen as nn
import jax
import jax.numpy as jnp


def positions(length: int, dim: int) -> jax.Array:
    pos = jnp.arange(length, dtype=jnp.float32)[:, None]
    j = jnp.arange(dim, dtype=jnp.float32)
    angle = pos / jnp.power(10000.0, j / dim)  # (L, dim)
    return jnp.where(jnp.arange(dim) % 2 == 0, jnp.sin(angle), jnp.cos(angle))


def solve(seed: float, tokens: jax.Array, vocab_size: int, dim: int) -> jax.Array:
    embed = nn.Embed(int(vocab_size), int(dim))
    params = embed.init(jax.random.PRNGKey(int(seed)), tokens)
    return embed.apply(params, tokens) * math.sqrt(dim) + positions(tokens.shape[0], int(dim))

# expect: wrong_answer
# hint: The frequency of the pair (2i, 2i+1) is 1 / 10000**(2i / dim), with 2i the even dimension index; using i / dim makes every frequency but the first too high.
"""Wrong: exponent ``i / dim`` with ``i`` the pair index (0, 1, 2, ...), not ``2i / dim``."""

import math

import flax.linen as nn
import jax
import jax.numpy as jnp


def positions(length: int, dim: int) -> jax.Array:
    pos = jnp.arange(length, dtype=jnp.float32)[:, None]
    angle = pos / jnp.power(10000.0, jnp.arange(dim // 2, dtype=jnp.float32) / dim)
    return jnp.stack([jnp.sin(angle), jnp.cos(angle)], axis=-1).reshape(length, dim)


def solve(seed: float, tokens: jax.Array, vocab_size: int, dim: int) -> jax.Array:
    embed = nn.Embed(int(vocab_size), int(dim))
    params = embed.init(jax.random.PRNGKey(int(seed)), tokens)
    return embed.apply(params, tokens) * math.sqrt(dim) + positions(tokens.shape[0], int(dim))

# expect: accepted
# hint: -
"""Accepted: ``nn.Embed`` as the top-level module, encoding built in float32 with ``jnp``.

``nn.Embed``'s default initialiser is the specified one, and the encoding uses the
``pos / 10000 ** (2i / dim)`` form, interleaved by stacking sine and cosine on a new last axis
and flattening it into the feature axis.
"""

import flax.linen as nn
import jax
import jax.numpy as jnp


def positions(length: int, dim: int) -> jax.Array:
    pos = jnp.arange(length, dtype=jnp.float32)[:, None]
    angle = pos / jnp.power(10000.0, jnp.arange(0, dim, 2, dtype=jnp.float32) / dim)  # (L, dim/2)
    return jnp.stack([jnp.sin(angle), jnp.cos(angle)], axis=-1).reshape(length, dim)  # sin, cos, sin, cos...


def solve(seed: float, tokens: jax.Array, vocab_size: int, dim: int) -> jax.Array:
    embed = nn.Embed(num_embeddings=int(vocab_size), features=int(dim))
    params = embed.init(jax.random.PRNGKey(int(seed)), tokens)
    return embed.apply(params, tokens) * jnp.sqrt(float(dim)) + positions(tokens.shape[0], int(dim))

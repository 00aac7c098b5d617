"""Starter code for "Token embedding plus sinusoidal positions" (see statement.md).

Fill in ``positions`` and ``solve``. As given, this file runs but returns zeros, so every case
is a wrong answer.
"""

import flax.linen as nn
import jax
import jax.numpy as jnp


def positions(length: int, dim: int) -> jax.Array:
    """The (length, dim) sinusoidal encoding: sine on even, cosine on odd dimensions."""
    # pos = 0 .. length - 1; the pair (2i, 2i + 1) uses the angle pos / 10000 ** (2i / dim).
    return jnp.zeros((length, dim), dtype=jnp.float32)  # replace this


def solve(seed: float, tokens: jax.Array, vocab_size: int, dim: int) -> jax.Array:
    """Embedding * sqrt(dim) + positional encoding, shape (L, dim)."""
    # 1. embed = nn.Embed(num_embeddings=vocab_size, features=dim)
    # 2. params = embed.init(jax.random.PRNGKey(int(seed)), tokens)
    # 3. Look the tokens up with embed.apply(params, tokens), multiply by sqrt(dim),
    #    and add positions(len(tokens), dim).
    return jnp.zeros((tokens.shape[0], dim), dtype=jnp.float32)  # replace this

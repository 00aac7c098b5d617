# expect: accepted
# hint: -
"""Accepted: the table created with ``self.param`` and looked up by a one-hot matrix product.

``one_hot(tokens) @ table`` selects the same rows as indexing (each row of the one-hot matrix has
a single 1); the precision is pinned so the product is exact. The encoding follows the common
``exp(-2i * ln(10000) / dim)`` form and fills even and odd columns with ``.at[].set``.
"""

import math

import flax.linen as nn
import jax
import jax.numpy as jnp


class TokenEmbedding(nn.Module):
    vocab_size: int
    dim: int

    @nn.compact
    def __call__(self, tokens: jax.Array) -> jax.Array:
        table = self.param("embedding", nn.initializers.variance_scaling(1.0, "fan_in", "normal", out_axis=0),
                           (self.vocab_size, self.dim))
        one_hot = jax.nn.one_hot(tokens, self.vocab_size, dtype=jnp.float32)
        vectors = jnp.matmul(one_hot, table, precision=jax.lax.Precision.HIGHEST) * math.sqrt(self.dim)
        length = tokens.shape[0]
        pos = jnp.arange(length, dtype=jnp.float32)[:, None]
        div = jnp.exp(jnp.arange(0, self.dim, 2, dtype=jnp.float32) * (-math.log(10000.0) / self.dim))
        pe = jnp.zeros((length, self.dim), jnp.float32)
        pe = pe.at[:, 0::2].set(jnp.sin(pos * div)).at[:, 1::2].set(jnp.cos(pos * div))
        return vectors + pe


def solve(seed: float, tokens: jax.Array, vocab_size: int, dim: int) -> jax.Array:
    model = TokenEmbedding(int(vocab_size), int(dim))
    variables = model.init(jax.random.PRNGKey(int(seed)), tokens)
    return model.apply(variables, tokens)

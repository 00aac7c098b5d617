# expect: wrong_answer
# hint: Draw the table with nn.Embed's initialiser, variance_scaling(1.0, "fan_in", "normal", out_axis=0) (entries N(0, 1/dim)); lecun_normal, the Dense default, is truncated and reads its fan-in from vocab_size.
"""Wrong: the table is created with ``lecun_normal`` (the Dense default) and looked up with a
one-hot matrix product; the lookup is right, the table is not."""

import math

import flax.linen as nn
import jax
import jax.numpy as jnp


def positions(length: int, dim: int) -> jax.Array:
    pos = jnp.arange(length, dtype=jnp.float32)[:, None]
    angle = pos / jnp.power(10000.0, jnp.arange(0, dim, 2, dtype=jnp.float32) / dim)
    return jnp.stack([jnp.sin(angle), jnp.cos(angle)], axis=-1).reshape(length, dim)


def solve(seed: float, tokens: jax.Array, vocab_size: int, dim: int) -> jax.Array:
    model = OneHotEmbed(int(vocab_size), int(dim))
    params = model.init(jax.random.PRNGKey(int(seed)), tokens)
    return model.apply(params, tokens) * math.sqrt(dim) + positions(tokens.shape[0], int(dim))


class OneHotEmbed(nn.Module):
    vocab_size: int
    dim: int

    @nn.compact
    def __call__(self, tokens: jax.Array) -> jax.Array:
        table = self.param("embedding", nn.initializers.lecun_normal(), (self.vocab_size, self.dim))
        return jax.nn.one_hot(tokens, self.vocab_size) @ table

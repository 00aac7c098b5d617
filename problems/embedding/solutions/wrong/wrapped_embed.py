# expect: wrong_answer
# hint: Create the embedding table in the module you pass to init; wrapping nn.Embed inside your own module puts it under another path (Embed_0), which changes its random initial values.
"""Wrong: a module holding ``nn.Embed`` as a submodule and adding the encoding itself.

The natural design, but the table now lives at ``Embed_0/embedding`` and the submodule's name is
folded into its key.
"""

import math

import flax.linen as nn
import jax
import jax.numpy as jnp


def positions(length: int, dim: int) -> jax.Array:
    pos = jnp.arange(length, dtype=jnp.float32)[:, None]
    angle = pos / jnp.power(10000.0, jnp.arange(0, dim, 2, dtype=jnp.float32) / dim)
    return jnp.stack([jnp.sin(angle), jnp.cos(angle)], axis=-1).reshape(length, dim)


def solve(seed: float, tokens: jax.Array, vocab_size: int, dim: int) -> jax.Array:
    model = EmbedWithPositions(int(vocab_size), int(dim))
    params = model.init(jax.random.PRNGKey(int(seed)), tokens)
    return model.apply(params, tokens)


class EmbedWithPositions(nn.Module):
    vocab_size: int
    dim: int

    @nn.compact
    def __call__(self, tokens: jax.Array) -> jax.Array:
        vectors = nn.Embed(self.vocab_size, self.dim)(tokens) * math.sqrt(self.dim)
        return vectors + positions(tokens.shape[0], self.dim)

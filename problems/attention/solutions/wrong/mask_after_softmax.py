# expect: wrong_answer
# hint: Mask the scores BEFORE the softmax (masked entries get a large negative value); zeroing weights after the softmax leaves rows that no longer sum to 1.
"""Wrong: softmax over all keys, then the future weights set to zero without renormalising."""

import flax.linen as nn
import jax
import jax.numpy as jnp


class CausalSelfAttention(nn.Module):
    num_heads: int
    qkv_features: int

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        length, width = x.shape
        head_dim = self.qkv_features // self.num_heads

        def heads(name: str) -> jax.Array:
            projected = nn.Dense(self.qkv_features, name=name)(x)
            return projected.reshape(length, self.num_heads, head_dim)

        q, k, v = heads("query"), heads("key"), heads("value")
        scores = jnp.einsum("qhd,khd->hqk", q, k) / jnp.sqrt(head_dim).astype(x.dtype)
        causal = jnp.tril(jnp.ones((length, length), dtype=bool))
        weights = jnp.where(causal, jax.nn.softmax(scores, axis=-1), 0.0)
        mixed = jnp.einsum("hqk,khd->qhd", weights, v).reshape(length, self.qkv_features)
        return nn.Dense(width, name="out")(mixed)


def solve(seed: float, x: jax.Array, num_heads: int, qkv_features: int) -> jax.Array:
    model = CausalSelfAttention(int(num_heads), int(qkv_features))
    params = model.init(jax.random.PRNGKey(int(seed)), x)
    return model.apply(params, x)

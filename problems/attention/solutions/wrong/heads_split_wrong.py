# expect: wrong_answer
# hint: Split the qkv_features axis into (num_heads, head_dim), head index first: reshape(L, num_heads, head_dim). Reshaping to (L, head_dim, num_heads) and transposing gives each head strided features.
"""Wrong: the projected features are split as ``(head_dim, num_heads)`` and transposed.

Each head then gets every ``num_heads``-th feature instead of a contiguous block; with one head
the two splits agree."""

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
            return projected.reshape(length, head_dim, self.num_heads).transpose(0, 2, 1)

        q, k, v = heads("query"), heads("key"), heads("value")
        scores = jnp.einsum("qhd,khd->hqk", q, k) / jnp.sqrt(head_dim).astype(x.dtype)
        causal = jnp.tril(jnp.ones((length, length), dtype=bool))  # query i sees keys 0 .. i
        scores = jnp.where(causal, scores, -1e10)
        weights = jax.nn.softmax(scores, axis=-1)
        mixed = jnp.einsum("hqk,khd->qhd", weights, v).reshape(length, self.qkv_features)
        return nn.Dense(width, name="out")(mixed)


def solve(seed: float, x: jax.Array, num_heads: int, qkv_features: int) -> jax.Array:
    model = CausalSelfAttention(int(num_heads), int(qkv_features))
    params = model.init(jax.random.PRNGKey(int(seed)), x)
    return model.apply(params, x)

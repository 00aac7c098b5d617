# expect: wrong_answer
# hint: The causal mask keeps keys j <= i for query i (lower triangle, jnp.tril or nn.make_causal_mask); keeping j >= i (the upper triangle) lets each position see only the future.
"""Wrong: the mask is the wrong way round (``jnp.triu``): query i sees keys i .. L-1."""

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
        causal = jnp.triu(jnp.ones((length, length), dtype=bool))
        scores = jnp.where(causal, scores, -1e10)
        weights = jax.nn.softmax(scores, axis=-1)
        mixed = jnp.einsum("hqk,khd->qhd", weights, v).reshape(length, self.qkv_features)
        return nn.Dense(width, name="out")(mixed)


def solve(seed: float, x: jax.Array, num_heads: int, qkv_features: int) -> jax.Array:
    model = CausalSelfAttention(int(num_heads), int(qkv_features))
    params = model.init(jax.random.PRNGKey(int(seed)), x)
    return model.apply(params, x)

# expect: wrong_answer
# hint: Divide the query-key dot products by sqrt(head_dim), head_dim = qkv_features // num_heads, before the softmax.
"""Wrong: the scores are not divided by ``sqrt(head_dim)``, so the softmax is too sharp."""

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
        scores = jnp.einsum("qhd,khd->hqk", q, k)
        causal = jnp.tril(jnp.ones((length, length), dtype=bool))  # query i sees keys 0 .. i
        scores = jnp.where(causal, scores, -1e10)
        weights = jax.nn.softmax(scores, axis=-1)
        mixed = jnp.einsum("hqk,khd->qhd", weights, v).reshape(length, self.qkv_features)
        return nn.Dense(width, name="out")(mixed)


def solve(seed: float, x: jax.Array, num_heads: int, qkv_features: int) -> jax.Array:
    model = CausalSelfAttention(int(num_heads), int(qkv_features))
    params = model.init(jax.random.PRNGKey(int(seed)), x)
    return model.apply(params, x)

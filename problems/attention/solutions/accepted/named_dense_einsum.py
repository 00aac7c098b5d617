# expect: accepted
# hint: -
"""Accepted: written out with four ``nn.Dense`` layers named like the module's submodules.

``nn.Dense(qkv_features, name="query")`` creates its kernel as a ``(D, qkv_features)`` matrix
with ``lecun_normal`` and a zero bias, from the key Flax derives for the name ``query``; that is
the same draw ``nn.MultiHeadDotProductAttention`` makes before reshaping its kernel to
``(D, heads, head_dim)``. Splitting the projected features into heads is then a reshape, head
index first. Masked scores are set to ``-inf`` (fine here: the diagonal is never masked, so
every softmax row has a finite entry).
"""

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
            projected = nn.Dense(self.qkv_features, name=name)(x)  # (L, qkv_features)
            return projected.reshape(length, self.num_heads, head_dim)  # (L, H, head_dim)

        q, k, v = heads("query"), heads("key"), heads("value")
        scores = jnp.einsum("qhd,khd->hqk", q, k) / jnp.sqrt(head_dim).astype(x.dtype)
        causal = jnp.tril(jnp.ones((length, length), dtype=bool))
        weights = jax.nn.softmax(jnp.where(causal, scores, -jnp.inf), axis=-1)
        mixed = jnp.einsum("hqk,khd->qhd", weights, v).reshape(length, self.qkv_features)
        return nn.Dense(width, name="out")(mixed)


def solve(seed: float, x: jax.Array, num_heads: int, qkv_features: int) -> jax.Array:
    model = CausalSelfAttention(int(num_heads), int(qkv_features))
    params = model.init(jax.random.PRNGKey(int(seed)), x)
    return model.apply(params, x)

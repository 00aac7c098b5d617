# expect: accepted
# hint: -
"""Accepted: ``nn.MultiHeadDotProductAttention`` at the top level with ``nn.make_causal_mask``.

The module works on batches, so the sequence gets a batch axis of one; the mask is built from
that batch's shape, ``(1, L)``, and has shape ``(1, 1, L, L)`` (batch, heads, queries, keys).
"""

import flax.linen as nn
import jax
import jax.numpy as jnp


def solve(seed: float, x: jax.Array, num_heads: int, qkv_features: int) -> jax.Array:
    attention = nn.MultiHeadDotProductAttention(num_heads=num_heads, qkv_features=qkv_features, deterministic=True)
    batch = x[None, :, :]
    mask = nn.make_causal_mask(jnp.ones((1, x.shape[0])))
    variables = attention.init(jax.random.PRNGKey(int(seed)), batch, mask=mask)
    return attention.apply(variables, batch, mask=mask)[0]

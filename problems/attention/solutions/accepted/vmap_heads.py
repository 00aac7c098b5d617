# expect: accepted
# hint: -
"""Accepted: ``nn.DenseGeneral`` projections and single-head attention ``vmap``-ed over heads.

The projections keep the heads as their own axis (kernel ``(D, H, head_dim)``, like the module's
own); one head's attention is written for ``(L, head_dim)`` arrays and ``jax.vmap`` maps it over
the head axis. Masking uses the module's own convention, a large negative number.
"""

import flax.linen as nn
import jax
import jax.numpy as jnp


def one_head(q: jax.Array, k: jax.Array, v: jax.Array) -> jax.Array:
    """Causal attention for one head: q, k, v of shape (L, head_dim)."""
    scores = (q / jnp.sqrt(q.shape[-1]).astype(q.dtype)) @ k.T  # (L queries, L keys)
    allowed = jnp.arange(q.shape[0])[:, None] >= jnp.arange(k.shape[0])[None, :]
    scores = jnp.where(allowed, scores, jnp.finfo(scores.dtype).min)
    return jax.nn.softmax(scores, axis=-1) @ v


class Attention(nn.Module):
    num_heads: int
    qkv_features: int

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        shape = (self.num_heads, self.qkv_features // self.num_heads)
        q, k, v = (nn.DenseGeneral(shape, name=name)(x) for name in ("query", "key", "value"))  # (L, H, hd)
        mixed = jax.vmap(one_head, in_axes=1, out_axes=1)(q, k, v)  # (L, H, hd)
        return nn.DenseGeneral(x.shape[-1], axis=(-2, -1), name="out")(mixed)


def solve(seed: float, x: jax.Array, num_heads: int, qkv_features: int) -> jax.Array:
    model = Attention(int(num_heads), int(qkv_features))
    variables = model.init(jax.random.PRNGKey(int(seed)), x)
    return jax.jit(model.apply)(variables, x)

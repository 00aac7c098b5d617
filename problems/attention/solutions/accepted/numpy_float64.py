# expect: accepted
# hint: -
"""Accepted: Flax only draws the parameters; the attention is computed in NumPy float64.

The parameters come from initialising ``nn.MultiHeadDotProductAttention`` (so they are the
specified ones); everything after that is written out in double precision: projections, scaled
scores, the causal mask, a max-subtracted softmax over the keys, the weighted sum and the output
projection.
"""

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np


def solve(seed: float, x: jax.Array, num_heads: int, qkv_features: int) -> np.ndarray:
    module = nn.MultiHeadDotProductAttention(num_heads=int(num_heads), qkv_features=int(qkv_features))
    params = module.init(jax.random.PRNGKey(int(seed)), jnp.asarray(x)[None])["params"]
    p = jax.tree_util.tree_map(lambda a: np.asarray(a, np.float64), params)
    xs = np.asarray(x, np.float64)
    length, depth = xs.shape[0], qkv_features // num_heads
    q, k, v = (np.einsum("ld,dhf->lhf", xs, p[n]["kernel"]) + p[n]["bias"] for n in ("query", "key", "value"))
    scores = np.einsum("qhf,khf->hqk", q, k) / np.sqrt(depth)  # (H, L, L)
    causal = np.tril(np.ones((length, length), dtype=bool))  # query i sees keys 0 .. i
    scores = np.where(causal, scores, -np.inf)
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights /= weights.sum(axis=-1, keepdims=True)
    heads = np.einsum("hqk,khf->qhf", weights, v)  # (L, H, depth)
    out = np.einsum("qhf,hfd->qd", heads, p["out"]["kernel"]) + p["out"]["bias"]
    return out.astype(np.float32)

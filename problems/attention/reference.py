"""Trusted reference solution for the ``attention`` problem.

Causal multi-head dot-product self-attention with Flax linen's
``nn.MultiHeadDotProductAttention``: query, key and value projections of the input (``num_heads``
heads of ``qkv_features // num_heads`` features each), scaled dot products, a causal mask
(``nn.make_causal_mask``: position ``i`` sees positions ``0 .. i``), a softmax over the keys,
the weighted sum of the values and an output projection back to the input width.

Parameters: four submodules named ``query``, ``key``, ``value`` and ``out``, each with a
``kernel`` (``lecun_normal``) created before its ``bias`` (zeros). Flax derives each key from
the submodule's name and the order of the ``self.param`` calls inside it.

Example:
    >>> import jax.numpy as jnp
    >>> solve(0.0, jnp.ones((3, 4)), num_heads=2, qkv_features=4).shape
    (3, 4)
"""

import flax.linen as nn
import jax
import jax.numpy as jnp

__all__ = ["solve"]


def solve(seed: float, x: jax.Array, num_heads: int, qkv_features: int) -> jax.Array:
    """Initialise causal self-attention from ``seed`` and return its output on ``x``.

    Args:
        seed: PRNG seed, given as a float; it is cast to ``int``.
        x: input sequence of shape ``(L, D)``, float32.
        num_heads: number of heads; divides ``qkv_features``.
        qkv_features: total width of the queries, keys and values (all heads together).

    Returns:
        A float32 array of shape ``(L, D)``.
    """
    module = nn.MultiHeadDotProductAttention(
        num_heads=int(num_heads),
        qkv_features=int(qkv_features),
        deterministic=True,
        # Pin full float32 precision: on GPUs the default may use TF32.
        precision=jax.lax.Precision.HIGHEST,
    )
    batch = jnp.asarray(x, dtype=jnp.float32)[None]  # (1, L, D): the module works on batches
    mask = nn.make_causal_mask(jnp.ones(batch.shape[:2], dtype=jnp.int32))  # (1, 1, L, L)
    # jit: op by op, the module dispatches (and compiles) hundreds of small programs, about 4x
    # slower on a loaded machine; the numbers are the same to float32 rounding.
    params = jax.jit(module.init)(jax.random.PRNGKey(int(seed)), batch, mask=mask)
    return jax.jit(module.apply)(params, batch, mask=mask)[0]

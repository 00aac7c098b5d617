"""Starter code for "Implement layer normalization" (see statement.md).

As given it runs but returns zeros, so every case is a wrong answer.
"""

import jax
import jax.numpy as jnp


def solve(x: jax.Array, gamma: jax.Array, beta: jax.Array, eps: float) -> jax.Array:
    """Return (x - mean) / sqrt(var + eps) * gamma + beta, row by row; shape (N, D)."""
    # 1. mean and (biased) variance of each row, over the last axis, keepdims=True
    # 2. normalize: (x - mean) / sqrt(var + eps)
    # 3. scale and shift: * gamma + beta
    return jnp.zeros_like(x)  # replace this

# expect: accepted
# hint: -
"""Accepted: ``jnp.var`` and ``jax.lax.rsqrt`` inside ``jax.jit``."""

import jax
import jax.numpy as jnp


@jax.jit
def _norm(x, gamma, beta, eps):
    centred = x - x.mean(axis=-1, keepdims=True)
    return centred * jax.lax.rsqrt(jnp.var(x, axis=-1, keepdims=True) + eps) * gamma + beta


def solve(x, gamma, beta, eps):
    return _norm(x, gamma, beta, eps)

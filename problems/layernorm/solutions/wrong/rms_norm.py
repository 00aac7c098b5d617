# expect: wrong_answer
# hint: Subtract the mean before dividing: without centring you computed RMSNorm, not layer normalization.
"""Wrong: no centring (RMSNorm), right only for rows with zero mean."""

import jax.numpy as jnp


def solve(x, gamma, beta, eps):
    ms = (x ** 2).mean(axis=-1, keepdims=True)
    return x / jnp.sqrt(ms + eps) * gamma + beta

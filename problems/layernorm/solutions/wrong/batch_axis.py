# expect: wrong_answer
# hint: Normalize each row over the feature axis (axis=-1); normalizing each feature over the batch (axis=0) is batch norm.
"""Wrong: statistics over the batch axis (batch norm); right only by accident."""

import jax.numpy as jnp


def solve(x, gamma, beta, eps):
    mean = x.mean(axis=0, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=0, keepdims=True)
    return (x - mean) / jnp.sqrt(var + eps) * gamma + beta

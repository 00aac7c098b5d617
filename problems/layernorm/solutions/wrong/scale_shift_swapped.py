# expect: wrong_answer
# hint: Multiply the normalized x by gamma (the scale) and then add beta (the shift); swapping them is wrong.
"""Wrong: gamma and beta used the other way round."""

import jax.numpy as jnp


def solve(x, gamma, beta, eps):
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / jnp.sqrt(var + eps) * beta + gamma

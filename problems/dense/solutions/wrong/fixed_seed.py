# expect: wrong_answer
# hint: Initialise with jax.random.PRNGKey(int(seed)) using the seed you are given, not a hard-coded key.
"""Wrong: ignores ``seed`` and always initialises with ``PRNGKey(0)``; right only when seed is 0."""

import flax.linen as nn
import jax


def solve(seed: float, x: jax.Array, features: int) -> jax.Array:
    layer = nn.Dense(int(features), bias_init=nn.initializers.normal(0.1))
    params = layer.init(jax.random.PRNGKey(0), x)
    return layer.apply(params, x)

# expect: wrong_answer
# hint: The kernel initialiser is lecun_normal (a truncated normal scaled by 1/sqrt(D_in)), not a fixed-width normal such as normal(0.01).
"""Wrong: kernel drawn from ``normal(stddev=0.01)``, a common default in other code bases."""

import flax.linen as nn
import jax


def solve(seed: float, x: jax.Array, features: int) -> jax.Array:
    layer = nn.Dense(int(features), kernel_init=nn.initializers.normal(0.01), bias_init=nn.initializers.normal(0.1))
    params = layer.init(jax.random.PRNGKey(int(seed)), x)
    return layer.apply(params, x)

# expect: wrong_answer
# hint: nn.Dense initialises its bias to zeros by default; this problem draws the bias from nn.initializers.normal(stddev=0.1), so pass bias_init.
"""Wrong: ``nn.Dense`` with its default (zero) bias initialiser."""

import flax.linen as nn
import jax


def solve(seed: float, x: jax.Array, features: int) -> jax.Array:
    layer = nn.Dense(int(features))
    params = layer.init(jax.random.PRNGKey(int(seed)), x)
    return layer.apply(params, x)

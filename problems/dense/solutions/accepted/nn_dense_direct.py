# expect: accepted
# hint: -
"""Accepted: ``flax.linen.Dense`` used directly as the top-level module.

``nn.Dense`` creates ``kernel`` of shape ``(D_in, features)`` with its ``kernel_init`` and then
``bias`` with its ``bias_init``, in that order; its default kernel initialiser is already
``lecun_normal``, but the bias default is zeros, so ``bias_init`` must be given.
"""

import flax.linen as nn
import jax


def solve(seed: float, x: jax.Array, features: int) -> jax.Array:
    """Initialise ``nn.Dense`` from the seed and apply it."""
    layer = nn.Dense(
        features=int(features),
        kernel_init=nn.initializers.lecun_normal(),
        bias_init=nn.initializers.normal(stddev=0.1),
    )
    params = layer.init(jax.random.PRNGKey(int(seed)), x)
    return layer.apply(params, x)

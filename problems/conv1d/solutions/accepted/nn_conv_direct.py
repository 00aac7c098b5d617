# expect: accepted
# hint: -
"""Accepted: ``flax.linen.Conv`` used directly as the top-level module.

``nn.Conv`` creates a ``kernel`` of shape ``(W, C_in, features)`` with
``lecun_normal`` and then a zero ``bias``, in that order, and calls
``conv_general_dilated`` with channels-last dimension numbers, so at the top
level it reproduces the specified layer exactly. (Wrapped inside another
module it would not: the module path, and so the PRNG keys, would change.)
"""

import flax.linen as nn
import jax


def solve(seed: float, x: jax.Array, features: int, kernel_size: int) -> jax.Array:
    """Run a freshly initialised ``nn.Conv`` on a batch of one and flatten."""
    conv = nn.Conv(features=int(features), kernel_size=(int(kernel_size),), padding="SAME")
    batch = x[None, :, :]  # (1, L, C_in): give it the batch axis explicitly
    params = conv.init(jax.random.PRNGKey(int(seed)), batch)
    return conv.apply(params, batch)[0].reshape(-1)

# expect: accepted
# hint: -
"""Accepted: explicit ``jnp.pad`` followed by a VALID convolution.

Rather than ``padding="SAME"``, pad the sequence axis by hand (the extra
zero goes on the right for even kernels, as SAME does) and let
``conv_general_dilated`` add no padding of its own. The padding argument is
written as explicit ``(low, high)`` pairs; ``[(0, 0)]`` means the same as
``"VALID"``.
"""

import flax.linen as nn
import jax
import jax.numpy as jnp


class PadThenConv(nn.Module):
    """Channels-last conv that pads explicitly instead of relying on SAME."""

    features: int
    kernel_size: int

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        kernel = self.param(
            "kernel", nn.initializers.lecun_normal(), (self.kernel_size, x.shape[-1], self.features)
        )
        bias = self.param("bias", nn.initializers.zeros, (self.features,))
        left = (self.kernel_size - 1) // 2
        right = self.kernel_size - 1 - left
        xp = jnp.pad(x, ((left, right), (0, 0)))[None]  # (1, L + K - 1, C_in)
        y = jax.lax.conv_general_dilated(
            xp, kernel, (1,), [(0, 0)], dimension_numbers=("NWC", "WIO", "NWC")
        )
        return jnp.reshape(y[0] + bias, (-1,))


def solve(seed: float, x: jax.Array, features: int, kernel_size: int) -> jax.Array:
    """Initialise from ``seed`` and return the flattened output."""
    layer = PadThenConv(int(features), int(kernel_size))
    return layer.apply(layer.init(jax.random.PRNGKey(int(seed)), x), x)

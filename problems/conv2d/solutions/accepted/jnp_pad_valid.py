# expect: accepted
# hint: -
"""Accepted: pad by hand with ``jnp.pad`` (extra zero on the bottom/right), then a VALID conv."""

import flax.linen as nn
import jax
import jax.numpy as jnp


class Conv(nn.Module):
    features: int
    kh: int
    kw: int

    @nn.compact
    def __call__(self, x):
        k = self.param("kernel", nn.initializers.lecun_normal(), (self.kh, self.kw, x.shape[-1], self.features))
        b = self.param("bias", nn.initializers.zeros, (self.features,))
        top, left = (self.kh - 1) // 2, (self.kw - 1) // 2
        xp = jnp.pad(x, ((0, 0), (top, self.kh - 1 - top), (left, self.kw - 1 - left), (0, 0)))
        y = jax.lax.conv_general_dilated(xp, k, (1, 1), "VALID", dimension_numbers=("NHWC", "HWIO", "NHWC"),
                                         precision=jax.lax.Precision.HIGHEST)
        return y + b


def solve(seed, x, features, kernel_h, kernel_w):
    m = Conv(int(features), int(kernel_h), int(kernel_w))
    return m.apply(m.init(jax.random.PRNGKey(int(seed)), x), x)

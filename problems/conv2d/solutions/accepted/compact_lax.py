# expect: accepted
# hint: -
"""Accepted: a compact linen module with explicit SAME padding pairs for conv_general_dilated."""

import flax.linen as nn
import jax


class Conv(nn.Module):
    features: int
    kh: int
    kw: int

    @nn.compact
    def __call__(self, x):
        k = self.param("kernel", nn.initializers.lecun_normal(), (self.kh, self.kw, x.shape[-1], self.features))
        b = self.param("bias", nn.initializers.zeros, (self.features,))
        pads = [((self.kh - 1) // 2, self.kh - 1 - (self.kh - 1) // 2), ((self.kw - 1) // 2, self.kw - 1 - (self.kw - 1) // 2)]
        y = jax.lax.conv_general_dilated(x, k, (1, 1), pads, dimension_numbers=("NHWC", "HWIO", "NHWC"),
                                         precision=jax.lax.Precision.HIGHEST)
        return y + b


def solve(seed, x, features, kernel_h, kernel_w):
    m = Conv(int(features), int(kernel_h), int(kernel_w))
    return m.apply(m.init(jax.random.PRNGKey(int(seed)), x), x)

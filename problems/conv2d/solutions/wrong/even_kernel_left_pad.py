# expect: wrong_answer
# hint: For an even kernel size, SAME padding puts the extra zero row/column at the bottom/right: before = (k - 1) // 2, after = k - 1 - before.
"""Wrong: hand padding with the extra zero on the top/left for even kernel sizes (k // 2 before).

Correct whenever both kernel sizes are odd.
"""

import flax.linen as nn
import jax
import jax.numpy as jnp

P = jax.lax.Precision.HIGHEST
DN = ("NHWC", "HWIO", "NHWC")


class Conv(nn.Module):
    features: int
    kh: int
    kw: int

    @nn.compact
    def __call__(self, x):
        k = self.param("kernel", nn.initializers.lecun_normal(), (self.kh, self.kw, x.shape[-1], self.features))
        b = self.param("bias", nn.initializers.zeros, (self.features,))
        pads = [(self.kh // 2, self.kh - 1 - self.kh // 2), (self.kw // 2, self.kw - 1 - self.kw // 2)]
        return jax.lax.conv_general_dilated(x, k, (1, 1), pads, dimension_numbers=DN, precision=P) + b


def solve(seed, x, features, kernel_h, kernel_w):
    m = Conv(int(features), int(kernel_h), int(kernel_w))
    return m.apply(m.init(jax.random.PRNGKey(int(seed)), x), x)

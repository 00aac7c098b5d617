# expect: wrong_answer
# hint: Use padding="SAME" so the output keeps the input height and width; "VALID" shrinks them by kernel size - 1.
"""Wrong: VALID padding; right only for 1x1 kernels."""

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
        return jax.lax.conv_general_dilated(x, k, (1, 1), "VALID", dimension_numbers=DN, precision=P) + b


def solve(seed, x, features, kernel_h, kernel_w):
    m = Conv(int(features), int(kernel_h), int(kernel_w))
    return m.apply(m.init(jax.random.PRNGKey(int(seed)), x), x)

# expect: wrong_answer
# hint: Create the kernel param before the bias param: Flax derives each param key from the order of self.param calls, so swapping them changes the kernel values.
"""Wrong: bias created first, so the kernel gets the second key."""

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
        b = self.param("bias", nn.initializers.zeros, (self.features,))
        k = self.param("kernel", nn.initializers.lecun_normal(), (self.kh, self.kw, x.shape[-1], self.features))
        return jax.lax.conv_general_dilated(x, k, (1, 1), "SAME", dimension_numbers=DN, precision=P) + b


def solve(seed, x, features, kernel_h, kernel_w):
    m = Conv(int(features), int(kernel_h), int(kernel_w))
    return m.apply(m.init(jax.random.PRNGKey(int(seed)), x), x)

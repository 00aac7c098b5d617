# expect: wrong_answer
# hint: The kernel shape starts with (kernel_h, kernel_w): height first, then width. Creating it as (kernel_w, kernel_h, ...) and swapping the axes afterwards draws different random weights.
"""Wrong: kernel created as (kw, kh, I, O), then its two spatial axes swapped.

Shapes line up, so nothing errors; identical to the reference only when kernel_h == kernel_w.
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
        k = self.param("kernel", nn.initializers.lecun_normal(), (self.kw, self.kh, x.shape[-1], self.features))
        b = self.param("bias", nn.initializers.zeros, (self.features,))
        k = jnp.swapaxes(k, 0, 1)
        return jax.lax.conv_general_dilated(x, k, (1, 1), "SAME", dimension_numbers=DN, precision=P) + b


def solve(seed, x, features, kernel_h, kernel_w):
    m = Conv(int(features), int(kernel_h), int(kernel_w))
    return m.apply(m.init(jax.random.PRNGKey(int(seed)), x), x)

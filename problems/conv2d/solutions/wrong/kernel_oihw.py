# expect: wrong_answer
# hint: Create the kernel directly as HWIO, (kernel_h, kernel_w, C_in, features); creating it in PyTorch OIHW layout and transposing gives different random weights (the initializer draws for the shape you ask for).
"""Wrong: kernel created as PyTorch's (O, I, H, W) and transposed to HWIO before use."""

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
        k = self.param("kernel", nn.initializers.lecun_normal(), (self.features, x.shape[-1], self.kh, self.kw))
        b = self.param("bias", nn.initializers.zeros, (self.features,))
        k = jnp.transpose(k, (2, 3, 1, 0))
        return jax.lax.conv_general_dilated(x, k, (1, 1), "SAME", dimension_numbers=DN, precision=P) + b


def solve(seed, x, features, kernel_h, kernel_w):
    m = Conv(int(features), int(kernel_h), int(kernel_w))
    return m.apply(m.init(jax.random.PRNGKey(int(seed)), x), x)

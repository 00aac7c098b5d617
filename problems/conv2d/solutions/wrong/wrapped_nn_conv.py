# expect: wrong_answer
# hint: Nesting the layer inside another module changes its parameter path and so its random initial weights; make the conv the top-level module.
"""Wrong: nn.Conv as a submodule: the kernel lives at Conv_0/kernel and gets another key."""

import flax.linen as nn
import jax
import jax.numpy as jnp

P = jax.lax.Precision.HIGHEST
DN = ("NHWC", "HWIO", "NHWC")


class Net(nn.Module):
    features: int
    kh: int
    kw: int

    @nn.compact
    def __call__(self, x):
        return nn.Conv(self.features, (self.kh, self.kw), padding="SAME", precision=P)(x)


def solve(seed, x, features, kernel_h, kernel_w):
    m = Net(int(features), int(kernel_h), int(kernel_w))
    return m.apply(m.init(jax.random.PRNGKey(int(seed)), x), x)

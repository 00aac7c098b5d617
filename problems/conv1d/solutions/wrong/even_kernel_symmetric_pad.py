# expect: wrong_answer
# hint: For an even kernel_size, SAME padding puts the extra zero on the right: left = (K - 1) // 2, right = K - 1 - left.
"""Wrong: hand-written padding with the extra zero on the LEFT for even kernels.

``left = K // 2`` equals ``(K - 1) // 2`` for odd K, so this is correct for odd
kernel sizes and off by one position for even ones.
"""

import flax.linen as nn
import jax
import jax.numpy as jnp


class Conv1D(nn.Module):
    features: int
    kernel_size: int

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        kernel = self.param(
            "kernel", nn.initializers.lecun_normal(), (self.kernel_size, x.shape[-1], self.features)
        )
        bias = self.param("bias", nn.initializers.zeros, (self.features,))
        left = self.kernel_size // 2  # should be (kernel_size - 1) // 2
        right = self.kernel_size - 1 - left
        xp = jnp.pad(x, ((left, right), (0, 0)))
        y = jax.lax.conv_general_dilated(
            xp[None], kernel, (1,), "VALID", dimension_numbers=("NWC", "WIO", "NWC")
        )
        return y[0] + bias


def solve(seed: float, x: jax.Array, features: int, kernel_size: int) -> jax.Array:
    model = Conv1D(int(features), int(kernel_size))
    return model.apply(model.init(jax.random.PRNGKey(int(seed)), x), x).reshape(-1)

# expect: wrong_answer
# hint: Initialise the kernel with nn.initializers.lecun_normal() as specified; a different initializer gives different weights even with the same key.
"""Wrong: kernel initialised with ``nn.initializers.normal(0.02)`` (a common default elsewhere)."""

import flax.linen as nn
import jax


class Conv1D(nn.Module):
    features: int
    kernel_size: int

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        kernel = self.param(
            "kernel", nn.initializers.normal(0.02), (self.kernel_size, x.shape[-1], self.features)
        )
        bias = self.param("bias", nn.initializers.zeros, (self.features,))
        y = jax.lax.conv_general_dilated(
            x[None], kernel, (1,), "SAME", dimension_numbers=("NWC", "WIO", "NWC")
        )
        return y[0] + bias


def solve(seed: float, x: jax.Array, features: int, kernel_size: int) -> jax.Array:
    model = Conv1D(int(features), int(kernel_size))
    return model.apply(model.init(jax.random.PRNGKey(int(seed)), x), x).reshape(-1)

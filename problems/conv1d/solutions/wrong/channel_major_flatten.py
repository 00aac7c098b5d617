# expect: wrong_answer
# hint: Flatten the (L, features) output in row-major order with y.reshape(-1); transposing to (features, L) first puts the values in the wrong order.
"""Wrong: transposes to channels-first (PyTorch habit) before flattening.

Right length, right values, wrong order; only invisible when L == 1 or
features == 1.
"""

import flax.linen as nn
import jax


class Conv1D(nn.Module):
    features: int
    kernel_size: int

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        kernel = self.param(
            "kernel", nn.initializers.lecun_normal(), (self.kernel_size, x.shape[-1], self.features)
        )
        bias = self.param("bias", nn.initializers.zeros, (self.features,))
        y = jax.lax.conv_general_dilated(
            x[None], kernel, (1,), "SAME", dimension_numbers=("NWC", "WIO", "NWC")
        )
        return y[0] + bias


def solve(seed: float, x: jax.Array, features: int, kernel_size: int) -> jax.Array:
    model = Conv1D(int(features), int(kernel_size))
    y = model.apply(model.init(jax.random.PRNGKey(int(seed)), x), x)
    return y.T.reshape(-1)  # (features, L) order, as a PyTorch NCW tensor would flatten

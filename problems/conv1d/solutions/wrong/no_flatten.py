# expect: wrong_answer
# hint: Return the output flattened to 1-D with .reshape(-1) (length L * features), not the 2-D (L, features) array.
"""Wrong: the values are right but the result is returned as ``(L, features)``.

The judge checks shapes before values, so this is rejected on every case.
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
    return model.apply(model.init(jax.random.PRNGKey(int(seed)), x), x)  # forgot .reshape(-1)

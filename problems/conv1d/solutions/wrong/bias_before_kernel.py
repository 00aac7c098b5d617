# expect: wrong_answer
# hint: Create the kernel param before the bias param: Flax derives each param's random key from the order of self.param calls, so swapping them changes the kernel's initial values.
"""Wrong: ``bias`` is created before ``kernel``.

Flax linen hands out parameter keys by module path and call order, not by
name, so the kernel now gets the key meant for the second parameter.
"""

import flax.linen as nn
import jax


class Conv1D(nn.Module):
    features: int
    kernel_size: int

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        bias = self.param("bias", nn.initializers.zeros, (self.features,))
        kernel = self.param(
            "kernel", nn.initializers.lecun_normal(), (self.kernel_size, x.shape[-1], self.features)
        )
        y = jax.lax.conv_general_dilated(
            x[None], kernel, (1,), "SAME", dimension_numbers=("NWC", "WIO", "NWC")
        )
        return y[0] + bias


def solve(seed: float, x: jax.Array, features: int, kernel_size: int) -> jax.Array:
    model = Conv1D(int(features), int(kernel_size))
    return model.apply(model.init(jax.random.PRNGKey(int(seed)), x), x).reshape(-1)

# expect: wrong_answer
# hint: Use padding="SAME" so the output keeps the input length L; with "VALID" it shrinks by kernel_size - 1.
"""Wrong: VALID padding, so the output has ``L - K + 1`` rows (or none when K > L).

Identical to the reference only when kernel_size is 1.
"""

import flax.linen as nn
import jax


class ValidConv1D(nn.Module):
    features: int
    kernel_size: int

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        kernel = self.param(
            "kernel", nn.initializers.lecun_normal(), (self.kernel_size, x.shape[-1], self.features)
        )
        bias = self.param("bias", nn.initializers.zeros, (self.features,))
        y = jax.lax.conv_general_dilated(
            x[None],
            kernel,
            window_strides=(1,),
            padding="VALID",
            dimension_numbers=("NWC", "WIO", "NWC"),
        )
        return y[0] + bias


def solve(seed: float, x: jax.Array, features: int, kernel_size: int) -> jax.Array:
    model = ValidConv1D(int(features), int(kernel_size))
    return model.apply(model.init(jax.random.PRNGKey(int(seed)), x), x).reshape(-1)

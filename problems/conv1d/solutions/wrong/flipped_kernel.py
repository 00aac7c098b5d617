# expect: wrong_answer
# hint: Neural-network "convolution" is a cross-correlation: do not reverse the kernel along its width axis (that is what jnp.convolve does).
"""Wrong: true mathematical convolution (kernel reversed along W).

Matches the reference only when the flip is invisible: kernel_size 1, or a
sequence so short that only the centre tap of an odd kernel ever touches data.
"""

import flax.linen as nn
import jax


class FlippedConv1D(nn.Module):
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
            kernel[::-1],  # "convolution means flip the kernel", as in a signals textbook
            window_strides=(1,),
            padding="SAME",
            dimension_numbers=("NWC", "WIO", "NWC"),
        )
        return y[0] + bias


def solve(seed: float, x: jax.Array, features: int, kernel_size: int) -> jax.Array:
    model = FlippedConv1D(int(features), int(kernel_size))
    return model.apply(model.init(jax.random.PRNGKey(int(seed)), x), x).reshape(-1)

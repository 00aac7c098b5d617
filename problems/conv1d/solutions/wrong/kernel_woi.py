# expect: wrong_answer
# hint: The kernel must be created with shape (kernel_size, C_in, features), i.e. WIO; creating it as (W, O, I) and transposing afterwards gives different random weights.
"""Wrong: kernel created in (W, O, I) layout and transposed before use.

The shapes line up after the transpose so nothing errors, but the initializer
drew the numbers for a different shape (and lecun_normal's fan-in, read from
the second-to-last axis, is now ``features`` instead of ``C_in``), so the
weights differ from the specified ones. Only indistinguishable when
``C_in == features == 1``.
"""

import flax.linen as nn
import jax
import jax.numpy as jnp


class WOIConv1D(nn.Module):
    features: int
    kernel_size: int

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        kernel = self.param(
            "kernel", nn.initializers.lecun_normal(), (self.kernel_size, self.features, x.shape[-1])
        )
        bias = self.param("bias", nn.initializers.zeros, (self.features,))
        y = jax.lax.conv_general_dilated(
            x[None],
            jnp.transpose(kernel, (0, 2, 1)),  # (W, O, I) -> (W, I, O)
            window_strides=(1,),
            padding="SAME",
            dimension_numbers=("NWC", "WIO", "NWC"),
        )
        return y[0] + bias


def solve(seed: float, x: jax.Array, features: int, kernel_size: int) -> jax.Array:
    model = WOIConv1D(int(features), int(kernel_size))
    return model.apply(model.init(jax.random.PRNGKey(int(seed)), x), x).reshape(-1)

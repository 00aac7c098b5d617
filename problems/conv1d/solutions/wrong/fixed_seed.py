# expect: wrong_answer
# hint: Initialise with jax.random.PRNGKey(int(seed)) using the seed you are given, not a hard-coded key.
"""Wrong: ignores ``seed`` and always initialises with ``PRNGKey(0)``.

Passes any case whose seed is 0, fails the others.
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
    key = jax.random.PRNGKey(0)  # copied from a tutorial; the seed argument is never used
    return model.apply(model.init(key, x), x).reshape(-1)

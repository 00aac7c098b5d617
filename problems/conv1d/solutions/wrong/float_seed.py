# expect: runtime_error
# hint: The seed arrives as a float; cast it with int(seed) before calling jax.random.PRNGKey, which rejects floats.
"""Wrong: passes the float seed straight to ``jax.random.PRNGKey`` (TypeError)."""

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
    params = model.init(jax.random.PRNGKey(seed), x)  # seed is e.g. 0.0, not 0
    return model.apply(params, x).reshape(-1)

"""Dave's Conv1D: submitted in a hurry."""

import jax
import flax.linen as nn


class Conv1D(nn.Module):
    features: int
    kernel_size: int

    @nn.compact
    def __call__(self, x):
        kernel = self.param("kernel", nn.initializers.lecun_normal(),
                            (self.kernel_size, x.shape[-1], self.features)
        bias = self.param("bias", nn.initializers.zeros, (self.features,))
        y = jax.lax.conv_general_dilated(x[None, ...], kernel, (1,), "SAME",
                                         dimension_numbers=("NWC", "WIO", "NWC"))
        return y[0] + bias


def solve(seed, x, features, kernel_size)
    model = Conv1D(int(features), int(kernel_size))
    params = model.init(jax.random.PRNGKey(int(seed)), x)
    return model.apply(params, x).reshape(-1)

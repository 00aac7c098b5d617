"""Carol's Conv1D: she is used to PyTorch's (out, in, width) weight layout."""

import jax
import flax.linen as nn


class Conv1D(nn.Module):
    features: int
    kernel_size: int

    @nn.compact
    def __call__(self, x):
        # PyTorch stores Conv1d weights as (O, I, W); tell JAX the kernel is "OIW".
        kernel = self.param("kernel", nn.initializers.lecun_normal(),
                            (self.features, x.shape[-1], self.kernel_size))
        bias = self.param("bias", nn.initializers.zeros, (self.features,))
        y = jax.lax.conv_general_dilated(x[None, ...], kernel, (1,), "SAME",
                                         dimension_numbers=("NWC", "OIW", "NWC"))
        return y[0] + bias


def solve(seed, x, features, kernel_size):
    model = Conv1D(int(features), int(kernel_size))
    params = model.init(jax.random.PRNGKey(int(seed)), x)
    return model.apply(params, x).reshape(-1)

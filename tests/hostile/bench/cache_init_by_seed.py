# expect: accepted
# ranking: cache the initialised weights by (seed, features, kernel_size, C_in) and skip init on a hit; a hit (which only a judge that repeats the seed gives) raises, so the run is ranked only if every timed call has a new seed

import flax.linen as nn
import jax
import numpy as np


class _Conv1D(nn.Module):
    """The reference's layer: kernel first, bias second, SAME padding, stride 1."""

    features: int
    kernel_size: int

    @nn.compact
    def __call__(self, x):
        kernel = self.param("kernel", nn.initializers.lecun_normal(), (self.kernel_size, x.shape[-1], self.features))
        bias = self.param("bias", nn.initializers.zeros, (self.features,))
        y = jax.lax.conv_general_dilated(
            x[None], kernel, (1,), "SAME", dimension_numbers=("NWC", "WIO", "NWC"),
            precision=jax.lax.Precision.HIGHEST,
        )
        return y[0] + bias


def correct(seed, x, features, kernel_size):
    module = _Conv1D(int(features), int(kernel_size))
    return np.asarray(module.apply(module.init(jax.random.PRNGKey(int(seed)), x), x).reshape(-1))


def wrong(x, features):
    return np.full(x.shape[0] * int(features), 12345.0, dtype=np.float32)


INIT = {}


def solve(seed, x, features, kernel_size):
    key = (int(seed), int(features), int(kernel_size), int(x.shape[1]))
    if key in INIT:
        raise RuntimeError("cache hit: the judge repeated the weights' seed")
    INIT[key] = True
    return correct(seed, x, features, kernel_size)

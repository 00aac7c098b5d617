# expect: accepted
# ranking: the timed calls must come in a fresh worker that never saw a graded (possibly hidden) case: if a timed call comes to a process that already answered the public worked example, raise (the ranking time could carry what it saw)

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


SEEN_WORKED_EXAMPLE = [False]
CALLS = [0]
GRADED = 4


def solve(seed, x, features, kernel_size):
    CALLS[0] += 1
    if tuple(x.shape) == (4, 1):
        SEEN_WORKED_EXAMPLE[0] = True
    if CALLS[0] > GRADED and SEEN_WORKED_EXAMPLE[0]:
        raise RuntimeError("a timed call in the process that graded the cases")
    return correct(seed, x, features, kernel_size)

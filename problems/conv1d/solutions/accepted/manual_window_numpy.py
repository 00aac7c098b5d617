# expect: accepted
# hint: -
"""Accepted: Flax only creates the parameters; the convolution is done by hand in NumPy.

This also checks that chatty ``print`` output on stdout does not disturb grading
and that a NumPy array is an acceptable return value.

SAME padding for a stride-1 conv pads ``K - 1`` zeros in total, ``(K - 1) // 2``
on the left and the rest (one more, when ``K`` is even) on the right. The
output is a cross-correlation: ``y[t, o] = sum_k sum_c xp[t + k, c] * w[k, c, o]``.
"""

import flax.linen as nn
import jax
import numpy as np


class ParamsOnly(nn.Module):
    """Creates the layer's parameters in the specified order and returns them."""

    features: int
    kernel_size: int

    @nn.compact
    def __call__(self, x: jax.Array) -> tuple[jax.Array, jax.Array]:
        kernel = self.param(
            "kernel", nn.initializers.lecun_normal(), (self.kernel_size, x.shape[-1], self.features)
        )
        bias = self.param("bias", nn.initializers.zeros, (self.features,))
        return kernel, bias


def solve(seed: float, x: jax.Array, features: int, kernel_size: int) -> np.ndarray:
    """Initialise the parameters with Flax, then correlate with explicit padding in NumPy."""
    k = int(kernel_size)
    module = ParamsOnly(features=int(features), kernel_size=k)
    kernel, bias = module.apply(module.init(jax.random.PRNGKey(int(seed)), x), x)
    w = np.asarray(kernel, dtype=np.float32)
    b = np.asarray(bias, dtype=np.float32)
    xs = np.asarray(x, dtype=np.float32)
    length = xs.shape[0]
    print(f"[debug] x {xs.shape}, kernel {w.shape}, bias {b.shape}")

    left = (k - 1) // 2
    right = k - 1 - left
    xp = np.pad(xs, ((left, right), (0, 0)))
    print(f"[debug] padding left={left} right={right} -> padded {xp.shape}")

    y = np.zeros((length, w.shape[-1]), dtype=np.float32)
    for tap in range(k):
        # Each tap sees the padded input shifted by `tap` positions.
        y += np.einsum("lc,co->lo", xp[tap : tap + length], w[tap])
    y += b
    print(f"[debug] output {y.shape}, first values {y.ravel()[:4]}")
    return y.reshape(-1)

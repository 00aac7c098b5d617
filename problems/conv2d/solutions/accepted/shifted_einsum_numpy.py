# expect: accepted
# hint: -
"""Accepted: Flax only creates the parameters; the convolution is a sum of shifted einsums in NumPy."""

import flax.linen as nn
import jax
import numpy as np


class Params(nn.Module):
    features: int
    kh: int
    kw: int

    @nn.compact
    def __call__(self, x):
        k = self.param("kernel", nn.initializers.lecun_normal(), (self.kh, self.kw, x.shape[-1], self.features))
        b = self.param("bias", nn.initializers.zeros, (self.features,))
        return k, b


def solve(seed, x, features, kernel_h, kernel_w):
    m = Params(int(features), int(kernel_h), int(kernel_w))
    k, b = m.apply(m.init(jax.random.PRNGKey(int(seed)), x), x)
    k, x = np.asarray(k, np.float64), np.asarray(x, np.float64)
    n, h, w, _ = x.shape
    top, left = (kernel_h - 1) // 2, (kernel_w - 1) // 2
    xp = np.pad(x, ((0, 0), (top, kernel_h - 1 - top), (left, kernel_w - 1 - left), (0, 0)))
    y = np.zeros((n, h, w, features))
    for i in range(kernel_h):
        for j in range(kernel_w):
            y += np.einsum("nhwc,cf->nhwf", xp[:, i:i + h, j:j + w, :], k[i, j])
    return (y + np.asarray(b)).astype(np.float32)

# expect: accepted
# hint: -
"""Accepted: the mask from ``uniform(key) < 1 - rate`` (what ``bernoulli`` does), jitted; y in NumPy
float64, returned with the mask as NumPy arrays."""

import flax.linen as nn
import jax
import numpy as np


class Mask(nn.Module):
    rate: float

    @nn.compact
    def __call__(self, x):
        return jax.random.uniform(self.make_rng("dropout"), x.shape) < 1.0 - self.rate


def solve(seed, x, rate):
    mask_fn = jax.jit(lambda key, x: Mask(rate).apply({}, x, rngs={"dropout": key}))
    kept = np.asarray(mask_fn(jax.random.PRNGKey(int(seed)), x))
    y = np.where(kept, np.asarray(x, np.float64) / (1.0 - rate), 0.0)
    return y, kept

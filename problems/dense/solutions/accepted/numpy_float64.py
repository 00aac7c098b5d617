# expect: accepted
# hint: -
"""Accepted: Flax only draws the parameters; the product is computed in NumPy float64.

``init`` runs the module once, so it needs an input of the right width; the parameters are then
read out of the returned dictionary and the layer is evaluated in double precision. This shows
the tolerance leaves room for a more accurate answer than the float32 reference.
"""

import flax.linen as nn
import jax
import numpy as np


class Params(nn.Module):
    """Creates the kernel, then the bias; returns nothing useful."""

    features: int

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        self.param("kernel", nn.initializers.lecun_normal(), (x.shape[-1], self.features))
        self.param("bias", nn.initializers.normal(stddev=0.1), (self.features,))
        return x


def solve(seed: float, x: jax.Array, features: int) -> np.ndarray:
    """Draw the parameters with Flax, evaluate x @ kernel + bias in float64."""
    params = Params(int(features)).init(jax.random.PRNGKey(int(seed)), x)["params"]
    kernel = np.asarray(params["kernel"], dtype=np.float64)
    bias = np.asarray(params["bias"], dtype=np.float64)
    y = np.asarray(x, dtype=np.float64) @ kernel + bias
    return y.astype(np.float32)

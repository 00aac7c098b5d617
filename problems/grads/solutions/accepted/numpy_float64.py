# expect: accepted
# hint: -
"""Accepted: params from Flax, then forward and backward in NumPy float64 (returned as float64)."""

import flax.linen as nn
import jax
import numpy as np


class TwoLayer(nn.Module):
    hidden: int
    out: int

    @nn.compact
    def __call__(self, x):
        x = nn.Dense(self.hidden)(x)
        x = nn.relu(x)
        return nn.Dense(self.out)(x)


def solve(seed, x, y, hidden_size):
    params = TwoLayer(hidden_size, y.shape[1]).init(jax.random.PRNGKey(int(seed)), x)["params"]
    p = {layer: {name: np.asarray(v, np.float64) for name, v in leaves.items()} for layer, leaves in params.items()}
    x = np.asarray(x, np.float64)
    y = np.asarray(y, np.float64)
    z = x @ p["Dense_0"]["kernel"] + p["Dense_0"]["bias"]
    h = np.where(z > 0, z, 0.0)
    err = h @ p["Dense_1"]["kernel"] + p["Dense_1"]["bias"] - y
    g = 2 * err / err.size
    gz = (g @ p["Dense_1"]["kernel"].T) * (z > 0)
    grads = {
        "Dense_1": {"kernel": h.T @ g, "bias": g.sum(0)},
        "Dense_0": {"kernel": x.T @ gz, "bias": gz.sum(0)},
    }
    return {"loss": np.float64((err**2).mean()), "grads": grads}

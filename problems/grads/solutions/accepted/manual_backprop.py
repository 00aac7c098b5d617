# expect: accepted
# hint: -
"""Accepted: the backward pass written out by hand; Flax is only used to create the params."""

import flax.linen as nn
import jax
import jax.numpy as jnp


class MLP(nn.Module):
    hidden: int
    out: int

    @nn.compact
    def __call__(self, x):
        h = nn.relu(nn.Dense(self.hidden)(x))
        return nn.Dense(self.out)(h)


def solve(seed, x, y, hidden_size):
    params = MLP(hidden_size, y.shape[-1]).init(jax.random.PRNGKey(int(seed)), x)["params"]
    w1, b1 = params["Dense_0"]["kernel"], params["Dense_0"]["bias"]
    w2, b2 = params["Dense_1"]["kernel"], params["Dense_1"]["bias"]
    # forward
    z = x @ w1 + b1
    h = jnp.maximum(z, 0.0)
    pred = h @ w2 + b2
    diff = pred - y
    loss = jnp.mean(diff**2)
    # backward: d loss / d pred = 2 * diff / (number of elements)
    d_pred = 2.0 * diff / diff.size
    d_w2 = h.T @ d_pred
    d_b2 = d_pred.sum(axis=0)
    d_h = d_pred @ w2.T
    d_z = d_h * (z > 0)  # ReLU passes the gradient only where it was active
    d_w1 = x.T @ d_z
    d_b1 = d_z.sum(axis=0)
    return {
        "loss": loss,
        "grads": {"Dense_0": {"kernel": d_w1, "bias": d_b1}, "Dense_1": {"kernel": d_w2, "bias": d_b2}},
    }

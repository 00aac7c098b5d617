# expect: wrong_answer
# hint: In the backward pass the gradient flows through the ReLU only where its input was positive: multiply by (z > 0) before the first layer's gradients.
"""Wrong: a hand-written backward pass that forgets the ReLU's derivative.

The loss and the second layer's gradients are right; the first layer's are not."""

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
    z = x @ w1 + b1
    h = jnp.maximum(z, 0.0)
    diff = h @ w2 + b2 - y
    d_pred = 2.0 * diff / diff.size
    d_z = d_pred @ w2.T  # missing: * (z > 0)
    return {
        "loss": jnp.mean(diff**2),
        "grads": {"Dense_0": {"kernel": x.T @ d_z, "bias": d_z.sum(0)},
                  "Dense_1": {"kernel": h.T @ d_pred, "bias": d_pred.sum(0)}},
    }

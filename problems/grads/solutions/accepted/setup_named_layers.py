# expect: accepted
# hint: -
"""Accepted: a ``setup``-style module whose layer attributes are called ``Dense_0`` and ``Dense_1``.

A submodule's name, and with it its parameters' path and PRNG key, comes from the attribute it
is assigned to in ``setup``; naming the attributes like Flax's automatic names reproduces the
compact model exactly. ``jax.grad(..., has_aux=True)`` carries the loss out alongside.
"""

import flax.linen as nn
import jax
import jax.numpy as jnp


class MLP(nn.Module):
    hidden: int
    out: int

    def setup(self):
        self.Dense_0 = nn.Dense(self.hidden)
        self.Dense_1 = nn.Dense(self.out)

    def __call__(self, x):
        return self.Dense_1(jax.nn.relu(self.Dense_0(x)))


def solve(seed, x, y, hidden_size):
    model = MLP(hidden=hidden_size, out=y.shape[1])
    params = model.init(jax.random.PRNGKey(int(seed)), x)["params"]

    def loss_and_loss(p):
        loss = jnp.mean(jnp.square(model.apply({"params": p}, x) - y))
        return loss, loss

    grads, loss = jax.grad(loss_and_loss, has_aux=True)(params)
    return {"grads": grads, "loss": loss}

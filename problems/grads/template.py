"""Starter code for "Gradients of an MLP's loss with respect to its parameters" (see statement.md).

As given it runs but returns a zero loss and zero gradients, so every case is a wrong answer.
"""

import flax.linen as nn
import jax
import jax.numpy as jnp


class MLP(nn.Module):
    hidden: int
    out: int

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        h = nn.relu(nn.Dense(self.hidden)(x))  # Dense_0: construct the hidden layer first
        return nn.Dense(self.out)(h)  # Dense_1: no activation on the output


def solve(seed: float, x: jax.Array, y: jax.Array, hidden_size: int) -> dict:
    """Return {"loss": mean squared error, "grads": d loss / d params (shaped like the params)}."""
    model = MLP(hidden=hidden_size, out=y.shape[-1])
    params = model.init(jax.random.PRNGKey(int(seed)), x)["params"]
    # 1. write loss_fn(params) -> jnp.mean((model.apply({"params": params}, x) - y) ** 2)
    # 2. loss, grads = jax.value_and_grad(loss_fn)(params)
    loss = jnp.zeros(())  # replace this
    grads = jax.tree_util.tree_map(jnp.zeros_like, params)  # and this
    return {"loss": loss, "grads": grads}

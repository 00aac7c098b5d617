# expect: accepted
# hint: -
"""Accepted: ``jax.vjp`` of the loss, the whole step jitted; the loss is returned as a 0-d array."""

from functools import partial

import flax.linen as nn
import jax
import jax.numpy as jnp


class MLP(nn.Module):
    hidden: int
    out: int

    @nn.compact
    def __call__(self, x):
        h = nn.Dense(self.hidden, name=None)(x)
        return nn.Dense(self.out)(jax.nn.relu(h))


@partial(jax.jit, static_argnums=(0,))
def step(model, params, x, y):
    def loss_fn(p):
        return ((model.apply({"params": p}, x) - y) ** 2).mean()

    loss, pullback = jax.vjp(loss_fn, params)
    (grads,) = pullback(jnp.ones_like(loss))
    return loss, grads


def solve(seed, x, y, hidden_size):
    model = MLP(hidden=int(hidden_size), out=int(y.shape[-1]))
    params = jax.jit(model.init)(jax.random.PRNGKey(int(seed)), x)["params"]
    loss, grads = step(model, params, x, y)
    return {"loss": loss, "grads": grads}

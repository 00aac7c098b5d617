"""Trusted reference for ``grads``: the loss of a two-layer MLP and its gradient w.r.t. the params.

The model is a compact linen module at the top level: ``nn.Dense(hidden_size)``, ReLU,
``nn.Dense(out)``, whose layers are therefore named ``Dense_0`` and ``Dense_1`` and initialised
with Flax's defaults (``lecun_normal`` kernels, zero biases) from ``PRNGKey(int(seed))``. The
loss is the mean squared error over every element of the prediction. Matmuls are pinned to
full float32 precision (GPUs could otherwise use TF32).

Example:
    >>> import jax.numpy as jnp
    >>> out = solve(0.0, jnp.ones((3, 2)), jnp.zeros((3, 1)), 4)
    >>> sorted(out), sorted(out["grads"]), out["grads"]["Dense_0"]["kernel"].shape
    (['grads', 'loss'], ['Dense_0', 'Dense_1'], (2, 4))
"""

from functools import partial
from typing import Any

import flax.linen as nn
import jax
import jax.numpy as jnp

__all__ = ["MLP", "solve"]


class MLP(nn.Module):
    """Dense -> ReLU -> Dense; the layers get the automatic names Dense_0 and Dense_1."""

    hidden: int
    out: int

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        h = nn.relu(nn.Dense(self.hidden, precision=jax.lax.Precision.HIGHEST)(x))
        return nn.Dense(self.out, precision=jax.lax.Precision.HIGHEST)(h)


def solve(seed: float, x: jax.Array, y: jax.Array, hidden_size: int) -> dict[str, Any]:
    """Initialise the MLP from ``seed``; return the MSE loss on ``(x, y)`` and its gradient.

    Returns:
        ``{"loss": scalar, "grads": {"Dense_0": {"kernel", "bias"}, "Dense_1": {"kernel", "bias"}}}``.
    """
    x = jnp.asarray(x, jnp.float32)
    y = jnp.asarray(y, jnp.float32)
    model = MLP(hidden=int(hidden_size), out=y.shape[-1])
    return _loss_and_grads(model, jax.random.PRNGKey(int(seed)), x, y)


@partial(jax.jit, static_argnums=0)
def _loss_and_grads(model: MLP, key: jax.Array, x: jax.Array, y: jax.Array) -> dict[str, Any]:
    # One compiled program per case instead of dozens of eagerly compiled operations: the
    # reference must stay well inside the case time limit on a loaded machine.
    params = model.init(key, x)["params"]

    def loss_fn(p: Any) -> jax.Array:
        prediction = model.apply({"params": p}, x)
        return jnp.mean((prediction - y) ** 2)

    loss, grads = jax.value_and_grad(loss_fn)(params)
    return {"loss": loss, "grads": grads}

# expect: accepted
# hint: -
"""Accepted: parameters declared in ``setup()`` and a jitted forward pass.

``setup`` cannot see the input, so ``in_features`` is a module attribute. The keys are the same
as in the compact version: the module path (top level) and the order of the ``self.param``
calls (kernel, then bias) are unchanged.
"""

from functools import partial

import flax.linen as nn
import jax
import jax.numpy as jnp


class SetupDense(nn.Module):
    """A dense layer whose parameters are created eagerly in ``setup``."""

    in_features: int
    features: int

    def setup(self) -> None:
        self.w = self.param("kernel", nn.initializers.lecun_normal(), (self.in_features, self.features))
        self.b = self.param("bias", nn.initializers.normal(stddev=0.1), (self.features,))

    def __call__(self, x: jnp.ndarray) -> jnp.ndarray:
        return x @ self.w + self.b


@partial(jax.jit, static_argnums=0)
def _forward(model: SetupDense, variables: dict, x: jnp.ndarray) -> jnp.ndarray:
    return model.apply(variables, x)


def solve(seed: float, x: jnp.ndarray, features: int) -> jnp.ndarray:
    """Build the module for ``x``'s width, init it, run the jitted forward pass."""
    model = SetupDense(in_features=int(x.shape[1]), features=int(features))
    variables = model.init(jax.random.PRNGKey(int(seed)), x)
    return _forward(model, variables, x)

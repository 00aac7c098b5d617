# expect: accepted
# hint: -
"""Accepted: a compact module that contracts with ``jnp.einsum``.

``"nd,df->nf"`` names the contraction explicitly: the input's last axis ``d`` meets the
kernel's first axis. The initialiser is written out as the variance-scaling rule that
``lecun_normal`` abbreviates.
"""

import flax.linen as nn
import jax
import jax.numpy as jnp

LECUN = nn.initializers.variance_scaling(1.0, "fan_in", "truncated_normal")


class Linear(nn.Module):
    """y[n, f] = sum_d x[n, d] * kernel[d, f] + bias[f]."""

    features: int

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        kernel = self.param("kernel", LECUN, (x.shape[-1], self.features))
        bias = self.param("bias", nn.initializers.normal(0.1), (self.features,))
        return jnp.einsum("nd,df->nf", x, kernel) + bias[None, :]


def solve(seed: float, x: jax.Array, features: int) -> jax.Array:
    """Init from ``PRNGKey(int(seed))`` and apply."""
    model = Linear(int(features))
    variables = model.init(jax.random.PRNGKey(int(seed)), x)
    return model.apply(variables, x)

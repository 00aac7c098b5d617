"""Trusted reference solution for the ``dense`` problem.

A fully connected layer written with Flax linen: ``y = x @ kernel + bias`` with the kernel drawn
by ``lecun_normal`` and the bias by ``normal(stddev=0.1)``.

The parameter creation order matters: Flax derives each parameter's PRNG key from the module
path and the order of ``self.param`` calls, so ``kernel`` is created first and ``bias`` second,
and the module is used at the top level (not nested inside another module).

Example:
    >>> import jax.numpy as jnp
    >>> solve(0.0, jnp.ones((2, 3)), features=4).shape
    (2, 4)
"""

import flax.linen as nn
import jax
import jax.numpy as jnp

__all__ = ["Dense", "solve"]

BIAS_STD = 0.1


class Dense(nn.Module):
    """``x @ kernel + bias`` for an input of shape ``(N, D_in)``.

    Attributes:
        features: number of output features.
    """

    features: int

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        """Apply the layer; the kernel's first axis is the input's last."""
        # Kernel first, bias second: the order fixes which PRNG key each one gets.
        kernel = self.param("kernel", nn.initializers.lecun_normal(), (x.shape[-1], self.features))
        bias = self.param("bias", nn.initializers.normal(stddev=BIAS_STD), (self.features,))
        # Pin full float32 precision: on GPUs the default may use TF32.
        return jnp.dot(x, kernel, precision=jax.lax.Precision.HIGHEST) + bias


def solve(seed: float, x: jax.Array, features: int) -> jax.Array:
    """Initialise ``Dense`` from ``seed`` and return its output on ``x``.

    Args:
        seed: PRNG seed, given as a float; it is cast to ``int``.
        x: input of shape ``(N, D_in)``, float32.
        features: number of output features.

    Returns:
        A float32 array of shape ``(N, features)``.
    """
    module = Dense(features=int(features))
    x = jnp.asarray(x, dtype=jnp.float32)
    params = module.init(jax.random.PRNGKey(int(seed)), x)
    return module.apply(params, x)

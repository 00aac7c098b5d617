"""Trusted reference solution for the ``conv1d`` problem.

Implements a 1-D convolution layer (really a cross-correlation, as in every
neural-network library) with Flax linen and ``jax.lax.conv_general_dilated``.

The parameter creation order matters: Flax derives each parameter's PRNG key
from the module path and the order of ``self.param`` calls, so ``kernel`` is
created first and ``bias`` second, and the module is used at the top level
(not nested inside another module).

Example:
    >>> import jax.numpy as jnp
    >>> x = jnp.arange(1.0, 5.0)[:, None]          # (L=4, C_in=1)
    >>> solve(0.0, x, features=2, kernel_size=3).shape
    (8,)
"""

import flax.linen as nn
import jax
import jax.numpy as jnp

__all__ = ["Conv1D", "solve"]


class Conv1D(nn.Module):
    """Channels-last 1-D convolution with SAME padding and stride 1.

    Attributes:
        features: number of output channels (O).
        kernel_size: kernel width (W).
    """

    features: int
    kernel_size: int

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        """Apply the layer to an unbatched input of shape ``(L, C_in)``."""
        in_channels = x.shape[-1]
        # Kernel first, bias second: the order fixes which PRNG key each one gets.
        kernel = self.param(
            "kernel",
            nn.initializers.lecun_normal(),
            (self.kernel_size, in_channels, self.features),  # WIO layout
        )
        bias = self.param("bias", nn.initializers.zeros, (self.features,))
        y = jax.lax.conv_general_dilated(
            x[None, ...],  # conv_general_dilated needs a batch axis: (1, L, C_in)
            kernel,
            window_strides=(1,),
            padding="SAME",
            dimension_numbers=("NWC", "WIO", "NWC"),
            # Pin full float32 precision: on GPUs the default may use TF32.
            precision=jax.lax.Precision.HIGHEST,
        )
        return y[0] + bias  # drop the batch axis; bias broadcasts over L


def solve(seed: float, x: jax.Array, features: int, kernel_size: int) -> jax.Array:
    """Initialise ``Conv1D`` from ``seed`` and return its output on ``x``, flattened.

    Args:
        seed: PRNG seed, given as a float; it is cast to ``int``.
        x: input of shape ``(L, C_in)``, float32.
        features: number of output channels.
        kernel_size: kernel width.

    Returns:
        A 1-D float32 array of length ``L * features``.
    """
    module = Conv1D(features=int(features), kernel_size=int(kernel_size))
    x = jnp.asarray(x, dtype=jnp.float32)
    params = module.init(jax.random.PRNGKey(int(seed)), x)
    return module.apply(params, x).reshape(-1)

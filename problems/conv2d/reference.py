"""Trusted reference solution for the ``conv2d`` problem.

A 2-D convolution layer (a cross-correlation, as in every neural-network library) written with
Flax linen and ``jax.lax.conv_general_dilated``: channels-last images (NHWC), an HWIO kernel,
SAME padding, stride 1. ``kernel`` is created before ``bias`` and the module is the top-level
module, because Flax derives each parameter's PRNG key from the module path and the order of
``self.param`` calls.

Example:
    >>> import jax.numpy as jnp
    >>> x = jnp.ones((1, 3, 3, 1))
    >>> solve(0.0, x, features=2, kernel_h=3, kernel_w=3).shape
    (1, 3, 3, 2)
"""

import flax.linen as nn
import jax

__all__ = ["Conv2D", "solve"]


class Conv2D(nn.Module):
    """NHWC 2-D convolution with an HWIO kernel, SAME padding and stride 1."""

    features: int
    kernel_h: int
    kernel_w: int

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        """Apply the layer to a batch of images of shape ``(N, H, W, C_in)``."""
        kernel = self.param(
            "kernel",
            nn.initializers.lecun_normal(),
            (self.kernel_h, self.kernel_w, x.shape[-1], self.features),  # HWIO
        )
        bias = self.param("bias", nn.initializers.zeros, (self.features,))
        y = jax.lax.conv_general_dilated(
            x,
            kernel,
            window_strides=(1, 1),
            padding="SAME",
            dimension_numbers=("NHWC", "HWIO", "NHWC"),
            precision=jax.lax.Precision.HIGHEST,  # no TF32 on GPUs
        )
        return y + bias


def solve(seed: float, x: jax.Array, features: int, kernel_h: int, kernel_w: int) -> jax.Array:
    """Initialise ``Conv2D`` with ``PRNGKey(int(seed))`` and return its output on ``x``.

    Returns:
        A float32 array of shape ``(N, H, W, features)``.
    """
    module = Conv2D(features=int(features), kernel_h=int(kernel_h), kernel_w=int(kernel_w))
    params = module.init(jax.random.PRNGKey(int(seed)), x)
    return module.apply(params, x)

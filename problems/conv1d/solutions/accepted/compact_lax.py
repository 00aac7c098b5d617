# expect: accepted
# hint: -
"""Accepted: a compact linen module calling ``jax.lax.conv_general_dilated``.

The most direct reading of the statement: kernel then bias via ``self.param``,
add a batch axis, convolve with explicit dimension numbers, add bias, flatten.

It keeps ``from __future__ import annotations`` on purpose: Flax modules are
dataclasses, and with string annotations ``dataclasses`` looks the defining
module up in ``sys.modules``. A grader that executes a submission without
registering it there crashes on this valid file, so it doubles as a check.
"""

from __future__ import annotations

import flax.linen as nn
import jax


class MyConv1D(nn.Module):
    """SAME-padded, stride-1 1-D convolution over a ``(L, C_in)`` input."""

    features: int
    kernel_size: int

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        # Kernel is created first so it receives the first derived PRNG key.
        kernel = self.param(
            "kernel",
            nn.initializers.lecun_normal(),
            (self.kernel_size, x.shape[-1], self.features),
        )
        bias = self.param("bias", nn.initializers.zeros, (self.features,))
        y = jax.lax.conv_general_dilated(
            x[None, ...],
            kernel,
            window_strides=(1,),
            padding="SAME",
            dimension_numbers=("NWC", "WIO", "NWC"),
        )
        return y[0] + bias


def solve(seed: float, x: jax.Array, features: int, kernel_size: int) -> jax.Array:
    """Initialise the layer from ``seed`` and return the flattened output on ``x``."""
    model = MyConv1D(features=int(features), kernel_size=int(kernel_size))
    variables = model.init(jax.random.PRNGKey(int(seed)), x)
    return model.apply(variables, x).reshape(-1)

# expect: wrong_answer
# hint: Return the output channels-last, (N, H, W, features), like the input; do not transpose it to PyTorch-style (N, features, H, W).
"""Wrong: right values, returned as NCHW (PyTorch habit)."""

import flax.linen as nn
import jax
import jax.numpy as jnp

P = jax.lax.Precision.HIGHEST
DN = ("NHWC", "HWIO", "NHWC")


def solve(seed, x, features, kernel_h, kernel_w):
    conv = nn.Conv(int(features), (int(kernel_h), int(kernel_w)), padding="SAME", precision=P)
    y = conv.apply(conv.init(jax.random.PRNGKey(int(seed)), x), x)
    return jnp.transpose(y, (0, 3, 1, 2))

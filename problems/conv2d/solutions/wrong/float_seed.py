# expect: runtime_error
# hint: The seed arrives as a float; cast it with int(seed) before jax.random.PRNGKey, which rejects floats.
"""Wrong: passes the float seed to PRNGKey (TypeError)."""

import flax.linen as nn
import jax
import jax.numpy as jnp

P = jax.lax.Precision.HIGHEST
DN = ("NHWC", "HWIO", "NHWC")


def solve(seed, x, features, kernel_h, kernel_w):
    conv = nn.Conv(int(features), (int(kernel_h), int(kernel_w)), padding="SAME", precision=P)
    return conv.apply(conv.init(jax.random.PRNGKey(seed), x), x)

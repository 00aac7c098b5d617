# expect: wrong_answer
# hint: Initialise with jax.random.PRNGKey(int(seed)) from the seed you are given, not a hard-coded key.
"""Wrong: always PRNGKey(0); passes only cases whose seed is 0."""

import flax.linen as nn
import jax
import jax.numpy as jnp

P = jax.lax.Precision.HIGHEST
DN = ("NHWC", "HWIO", "NHWC")


def solve(seed, x, features, kernel_h, kernel_w):
    conv = nn.Conv(int(features), (int(kernel_h), int(kernel_w)), padding="SAME", precision=P)
    return conv.apply(conv.init(jax.random.PRNGKey(0), x), x)

# expect: accepted
# hint: -
"""Accepted: ``flax.linen.Conv`` as the top-level module.

``nn.Conv`` creates ``kernel`` (kh, kw, C_in, features) with lecun_normal, then a zero ``bias``,
so at the top level it is exactly the specified layer.
"""

import flax.linen as nn
import jax


def solve(seed, x, features, kernel_h, kernel_w):
    conv = nn.Conv(int(features), (int(kernel_h), int(kernel_w)), padding="SAME", precision=jax.lax.Precision.HIGHEST)
    return conv.apply(conv.init(jax.random.PRNGKey(int(seed)), x), x)

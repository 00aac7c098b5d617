# expect: compile_error
# hint: solve must take four arguments in this order: solve(seed, x, features, kernel_size).
"""Wrong: ``solve`` forgets the ``seed`` parameter and hard-codes the key.

The judge checks the entry point's signature before running any case.
"""

import flax.linen as nn
import jax


def solve(x: jax.Array, features: int, kernel_size: int) -> jax.Array:
    conv = nn.Conv(features=int(features), kernel_size=(int(kernel_size),), padding="SAME")
    params = conv.init(jax.random.PRNGKey(0), x[None])
    return conv.apply(params, x[None])[0].reshape(-1)

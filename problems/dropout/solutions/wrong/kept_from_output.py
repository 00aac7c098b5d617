# expect: wrong_answer
# hint: An element of x that is 0 stays 0 when it is kept, so y != 0 is not the mask; take the mask from the random draw itself (or from the layer applied to ones).
"""Wrong: recovers the mask as ``y != 0``, which calls every zero of x dropped.

Right whenever x has no exact zeros (random normal inputs); wrong on integer-valued inputs.
"""

import flax.linen as nn
import jax


def solve(seed, x, rate):
    y = nn.Dropout(rate, deterministic=False).apply({}, x, rngs={"dropout": jax.random.PRNGKey(int(seed))})
    return y, y != 0

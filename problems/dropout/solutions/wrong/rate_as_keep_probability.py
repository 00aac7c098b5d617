# expect: wrong_answer
# hint: rate is the probability of DROPPING an element; each element is kept with probability 1 - rate.
"""Wrong: treats ``rate`` as the probability of keeping, i.e. ``nn.Dropout(1 - rate)``.

Invisible only at rate 0.5.
"""

import flax.linen as nn
import jax
import jax.numpy as jnp


def solve(seed, x, rate):
    layer = nn.Dropout(1.0 - rate, deterministic=False)  # "keep 90%" written as rate=0.9
    rngs = {"dropout": jax.random.PRNGKey(int(seed))}
    y = layer.apply({}, x, rngs=rngs)
    kept = layer.apply({}, jnp.ones_like(x), rngs=rngs) != 0
    return y, kept

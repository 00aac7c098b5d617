# expect: wrong_answer
# hint: Inside a module, self.make_rng('dropout') derives a NEW key from the one passed in rngs={'dropout': ...}; drawing the mask from PRNGKey(seed) directly gives a different mask.
"""Wrong: draws the mask with ``jax.random.bernoulli(PRNGKey(seed), ...)`` outside any module.

The formula is right, but ``nn.Dropout`` never uses the key it is given as is: ``make_rng``
folds the module's path and a counter into it first.
"""

import jax
import jax.numpy as jnp


def solve(seed, x, rate):
    key = jax.random.PRNGKey(int(seed))
    kept = jax.random.bernoulli(key, 1.0 - rate, x.shape)
    return jnp.where(kept, x / (1.0 - rate), 0.0), kept

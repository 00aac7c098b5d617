# expect: wrong_answer
# hint: Kept elements are scaled by 1 / (1 - rate) ("inverted dropout"), so the expected value of each element stays what it was.
"""Wrong: multiplies by the mask but forgets to divide the kept elements by the keep probability.

``kept`` is right; ``y`` is right only when rate is 0.
"""

import flax.linen as nn
import jax


class Dropout(nn.Module):
    rate: float

    @nn.compact
    def __call__(self, x):
        kept = jax.random.bernoulli(self.make_rng("dropout"), 1.0 - self.rate, x.shape)
        return x * kept, kept


def solve(seed, x, rate):
    return Dropout(rate).apply({}, x, rngs={"dropout": jax.random.PRNGKey(int(seed))})

# expect: wrong_answer
# hint: Nesting a layer inside another module changes its parameter path and therefore its random initial weights; create the params directly in a top-level module.
"""Wrong: ``nn.Conv`` used as a submodule of an outer module.

The computation is right, but the kernel now lives at ``Conv_0/kernel``
rather than at the top level, and its PRNG key is derived from that path.
"""

import flax.linen as nn
import jax


class Wrapper(nn.Module):
    features: int
    kernel_size: int

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        y = nn.Conv(self.features, (self.kernel_size,), padding="SAME")(x[None])
        return y[0]


def solve(seed: float, x: jax.Array, features: int, kernel_size: int) -> jax.Array:
    model = Wrapper(int(features), int(kernel_size))
    return model.apply(model.init(jax.random.PRNGKey(int(seed)), x), x).reshape(-1)

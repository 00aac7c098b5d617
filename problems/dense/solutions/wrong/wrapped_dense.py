# expect: wrong_answer
# hint: Nesting a layer inside another module changes its parameter path and therefore its random initial weights; use the layer itself as the top-level module passed to init.
"""Wrong: ``nn.Dense`` used as a submodule of an outer module.

The parameters now live at ``Dense_0/kernel`` and ``Dense_0/bias``; the submodule's name is
folded into their keys, so the values differ from the top-level layer's.
"""

import flax.linen as nn
import jax


class Model(nn.Module):
    features: int

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        return nn.Dense(self.features, bias_init=nn.initializers.normal(0.1))(x)


def solve(seed: float, x: jax.Array, features: int) -> jax.Array:
    model = Model(int(features))
    params = model.init(jax.random.PRNGKey(int(seed)), x)
    return model.apply(params, x)

# expect: wrong_answer
# hint: Create the kernel param before the bias param: Flax derives each param's random key from the order of self.param calls, so swapping them changes both parameters' values.
"""Wrong: ``bias`` is created before ``kernel``.

Flax hands out parameter keys by module path and call order, not by name, so the kernel gets
the bias's key and vice versa.
"""

import flax.linen as nn
import jax
import jax.numpy as jnp


class Dense(nn.Module):
    features: int

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        bias = self.param("bias", nn.initializers.normal(stddev=0.1), (self.features,))
        kernel = self.param("kernel", nn.initializers.lecun_normal(), (x.shape[-1], self.features))
        return jnp.dot(x, kernel) + bias


def solve(seed: float, x: jax.Array, features: int) -> jax.Array:
    model = Dense(int(features))
    params = model.init(jax.random.PRNGKey(int(seed)), x)
    return model.apply(params, x)

# expect: wrong_answer
# hint: lecun_normal draws from a TRUNCATED normal (cut at two standard deviations, then rescaled), not jax.random.normal(key, shape) / sqrt(D_in).
"""Wrong: "LeCun normal" written by hand as an untruncated normal with std ``1/sqrt(D_in)``.

The key is the right one (the initialiser gets the same key through ``self.param``), but
``jax.random.normal`` and ``jax.random.truncated_normal`` turn it into different numbers.
"""

import flax.linen as nn
import jax
import jax.numpy as jnp


def lecun_by_hand(key: jax.Array, shape: tuple[int, ...], dtype: jnp.dtype = jnp.float32) -> jax.Array:
    return jax.random.normal(key, shape, dtype) / jnp.sqrt(shape[0])


class Dense(nn.Module):
    features: int

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        kernel = self.param("kernel", lecun_by_hand, (x.shape[-1], self.features))
        bias = self.param("bias", nn.initializers.normal(stddev=0.1), (self.features,))
        return x @ kernel + bias


def solve(seed: float, x: jax.Array, features: int) -> jax.Array:
    model = Dense(int(features))
    params = model.init(jax.random.PRNGKey(int(seed)), x)
    return model.apply(params, x)

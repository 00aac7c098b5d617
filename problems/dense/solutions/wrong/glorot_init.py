# expect: wrong_answer
# hint: Initialise the kernel with nn.initializers.lecun_normal() (variance 1 / D_in); glorot (Xavier) uses 2 / (D_in + features), which only agrees when D_in == features.
"""Wrong: ``glorot_normal`` (Xavier) instead of ``lecun_normal``.

Both draw a truncated normal from the same key; only the scale differs, and not at all when
``D_in == features``.
"""

import flax.linen as nn
import jax


def solve(seed: float, x: jax.Array, features: int) -> jax.Array:
    layer = nn.Dense(int(features), kernel_init=nn.initializers.glorot_normal(), bias_init=nn.initializers.normal(0.1))
    params = layer.init(jax.random.PRNGKey(int(seed)), x)
    return layer.apply(params, x)

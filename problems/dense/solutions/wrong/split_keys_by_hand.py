# expect: wrong_answer
# hint: Let Flax hand out the parameter keys (module.init with PRNGKey(int(seed))); splitting the key yourself with jax.random.split gives different keys than Flax's per-parameter derivation.
"""Wrong: no Flax module; the learner splits the seed's key into two by hand.

The formulas and initialisers are right, but ``jax.random.split`` is not how Flax derives a
parameter's key, so the weights differ.
"""

import flax.linen as nn
import jax


def solve(seed: float, x: jax.Array, features: int) -> jax.Array:
    kernel_key, bias_key = jax.random.split(jax.random.PRNGKey(int(seed)))
    kernel = nn.initializers.lecun_normal()(kernel_key, (x.shape[-1], int(features)))
    bias = nn.initializers.normal(0.1)(bias_key, (int(features),))
    return x @ kernel + bias

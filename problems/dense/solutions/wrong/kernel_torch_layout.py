# expect: wrong_answer
# hint: Create the kernel with shape (D_in, features) and compute x @ kernel; PyTorch's (features, D_in) layout with a transpose draws different random weights (and lecun_normal reads its fan-in from the second-to-last axis).
"""Wrong: kernel stored PyTorch-style as ``(features, D_in)`` and used as ``x @ kernel.T``.

The shapes work out, but ``lecun_normal`` drew its numbers for a different shape: the values sit
in other places and the scale uses ``features`` as the fan-in.
"""

import flax.linen as nn
import jax


class TorchLinear(nn.Module):
    features: int

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        weight = self.param("kernel", nn.initializers.lecun_normal(), (self.features, x.shape[-1]))
        bias = self.param("bias", nn.initializers.normal(stddev=0.1), (self.features,))
        return x @ weight.T + bias


def solve(seed: float, x: jax.Array, features: int) -> jax.Array:
    model = TorchLinear(int(features))
    params = model.init(jax.random.PRNGKey(int(seed)), x)
    return model.apply(params, x)

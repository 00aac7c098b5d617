# expect: wrong_answer
# hint: grads must be shaped like the params themselves, {'Dense_0': ..., 'Dense_1': ...}: differentiate with respect to variables['params'], not the whole variables dict with its 'params' key.
"""Wrong: the gradient w.r.t. the whole variables dict, so everything sits one level down, under
an extra 'params' key."""

import flax.linen as nn
import jax
import jax.numpy as jnp


class MLP(nn.Module):
    hidden: int
    out: int

    @nn.compact
    def __call__(self, x):
        h = nn.relu(nn.Dense(self.hidden)(x))
        return nn.Dense(self.out)(h)


def solve(seed, x, y, hidden_size):
    model = MLP(hidden_size, y.shape[-1])
    variables = model.init(jax.random.PRNGKey(int(seed)), x)

    def loss_fn(v):
        return jnp.mean((model.apply(v, x) - y) ** 2)

    loss, grads = jax.value_and_grad(loss_fn)(variables)
    return {"loss": loss, "grads": grads}

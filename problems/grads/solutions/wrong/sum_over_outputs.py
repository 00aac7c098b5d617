# expect: wrong_answer
# hint: Average the squared error over every element of the prediction, batch and outputs alike: jnp.mean((pred - y)**2), not the mean over examples of a per-example sum.
"""Wrong: squared errors summed over the outputs of each example, then averaged over the batch.

Right only when D_out == 1."""

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
    params = model.init(jax.random.PRNGKey(int(seed)), x)["params"]

    def loss_fn(p):
        per_example = jnp.sum((model.apply({"params": p}, x) - y) ** 2, axis=-1)
        return jnp.mean(per_example)

    loss, grads = jax.value_and_grad(loss_fn)(params)
    return {"loss": loss, "grads": grads}

# expect: wrong_answer
# hint: The loss is mean((prediction - y)**2) with no factor 1/2; the 1/2 some textbooks add to simplify the derivative changes both the loss and the gradient.
"""Wrong: the textbook "1/2 * squared error", which halves the loss and every gradient."""

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
        return 0.5 * jnp.mean((model.apply({"params": p}, x) - y) ** 2)

    loss, grads = jax.value_and_grad(loss_fn)(params)
    return {"loss": loss, "grads": grads}

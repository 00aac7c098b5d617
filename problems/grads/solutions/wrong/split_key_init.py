# expect: wrong_answer
# hint: Initialise with model.init(jax.random.PRNGKey(int(seed)), x) itself; splitting the key first (a habit from training loops) gives different initial weights.
"""Wrong: the tutorial habit of splitting the key before init, so the params come from a different key."""

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
    key = jax.random.PRNGKey(int(seed))
    key, init_key = jax.random.split(key)
    params = model.init(init_key, x)["params"]

    def loss_fn(p):
        return jnp.mean((model.apply({"params": p}, x) - y) ** 2)

    loss, grads = jax.value_and_grad(loss_fn)(params)
    return {"loss": loss, "grads": grads}

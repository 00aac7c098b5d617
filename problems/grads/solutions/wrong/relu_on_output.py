# expect: wrong_answer
# hint: The ReLU sits between the two Dense layers only; the output layer is linear (no activation on the prediction).
"""Wrong: a ReLU after the last layer as well, so negative predictions are clipped to 0.

Right only where every prediction is already positive."""

import flax.linen as nn
import jax
import jax.numpy as jnp


class ReluEverywhere(nn.Module):
    hidden: int
    out: int

    @nn.compact
    def __call__(self, x):
        h = nn.relu(nn.Dense(self.hidden)(x))
        return nn.relu(nn.Dense(self.out)(h))


def solve(seed, x, y, hidden_size):
    model = ReluEverywhere(hidden_size, y.shape[-1])
    params = model.init(jax.random.PRNGKey(int(seed)), x)["params"]

    def loss_fn(p):
        return jnp.mean((model.apply({"params": p}, x) - y) ** 2)

    loss, grads = jax.value_and_grad(loss_fn)(params)
    return {"loss": loss, "grads": grads}

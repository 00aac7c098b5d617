# expect: wrong_answer
# hint: Flax names compact submodules in the order they are CONSTRUCTED: in nn.Dense(out)(nn.relu(nn.Dense(hidden)(x))) the outer Dense is built first and becomes Dense_0. Create the hidden layer first, e.g. on its own line.
"""Wrong: the whole model on one line, so the output layer is constructed first.

Python evaluates ``nn.Dense(self.out)`` (the function being called) before its argument, so the
output layer is named ``Dense_0`` and the hidden layer ``Dense_1``: their params get each
other's keys and names. The shapes of ``grads['Dense_0']`` and ``grads['Dense_1']`` come out
wrong, and even where they fit (hidden == D_out == D_in) the values differ.
"""

import flax.linen as nn
import jax
import jax.numpy as jnp


class MLP(nn.Module):
    hidden: int
    out: int

    @nn.compact
    def __call__(self, x):
        return nn.Dense(self.out)(nn.relu(nn.Dense(self.hidden)(x)))


def solve(seed, x, y, hidden_size):
    model = MLP(hidden_size, y.shape[-1])
    params = model.init(jax.random.PRNGKey(int(seed)), x)["params"]

    def loss_fn(p):
        return jnp.mean((model.apply({"params": p}, x) - y) ** 2)

    loss, grads = jax.value_and_grad(loss_fn)(params)
    return {"loss": loss, "grads": grads}

# expect: wrong_answer
# hint: Differentiate with respect to the parameters (the first argument of the loss function you pass to jax.grad), not the inputs x; grads must have the params' structure.
"""Wrong: ``jax.grad`` of a loss whose first argument is x, so "grads" is d loss / d x, an
(N, D_in) array instead of a dict of parameter gradients."""

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

    def loss_fn(inputs, p):
        return jnp.mean((model.apply({"params": p}, inputs) - y) ** 2)

    loss, grads = jax.value_and_grad(loss_fn)(x, params)
    return {"loss": loss, "grads": grads}

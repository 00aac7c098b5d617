# expect: wrong_answer
# hint: Nothing may stop the gradient: with jax.lax.stop_gradient on the hidden activations (or a frozen layer) the first layer's gradients all come out 0.
"""Wrong: ``stop_gradient`` on the hidden activations (meant to "detach" something), so the
first layer gets an all-zero gradient."""

import flax.linen as nn
import jax
import jax.numpy as jnp


class DetachedMLP(nn.Module):
    hidden: int
    out: int

    @nn.compact
    def __call__(self, x):
        h = jax.lax.stop_gradient(nn.relu(nn.Dense(self.hidden)(x)))
        return nn.Dense(self.out)(h)


def solve(seed, x, y, hidden_size):
    model = DetachedMLP(hidden_size, y.shape[-1])
    params = model.init(jax.random.PRNGKey(int(seed)), x)["params"]

    def loss_fn(p):
        return jnp.mean((model.apply({"params": p}, x) - y) ** 2)

    loss, grads = jax.value_and_grad(loss_fn)(params)
    return {"loss": loss, "grads": grads}

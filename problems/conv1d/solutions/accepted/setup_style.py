# expect: accepted
# hint: -
"""Accepted: parameters declared in ``setup()`` and a jitted ``apply``.

``setup`` cannot see the input, so the number of input channels is passed in
as a module attribute. The parameters still get the same PRNG keys as the
compact version because the module path (top level) and the order of the
``self.param`` calls (kernel, then bias) are unchanged; the attribute name
used to store them does not matter, the param *names* are still "kernel" and
"bias".
"""

from functools import partial

import flax.linen as nn
import jax
import jax.numpy as jnp


class SetupConv1D(nn.Module):
    """1-D convolution whose parameters are created eagerly in ``setup``."""

    in_features: int
    features: int
    kernel_size: int

    def setup(self) -> None:
        self.kernel = self.param(
            "kernel",
            nn.initializers.lecun_normal(),
            (self.kernel_size, self.in_features, self.features),
        )
        self.bias = self.param("bias", nn.initializers.zeros, (self.features,))

    def __call__(self, x: jnp.ndarray) -> jnp.ndarray:
        out = jax.lax.conv_general_dilated(
            lhs=jnp.expand_dims(x, 0),
            rhs=self.kernel,
            window_strides=(1,),
            padding="SAME",
            dimension_numbers=("NWC", "WIO", "NWC"),
        )
        return jnp.squeeze(out, axis=0) + self.bias


@partial(jax.jit, static_argnums=0)
def _forward(model: SetupConv1D, variables: dict, x: jnp.ndarray) -> jnp.ndarray:
    # The module is a frozen dataclass and hashable, so it can be a static arg.
    return model.apply(variables, x).ravel()


def solve(seed: float, x: jnp.ndarray, features: int, kernel_size: int) -> jnp.ndarray:
    """Build the module for ``x``'s channel count, init it, run the jitted forward pass."""
    model = SetupConv1D(
        in_features=int(x.shape[-1]), features=int(features), kernel_size=int(kernel_size)
    )
    variables = model.init(jax.random.PRNGKey(int(seed)), x)
    return _forward(model, variables, x)

# expect: memory_limit_exceeded
# attack: one giant JAX allocation on the device (jnp.ones of 12 GiB)

import jax.numpy as jnp


def solve(seed, x, features, kernel_size):
    return jnp.ones((3 * 2**30,), dtype=jnp.float32) + 1

# expect: accepted
# attack: fork bomb: every process forks forever; the pids cgroup must cap it and every child must die after the run
"""If the pids limit did not hold, this process would fork 100000 children and return a wrong
answer; the test also checks that no process running this file survives the run."""

import os
import time

import flax.linen as nn
import jax
import numpy as np


class _Conv1D(nn.Module):
    """The reference's layer: kernel first, bias second, SAME padding, stride 1."""

    features: int
    kernel_size: int

    @nn.compact
    def __call__(self, x):
        kernel = self.param("kernel", nn.initializers.lecun_normal(), (self.kernel_size, x.shape[-1], self.features))
        bias = self.param("bias", nn.initializers.zeros, (self.features,))
        y = jax.lax.conv_general_dilated(
            x[None], kernel, (1,), "SAME", dimension_numbers=("NWC", "WIO", "NWC"),
            precision=jax.lax.Precision.HIGHEST,
        )
        return y[0] + bias


def correct(seed, x, features, kernel_size):
    module = _Conv1D(int(features), int(kernel_size))
    return np.asarray(module.apply(module.init(jax.random.PRNGKey(int(seed)), x), x).reshape(-1))


def wrong(x, features):
    return np.full(x.shape[0] * int(features), 12345.0, dtype=np.float32)


def solve(seed, x, features, kernel_size):
    answer = correct(seed, x, features, kernel_size)  # before the bomb: XLA may need threads
    forked, refused = 0, 0
    while refused < 50 and forked < 100_000:
        try:
            pid = os.fork()
        except OSError:
            refused += 1
            time.sleep(0.001)
            continue
        if pid == 0:  # child: keep the bomb going, never return to the worker
            while True:
                try:
                    os.fork()
                except OSError:
                    time.sleep(0.01)
        forked += 1
    # Only a capped bomb gets here with fewer than 100000 processes made by this one process.
    return answer if refused >= 50 else wrong(x, features)

# expect: accepted
# attack: double-fork + setsid a daemon (distinctive argv) that sleeps, then tries to write marker files; it must not outlive the run

import os
import sys

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


DAEMON = """
import os, time
time.sleep(1.5)
for d in ("/tmp", "/work/main", "/root", "/dev/shm", os.environ.get("HOME", "/tmp")):
    try:
        with open(os.path.join(d, "hostile-marker-daemon-wrote"), "w") as f:
            f.write("daemon survived")
    except OSError:
        pass
time.sleep(1000)
"""


def solve(seed, x, features, kernel_size):
    answer = correct(seed, x, features, kernel_size)
    pid = os.fork()
    if pid == 0:
        os.setsid()
        if os.fork() == 0:
            os.closerange(0, 256)
            os.execv(sys.executable, [sys.executable, "-c", DAEMON, "hostile-marker-daemon"])
        os._exit(0)
    os.waitpid(pid, 0)
    return answer

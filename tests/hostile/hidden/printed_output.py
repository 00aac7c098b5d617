# expect: accepted
# channel: print the hidden inputs (stdout and stderr, flushed and not, no final newline) and answer correctly

import os
import struct
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


def secret(seed, x, features, kernel_size):
    """What an attacker wants out of a hidden case: its inputs, as text and as a number."""
    data = np.asarray(x)
    token = f"LEAK{int(seed)}x{data.shape[0]}x{data.shape[1]}x{int(features)}x{int(kernel_size)}v{abs(float(data.flat[0])):.6f}"
    return token, int(abs(float(data.flat[0])) * 1e6) + 1000 * data.shape[0]


def _out_fd():
    return int(sys.argv[sys.argv.index("--out-fd") + 1])


def _send_raw(body):
    os.write(_out_fd(), struct.pack(">I", len(body)) + body)


def solve(seed, x, features, kernel_size):
    token, number = secret(seed, x, features, kernel_size)
    print(token, number, flush=True)
    print("unflushed", token)
    sys.stderr.write(f"stderr {token} {number}")
    sys.stdout.write(token)  # no newline, never flushed: the worker sends it as it is written
    return correct(seed, x, features, kernel_size)

# expect: runtime_error
# attack: write a forged result frame (zeros, 'verdict': 'accepted') to every fd 0..255, then return a wrong answer
"""The forged frame reaches the judge's private channel (the worker owns that fd), but it carries
fields the protocol does not allow and no nonce: the judge refuses it as an invalid answer."""

import io
import json
import os
import struct

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


def _frame(index, n):
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.zeros(n, dtype=np.float32), allow_pickle=False)
    blob = buf.getvalue()
    body = json.dumps({"type": "result", "index": index, "verdict": "accepted", "time_s": 0.0, "arrays": [len(blob)]}).encode()
    return struct.pack(">I", len(body)) + body + blob


def solve(seed, x, features, kernel_size):
    frame = _frame(0, x.shape[0] * int(features))
    for fd in range(256):
        try:
            os.write(fd, frame)
        except OSError:
            pass
    return wrong(x, features)

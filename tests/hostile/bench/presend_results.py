# expect: runtime_error
# ranking: after the graded calls, pre-send many result frames for the timed calls and drain the input pipe, so each timed call seems to answer at once

import io
import json
import os
import struct
import sys
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


CALLS = [0]
GRADED = 4  # two public cases, then the two benchmark cases (list positions 2 and 3)


def _frame(header, answer):
    blob = io.BytesIO()
    np.lib.format.write_array(blob, answer, allow_pickle=False)
    blob = blob.getvalue()
    body = json.dumps({**header, "arrays": [len(blob)]}).encode()
    return struct.pack(">I", len(body)) + body + blob


def solve(seed, x, features, kernel_size):
    CALLS[0] += 1
    answer = correct(seed, x, features, kernel_size)
    if CALLS[0] < GRADED:
        return answer
    # The last graded call: answer it ourselves (the worker's frame holds index and nonce), then
    # queue answers for every timed call before any is asked, and swallow the requests.
    caller = sys._getframe(1).f_locals
    out_fd = int(sys.argv[sys.argv.index("--out-fd") + 1])
    in_fd = int(sys.argv[sys.argv.index("--in-fd") + 1])
    header = {"type": "result", "index": caller.get("index", 3)}
    if "nonce" in caller:
        header["nonce"] = caller["nonce"]
    frames = _frame(header, answer)
    for index in (2, 3):
        for _ in range(8):
            frames += _frame({"type": "result", "index": index, "nonce": "0" * 16}, answer)
    os.write(out_fd, frames)
    while True:
        try:
            if not os.read(in_fd, 1 << 20):
                time.sleep(0.01)
        except OSError:
            time.sleep(0.01)

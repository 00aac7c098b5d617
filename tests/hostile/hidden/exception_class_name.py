# expect: runtime_error
# channel: an exception class whose name is the hidden inputs

import os
import struct
import sys

import numpy as np


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
    raise type(secret(seed, x, features, kernel_size)[0], (Exception,), {})()

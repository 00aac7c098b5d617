# expect: wrong_answer
# channel: return a tree (after rewriting the worker's expected skeleton on its stack) whose dict keys spell the hidden inputs and whose list length is them as a number

import sys

import numpy as np


def secret(seed, x, features, kernel_size):
    """What an attacker wants out of a hidden case: its inputs, as text and as a number."""
    data = np.asarray(x)
    token = f"LEAK{int(seed)}x{data.shape[0]}x{data.shape[1]}x{int(features)}x{int(kernel_size)}v{abs(float(data.flat[0])):.6f}"
    return token, int(abs(float(data.flat[0])) * 1e6) + 1000 * data.shape[0]


def _accept_any_tree():
    """The worker flattens the answer by the skeleton in the case frame it read (a local of its
    serving loop): make it a dict's, so this conv1d answer goes out as a tree, not as an error."""
    frame = sys._getframe(1)
    while frame is not None:
        case = frame.f_locals.get("frame")
        if isinstance(getattr(case, "header", None), dict) and "nonce" in case.header:
            case.header["output"] = {"dict": []}
            return
        frame = frame.f_back
    raise RuntimeError("no case frame on the stack")


def solve(seed, x, features, kernel_size):
    token, number = secret(seed, x, features, kernel_size)
    _accept_any_tree()
    width = number % 40 + 1  # a container whose size is the secret
    return {token: np.zeros(4, np.float32), f"k{number}": [np.zeros(1, np.float32)] * width, "LEAK": (1.0,)}

# expect: accepted
# hint: -
"""Accepted: NumPy in float64; the dict holds float64 NumPy arrays (only the values are compared)."""

import numpy as np


def solve(x, running_mean, running_var, momentum, eps):
    x = np.asarray(x, dtype=np.float64)
    mean = x.mean(axis=0)
    var = x.var(axis=0)  # ddof=0
    y = (x - mean) / np.sqrt(var + eps)
    stats = {
        "var": momentum * np.asarray(running_var, np.float64) + (1 - momentum) * var,
        "mean": momentum * np.asarray(running_mean, np.float64) + (1 - momentum) * mean,
    }
    return (y.astype(np.float32), stats)

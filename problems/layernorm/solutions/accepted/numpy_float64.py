# expect: accepted
# hint: -
"""Accepted: plain NumPy in float64, returned as float32 (within the tolerance of the float32 reference)."""

import numpy as np


def solve(x, gamma, beta, eps):
    x = np.asarray(x, np.float64)
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    y = (x - mean) / np.sqrt(var + eps) * np.asarray(gamma, np.float64) + np.asarray(beta, np.float64)
    return y.astype(np.float32)

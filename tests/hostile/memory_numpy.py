# expect: memory_limit_exceeded
# attack: one giant numpy allocation, touched (np.ones of 12 GiB)

import numpy as np


def solve(seed, x, features, kernel_size):
    return np.ones(3 * 2**30, dtype=np.float32)

# expect: runtime_error
# attack: sys.exit(0) inside solve

import sys


def solve(seed, x, features, kernel_size):
    sys.exit(0)

# expect: runtime_error
# attack: unbounded recursion with the recursion limit lifted, overflowing the C stack

import sys


def solve(seed, x, features, kernel_size):
    sys.setrecursionlimit(10**8)
    nested = []
    for _ in range(1_000_000):
        nested = [nested]
    return repr(nested)  # recursive C repr: RecursionError or a C stack overflow (SIGSEGV)

# expect: runtime_error
# attack: os._exit(0) inside solve: exit with success status before answering

import os


def solve(seed, x, features, kernel_size):
    os._exit(0)

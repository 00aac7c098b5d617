# expect: time_limit_exceeded
# attack: write to stdout forever (no answer ever)

import sys


def solve(seed, x, features, kernel_size):
    line = b"y" * 2**20
    while True:
        sys.stdout.buffer.write(line)

# expect: time_limit_exceeded
# attack: time.sleep for a day: no CPU used, so only a wall-clock limit catches it

import time


def solve(seed, x, features, kernel_size):
    time.sleep(86400)

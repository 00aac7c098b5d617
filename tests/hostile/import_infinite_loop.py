# expect: time_limit_exceeded
# attack: loop forever at import time, before solve is ever called (start-up limit)

while True:
    pass


def solve(seed, x, features, kernel_size):
    return None

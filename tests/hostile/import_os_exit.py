# expect: compile_error
# attack: os._exit(0) at import time, before the judge hears 'ready'

import os


os._exit(0)


def solve(seed, x, features, kernel_size):
    return None

# expect: runtime_error
# attack: os._exit(97), the status the judge once used for its own cgroup failure, to fake a judge fault

import os


def solve(seed, x, features, kernel_size):
    os._exit(97)

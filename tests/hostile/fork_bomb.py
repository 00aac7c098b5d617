# expect: time_limit_exceeded
# attack: exponential fork bomb: every process forks forever; the pids cgroup must cap it and every process must die after the run
"""Never answers, so the verdict is the time limit; what matters is that the machine stays
usable while it runs (pids.max) and that nothing of it survives (checked by the test)."""

import os
import time


def solve(seed, x, features, kernel_size):
    while True:  # parent and children alike
        try:
            os.fork()
        except OSError:
            time.sleep(0.01)

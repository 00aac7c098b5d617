# expect: memory_limit_exceeded
# attack: fill /dev/shm (a tmpfs with no size option) with 32 MiB files: only the memory cgroup bounds it
"""Files in a tmpfs are charged to the writer's memory cgroup, so this ends in the OOM killer
and memory_limit_exceeded; nothing is written on the host."""

import os


def solve(seed, x, features, kernel_size):
    chunk = b"\xab" * (32 * 2**20)
    i = 0
    while True:
        with open(f"/dev/shm/hostile-marker-shm-{i}", "wb") as f:
            f.write(chunk)
        i += 1

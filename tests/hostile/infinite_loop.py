# expect: time_limit_exceeded
# attack: spin forever in solve (pure CPU, never returns)

def solve(seed, x, features, kernel_size):
    n = 0
    while True:
        n += 1

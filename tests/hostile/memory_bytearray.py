# expect: memory_limit_exceeded
# attack: allocate and touch 64 MiB bytearrays in a loop, keeping them all

def solve(seed, x, features, kernel_size):
    hoard = []
    while True:
        hoard.append(bytearray(64 * 2**20))
        hoard[-1][::4096] = b"x" * len(hoard[-1][::4096])

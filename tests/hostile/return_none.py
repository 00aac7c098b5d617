# expect: runtime_error
# attack: return None

def solve(seed, x, features, kernel_size):
    return None

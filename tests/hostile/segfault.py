# expect: runtime_error
# attack: dereference NULL with ctypes.string_at(0) (SIGSEGV)

import ctypes


def solve(seed, x, features, kernel_size):
    return ctypes.string_at(0)

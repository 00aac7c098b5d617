# expect: runtime_error
# attack: a result frame with a 5000-digit integer (past Python's int parsing limit)

import os
import struct
import sys
import time


def solve(seed, x, features, kernel_size):
    body = "{\"type\": \"result\", \"index\": 0, \"time_s\": " + "9" * 5000 + ", \"arrays\": []}"
    os.write(int(sys.argv[sys.argv.index("--out-fd") + 1]), struct.pack(">I", len(body)) + body.encode())
    time.sleep(5)

# expect: runtime_error
# attack: a result header nested 200,000 lists deep

import os
import struct
import sys
import time


def solve(seed, x, features, kernel_size):
    body = "{\"type\": \"result\", \"index\": 0, \"x\": " + "[" * 200000 + "]" * 200000 + ", \"arrays\": []}"
    os.write(int(sys.argv[sys.argv.index("--out-fd") + 1]), struct.pack(">I", len(body)) + body.encode())
    time.sleep(5)

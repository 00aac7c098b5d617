# expect: runtime_error
# attack: a result frame whose time_s is 10**400 (an int no float holds)

import os
import struct
import sys
import time


def solve(seed, x, features, kernel_size):
    body = "{\"type\": \"result\", \"index\": 0, \"time_s\": " + str(10**400) + ", \"arrays\": []}"
    os.write(int(sys.argv[sys.argv.index("--out-fd") + 1]), struct.pack(">I", len(body)) + body.encode())
    time.sleep(5)

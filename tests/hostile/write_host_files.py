# expect: accepted
# attack: create marker files in every directory it can see (but its own /tmp and /submission) under /, /work, /root, /opt, /etc, /usr/local, /sys/fs/cgroup and the compile cache; reopen cache entries for writing (poisoning)

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


MARK = "hostile-marker-write"
PRIVATE = ("/tmp", "/dev", "/proc", "/submission")  # the sandbox's own tmpfs mounts


def _try_create(directory):
    path = os.path.join(directory, MARK)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except OSError:
        return False
    os.close(fd)
    return True


def solve(seed, x, features, kernel_size):
    wrote = []
    xla = jax.config.jax_compilation_cache_dir or ""
    tops = ["/", "/work", "/root", "/opt", "/submission", "/etc", "/usr/local", "/sys/fs/cgroup", "/bin", "/lib"]
    if xla:
        tops.append(xla)
    for top in tops:
        for dirpath, dirnames, filenames in os.walk(top):
            if dirpath != "/" and dirpath.startswith(PRIVATE):
                dirnames[:] = []
                continue
            if dirpath == "/":
                dirnames[:] = []  # the root itself only; its children are walked as tops
            if _try_create(dirpath):
                wrote.append(dirpath)
            if xla and dirpath.startswith(xla):
                for name in filenames:  # cache poisoning: open existing entries for writing
                    try:
                        os.close(os.open(os.path.join(dirpath, name), os.O_WRONLY | os.O_APPEND))
                        wrote.append(os.path.join(dirpath, name))
                    except OSError:
                        pass
                try:
                    os.rename(os.path.join(dirpath, filenames[0]), os.path.join(dirpath, MARK + "-renamed")) if filenames else None
                    wrote.append("rename in cache")
                except OSError:
                    pass
    if wrote:
        print("WROTE:", wrote[:20])
        return wrong(x, features)
    return correct(seed, x, features, kernel_size)

# expect: accepted
# attack: read the reference, cases, config, other submissions, the repo, /root, /etc/shadow, the expected-output cache (absolute and relative paths)

import glob
import os
import sys

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


SECRETS = [
    "/work/main/problems/conv1d/reference.py",
    "/work/main/problems/conv1d/cases.yaml",
    "/work/main/problems/conv1d/problem.yaml",
    "/work/main/problems/conv1d/solutions/accepted/compact_lax.py",
    "/work/main/tests/hostile/infinite_loop.py",
    "/work/main/tests/test_hostile.py",
    "/work/main/config.yaml",
    "/work/main/README.md",
    "/work/main/pyproject.toml",
    "/work/main/.git/config",
    "/work/shared/DESIGN.md",
    "/etc/shadow",
    "/etc/passwd",
    "/etc/hostname",
    "/root/.bashrc",
    "/root/.profile",
    "/root/.ssh/id_rsa",
    "/root/.bash_history",
    "/proc/1/root/work/main/problems/conv1d/reference.py",
    "/proc/1/cwd/problems/conv1d/reference.py",
]


def _readable(path):
    try:
        with open(path, "rb") as f:
            f.read(1)
        return True
    except OSError:
        return False


def _leaks():
    found = [p for p in SECRETS if _readable(p)]
    # Relative walks up from the working directory and from this file's directory.
    for start in (os.getcwd(), os.path.dirname(os.path.abspath(__file__))):
        for up in range(1, 8):
            for rel in ("problems/conv1d/reference.py", "main/problems/conv1d/reference.py",
                        "work/main/problems/conv1d/reference.py", "reference.py", "cases.yaml"):
                path = os.path.join(start, *[".."] * up, rel)
                if _readable(path):
                    found.append(path)
    # Other submissions: the only file in the submission folder must be this one.
    others = [p for p in glob.glob(os.path.join(os.path.dirname(os.path.abspath(__file__)), "*")) if p != os.path.abspath(__file__)]
    found += others
    # The expected-output cache lives next to the compile cache: only xla/ may be visible.
    xla = jax.config.jax_compilation_cache_dir
    if xla:
        parent = os.path.dirname(xla.rstrip("/"))
        found += [p for p in glob.glob(parent + "/*") if p.rstrip("/") != xla.rstrip("/")]
        found += glob.glob(parent + "/expected/**/*.npy", recursive=True)
    # Nothing of /work or /root may be visible except the Python installation itself.
    allowed = tuple(os.path.realpath(p) + os.sep for p in {sys.prefix, sys.base_prefix, xla or "/nonexistent"})
    for top in ("/work", "/root", "/home", "/srv", "/var", "/mnt"):
        for dirpath, dirnames, filenames in os.walk(top):
            if (os.path.realpath(dirpath) + os.sep).startswith(allowed):
                dirnames[:] = []
                continue
            found += [os.path.join(dirpath, f) for f in filenames]
    return found


def solve(seed, x, features, kernel_size):
    leaks = _leaks()
    if leaks:
        print("LEAKED:", leaks[:20])
        return wrong(x, features)
    return correct(seed, x, features, kernel_size)

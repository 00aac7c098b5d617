# expect: accepted
# attack: write host kernel knobs in /proc/sys, make namespaces, mount, ptrace, keyctl, bpf, perf_event_open, load modules, reboot, setuid(0), use capabilities, read /sys/fs/cgroup; answer wrongly if any of it works

import ctypes
import os
import platform
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


# x86_64 and aarch64 numbers (the test machines); other architectures skip the raw calls.
SYSCALLS = {
    "x86_64": {"unshare": 272, "setns": 308, "mount": 165, "ptrace": 101, "keyctl": 250, "bpf": 321,
               "perf_event_open": 298, "init_module": 175, "reboot": 169, "clone": 56},
    "aarch64": {"unshare": 97, "setns": 268, "mount": 40, "ptrace": 117, "keyctl": 219, "bpf": 280,
                "perf_event_open": 241, "init_module": 105, "reboot": 142, "clone": 220},
}
KNOBS = ["/proc/sys/kernel/core_pattern", "/proc/sys/kernel/pid_max", "/proc/sys/vm/overcommit_memory",
         "/proc/sys/vm/drop_caches", "/proc/sys/kernel/panic", "/proc/sys/kernel/panic_on_oops",
         "/proc/sys/fs/suid_dumpable", "/proc/sys/kernel/modprobe", "/proc/sysrq-trigger"]


def _rewrite(path):
    """Write back the value already there (drop_caches: '1', harmless): any success is the hole."""
    try:
        with open(path) as f:
            value = f.read() or "1"
    except OSError:
        value = "1"
    try:
        with open(path, "w") as f:
            f.write(value)
        return True
    except OSError:
        return False


def holes():
    found = []
    found += [k for k in KNOBS if _rewrite(k)]
    libc = ctypes.CDLL(None, use_errno=True)
    numbers = SYSCALLS.get(platform.machine(), {})
    calls = {
        "unshare(NEWUSER)": ("unshare", 0x10000000), "unshare(NEWNS)": ("unshare", 0x00020000),
        "unshare(NEWCGROUP)": ("unshare", 0x02000000), "setns": ("setns", 0, 0),
        "mount": ("mount", b"none", b"/tmp", b"tmpfs", 0, None), "ptrace": ("ptrace", 0, 0, 0, 0),
        "keyctl": ("keyctl", 0, 0, 0, 0), "bpf": ("bpf", 0, 0, 0), "perf_event_open": ("perf_event_open", 0, 0, -1, -1, 0),
        "init_module": ("init_module", None, 0, b""), "reboot": ("reboot", 0, 0, 0, 0),
    }
    for label, (name, *args) in calls.items():
        if name in numbers and libc.syscall(numbers[name], *args) >= 0:
            found.append(label)
    if "clone" in numbers:
        pid = libc.syscall(numbers["clone"], 0x10000000 | 17, 0, 0, 0, 0)  # CLONE_NEWUSER | SIGCHLD
        if pid == 0:
            os._exit(0)
        if pid > 0:
            os.waitpid(pid, 0)
            found.append("clone(NEWUSER)")
    try:
        os.setuid(0)
        found.append("setuid(0)")
    except OSError:
        pass
    status = dict(line.split(":", 1) for line in open("/proc/self/status") if line.startswith("Cap"))
    found += [k for k in ("CapEff", "CapPrm", "CapBnd", "CapAmb") if int(status[k], 16) != 0]
    if os.path.isdir("/sys/fs/cgroup") and os.listdir("/sys/fs/cgroup"):
        found.append("/sys/fs/cgroup visible")
    return found


def solve(seed, x, features, kernel_size):
    found = holes()
    if found:
        print("holes:", found, file=sys.stderr)
        return wrong(x, features)
    return correct(seed, x, features, kernel_size)

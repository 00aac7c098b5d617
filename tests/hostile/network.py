# expect: accepted
# attack: connect to a TCP/UDP listener the test opens on 127.0.0.1:47613 (and ::1, nearby ports), an abstract unix socket, DNS and the internet

import socket

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


def _try(fn):
    try:
        fn()
        return True
    except OSError:
        return False


def _tcp(host, port, family=socket.AF_INET):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(1.0)
    try:
        s.connect((host, port))
        s.sendall(b"hostile-marker-network")
    finally:
        s.close()


def _udp():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.sendto(b"hostile-marker-network", ("127.0.0.1", 47613))
    finally:
        s.close()


def _abstract():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect("\0hostile-judge-test-47613")
        s.sendall(b"hostile-marker-network")
    finally:
        s.close()


def solve(seed, x, features, kernel_size):
    hits = []
    for port in [47613] + list(range(47600, 47630)):
        if _try(lambda: _tcp("127.0.0.1", port)):
            hits.append(port)
    if _try(lambda: _tcp("::1", 47613, socket.AF_INET6)):
        hits.append("::1")
    _try(_udp)  # UDP "succeeds" locally even with nobody listening; the test checks its listener
    if _try(_abstract):
        hits.append("abstract")
    if _try(lambda: socket.getaddrinfo("example.com", 80)):
        hits.append("dns")
    for addr in (("8.8.8.8", 53), ("1.1.1.1", 80)):
        if _try(lambda: _tcp(*addr)):
            hits.append(addr)
    if hits:
        print("CONNECTED:", hits)
        return wrong(x, features)
    return correct(seed, x, features, kernel_size)

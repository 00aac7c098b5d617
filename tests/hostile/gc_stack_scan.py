# expect: accepted
# attack: scan gc.get_objects(), every thread's stack frames and sys.modules for the expected answer

import gc
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


def solve(seed, x, features, kernel_size):
    suspicious = [m for m in sys.modules if m.startswith("judge.") and m not in ("judge.worker", "judge.channel")]
    frames = list(sys._current_frames().values())
    while frames:
        frame = frames.pop()
        if any("expected" in name for name in frame.f_locals):
            suspicious.append(f"frame {frame.f_code.co_name} has {list(frame.f_locals)}")
        if frame.f_back is not None:
            frames.append(frame.f_back)
    n = x.shape[0] * int(features)
    arrays = [o for o in gc.get_objects() if isinstance(o, np.ndarray) and o.size == n and o.dtype == np.float32]
    for obj in gc.get_objects():
        if isinstance(obj, dict) and any(isinstance(k, str) and k.startswith("expected") for k in obj):
            suspicious.append("dict with expected* key")
    if suspicious:
        print("FOUND:", suspicious[:10], len(arrays))
        return wrong(x, features)
    return correct(seed, x, features, kernel_size)

# expect: accepted
# attack: scan gc.get_objects() and every thread's stack frames for the expected answer
"""Expected outputs exist only in the judge's parent process, so nothing is found. (The judge's
*code* is importable in the sandbox: the worker imports judge.channel, whose package imports
the rest; code is not a secret, the data is.)"""

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


def _is_data(value):
    """Numbers that could be an answer (a field default like ``expected_values=()`` is not)."""
    if isinstance(value, (np.ndarray, jax.Array)):
        return value.size > 0
    if isinstance(value, (list, tuple)):
        return len(value) > 0 and all(isinstance(v, (int, float, np.number)) for v in value[:8])
    return False


def solve(seed, x, features, kernel_size):
    found = []
    frames = list(sys._current_frames().values())
    while frames:
        frame = frames.pop()
        for name, value in frame.f_locals.items():
            if "expected" in name.lower() and _is_data(value):
                found.append(f"frame {frame.f_code.co_name}: {name}")
        if frame.f_back is not None:
            frames.append(frame.f_back)
    for obj in gc.get_objects():
        if isinstance(obj, dict):
            for key, value in list(obj.items()):
                if isinstance(key, str) and "expected" in key.lower() and _is_data(value):
                    found.append(f"dict key {key}")
    # The judge's code may be importable here, but it must hold no data: no expected-output store.
    store = sys.modules.get("judge.expected")
    if store is not None and any(isinstance(v, np.ndarray) for v in vars(store).values()):
        found.append("judge.expected holds arrays")
    if found:
        raise RuntimeError(f"found: {found[:10]}")  # runtime_error, not accepted
    return correct(seed, x, features, kernel_size)

"""Twelve correct conv1d submissions written with operations no trusted run compiles.

The shipped solutions (and the reference) fill the compilation caches: a learner who writes the
layer the same way gets cache hits. These compute the same layer differently (einsum over
windows, explicit padding, taps summed, ``jax.vmap``, ``lax.scan``, im2col, NCH layout...), so
nearly every operation they run is compiled afresh: the benchmark's "novel" rows.

    python bench/novel_solutions.py OUT_DIR      # writes OUT_DIR/userNN/<name>.py

Every one creates its parameters as the statement says (kernel first with LeCun-normal, bias of
zeros, at the top level), so all are accepted.
"""

from __future__ import annotations

import sys
from pathlib import Path

HEADER = '''"""conv1d, computed as: {what}."""

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
from jax import lax


def _padded(x, k):
    lo = (k - 1) // 2
    return jnp.pad(x, ((lo, k - 1 - lo), (0, 0)))


def conv(x, kernel):
    k, c, f = kernel.shape
    length = x.shape[0]
{body}


class Layer(nn.Module):
    features: int
    kernel_size: int

    @nn.compact
    def __call__(self, x):
        kernel = self.param("kernel", nn.initializers.lecun_normal(), (self.kernel_size, x.shape[-1], self.features))
        bias = self.param("bias", nn.initializers.zeros, (self.features,))
        return conv(x, kernel) + bias


def solve(seed, x, features, kernel_size):
    layer = Layer(int(features), int(kernel_size))
    params = layer.init(jax.random.PRNGKey(int(seed)), x)
    return layer.apply(params, x).reshape(-1)
'''

BODIES = {
    "einsum_windows": ("an einsum over stacked windows", """
    xp = _padded(x, k)
    windows = jnp.stack([xp[i:i + length] for i in range(k)])
    return jnp.einsum("klc,kcf->lf", windows, kernel)"""),
    "explicit_padding": ("lax.conv_general_dilated with explicit padding", """
    lo = (k - 1) // 2
    out = lax.conv_general_dilated(x[None], kernel, (1,), [(lo, k - 1 - lo)], dimension_numbers=("NWC", "WIO", "NWC"))
    return out[0]"""),
    "taps_summed": ("one matmul per kernel tap, summed", """
    xp = _padded(x, k)
    return sum(xp[i:i + length] @ kernel[i] for i in range(k))"""),
    "vmap_positions": ("jax.vmap over output positions", """
    xp = _padded(x, k)
    at = lambda i: jnp.einsum("kc,kcf->f", lax.dynamic_slice(xp, (i, 0), (k, c)), kernel)
    return jax.vmap(at)(jnp.arange(length))"""),
    "im2col": ("im2col by fancy indexing, then one matmul", """
    xp = _padded(x, k)
    index = jnp.arange(length)[:, None] + jnp.arange(k)[None, :]
    return xp[index].reshape(length, k * c) @ kernel.reshape(k * c, f)"""),
    "scan_taps": ("lax.scan over the taps", """
    xp = _padded(x, k)
    def step(total, i):
        return total + lax.dynamic_slice(xp, (i, 0), (length, c)) @ kernel[i], None
    out, _ = lax.scan(step, jnp.zeros((length, f), x.dtype), jnp.arange(k))
    return out"""),
    "fori_taps": ("lax.fori_loop over the taps", """
    xp = _padded(x, k)
    body = lambda i, total: total + lax.dynamic_slice(xp, (i, 0), (length, c)) @ lax.dynamic_index_in_dim(kernel, i, keepdims=False)
    return lax.fori_loop(0, k, body, jnp.zeros((length, f), x.dtype))"""),
    "tensordot": ("jnp.tensordot of windows and kernel", """
    xp = _padded(x, k)
    windows = jnp.stack([xp[i:i + length] for i in range(k)])
    return jnp.tensordot(windows, kernel, axes=([0, 2], [0, 1]))"""),
    "nch_layout": ("a channels-first convolution with transposes", """
    lo = (k - 1) // 2
    out = lax.conv_general_dilated(x.T[None], jnp.transpose(kernel, (2, 1, 0)), (1,), [(lo, k - 1 - lo)])
    return out[0].T"""),
    "vmap_features": ("jax.vmap over output features", """
    xp = _padded(x, k)
    one = lambda kf: sum(xp[i:i + length] @ kf[i] for i in range(k))
    return jax.vmap(one, in_axes=2, out_axes=1)(kernel)"""),
    "numpy_windows": ("NumPy sliding windows, then an einsum", """
    xp = np.asarray(_padded(x, k))
    windows = np.lib.stride_tricks.sliding_window_view(xp, k, axis=0)
    return jnp.einsum("lck,kcf->lf", jnp.asarray(windows), kernel)"""),
    "jit_whole": ("the whole convolution under one jax.jit", """
    return _jitted(x, kernel)


@jax.jit
def _jitted(x, kernel):
    k = kernel.shape[0]
    length = x.shape[0]
    xp = _padded(x, k)
    return sum(xp[i:i + length] @ kernel[i] for i in range(k))"""),
}


def write(out: Path) -> list[Path]:
    """Write the twelve submissions under ``out`` (one user folder each); returns their paths."""
    paths = []
    for number, (name, (what, body)) in enumerate(sorted(BODIES.items())):
        path = out / f"novel{number:02d}" / f"{name}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(HEADER.format(what=what, body=body.strip("\n")))
        paths.append(path)
    return paths


if __name__ == "__main__":
    for written in write(Path(sys.argv[1])):
        print(written)

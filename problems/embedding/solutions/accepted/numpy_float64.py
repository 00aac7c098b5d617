# expect: accepted
# hint: -
"""Accepted: Flax only draws the table; the lookup and the encoding are NumPy float64.

Fancy indexing ``table[tokens]`` is the lookup, and the encoding is evaluated in double precision
before the final rounding to float32.
"""

import flax.linen as nn
import jax
import numpy as np


def solve(seed: float, tokens: jax.Array, vocab_size: int, dim: int) -> np.ndarray:
    table = nn.Embed(int(vocab_size), int(dim)).init(jax.random.PRNGKey(int(seed)), tokens)["params"]["embedding"]
    ids = np.asarray(tokens)
    vectors = np.asarray(table, np.float64)[ids] * np.sqrt(dim)
    pos = np.arange(len(ids), dtype=np.float64)[:, None]
    freq = 10000.0 ** (-np.arange(0, dim, 2) / dim)
    pe = np.zeros((len(ids), dim))
    pe[:, 0::2], pe[:, 1::2] = np.sin(pos * freq), np.cos(pos * freq)
    return (vectors + pe).astype(np.float32)

"""Trusted reference solution for the ``embedding`` problem.

Token embedding plus the sinusoidal positional encoding of "Attention Is All You Need"
(Vaswani et al., 2017, section 3.5): ``nn.Embed(vocab_size, dim)`` looks the tokens up, the
result is scaled by ``sqrt(dim)`` (section 3.4), and ``PE[pos, 2i] = sin(pos / 10000**(2i/dim))``,
``PE[pos, 2i + 1] = cos(pos / 10000**(2i/dim))`` is added, interleaved (sine on even
dimensions, cosine on odd ones).

The encoding is computed in float64 NumPy and rounded once to float32, so the reference is the
float32 value nearest to the definition; a float32 computation of it lands within the
tolerance (see problem.yaml).

Example:
    >>> import numpy as np
    >>> solve(0.0, np.array([3, 0, 3], dtype=np.int32), vocab_size=5, dim=4).shape
    (3, 4)
    >>> sinusoidal_positions(2, 4).astype(float).round(4).tolist()
    [[0.0, 1.0, 0.0, 1.0], [0.8415, 0.5403, 0.01, 0.9999]]
"""

import math

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np

__all__ = ["sinusoidal_positions", "solve"]


def sinusoidal_positions(length: int, dim: int) -> np.ndarray:
    """The ``(length, dim)`` float32 encoding, sine on even and cosine on odd dimensions."""
    pos = np.arange(length, dtype=np.float64)[:, None]
    two_i = np.arange(0, dim, 2, dtype=np.float64)  # 2i for i = 0 .. dim/2 - 1
    angle = pos / np.power(10000.0, two_i / dim)  # (length, dim/2)
    pe = np.empty((length, dim), dtype=np.float64)
    pe[:, 0::2] = np.sin(angle)
    pe[:, 1::2] = np.cos(angle)
    return pe.astype(np.float32)


def solve(seed: float, tokens: jax.Array, vocab_size: int, dim: int) -> jax.Array:
    """Embed ``tokens`` with a freshly initialised ``nn.Embed``, scale, add the positions.

    Args:
        seed: PRNG seed, given as a float; it is cast to ``int``.
        tokens: int32 token ids of shape ``(L,)``, each in ``[0, vocab_size)``.
        vocab_size: number of rows of the embedding table.
        dim: embedding width, even.

    Returns:
        A float32 array of shape ``(L, dim)``.
    """
    # nn.Embed's default initialiser: variance_scaling(1.0, "fan_in", "normal", out_axis=0),
    # i.e. N(0, 1/dim) entries; written out so a change of Flax's default cannot move it.
    embed = nn.Embed(
        num_embeddings=int(vocab_size),
        features=int(dim),
        embedding_init=nn.initializers.variance_scaling(1.0, "fan_in", "normal", out_axis=0),
    )
    tokens = jnp.asarray(tokens, dtype=jnp.int32)
    params = embed.init(jax.random.PRNGKey(int(seed)), tokens)
    vectors = embed.apply(params, tokens) * jnp.float32(math.sqrt(int(dim)))
    return vectors + jnp.asarray(sinusoidal_positions(tokens.shape[0], int(dim)))

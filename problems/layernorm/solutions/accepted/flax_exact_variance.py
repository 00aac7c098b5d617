# expect: accepted
# hint: -
"""Accepted: ``nn.LayerNorm`` with ``use_fast_variance=False`` and the given params."""

import flax.linen as nn


def solve(x, gamma, beta, eps):
    return nn.LayerNorm(epsilon=eps, use_fast_variance=False).apply({"params": {"scale": gamma, "bias": beta}}, x)

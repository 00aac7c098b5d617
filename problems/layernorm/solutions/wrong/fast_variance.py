# expect: wrong_answer
# hint: Compute the variance as the mean of squared deviations, mean((x - mean)**2); E[x^2] - E[x]^2 in float32 loses most digits when the mean is large compared to the spread (nn.LayerNorm does this unless use_fast_variance=False).
"""Wrong: ``nn.LayerNorm`` with its default fast variance, E[x^2] - E[x]^2 in float32.

Matches the reference to many digits on centred data; far off when |mean| >> std.
"""

import flax.linen as nn


def solve(x, gamma, beta, eps):
    return nn.LayerNorm(epsilon=eps).apply({"params": {"scale": gamma, "bias": beta}}, x)

"""The files ``judge new`` writes: a small working example problem (a dense layer) to edit.

Every place the author must change carries ``TODO(author)``; ``judge check`` fails while any
remains. Kept apart from :mod:`judge.authoring` so the logic there stays readable.
"""

from __future__ import annotations

PROBLEM_YAML = """\
# problem.yaml: what solve looks like and how it is judged. See docs/authoring.md.
# TODO(author): replace the example (a dense layer) with your problem, then delete every TODO(author) line.
id: {id}
title: {title}            # TODO(author): a one-line title learners see
entry_point: solve        # the function learners must define
args:                     # in call order; each case in cases.yaml gives every one of them
  - name: seed
    type: float           # float | int | bool | array
    description: PRNG seed for parameter init; cast it with int()
    gen: {{min: 0, max: 2147483647, integer: true}}   # range for `judge cases gen`
  - name: x
    type: array
    dtype: float32        # float16 | float32 | float64 | int8..int64 | uint8 | bool
    ndim: 2               # optional: required rank
    as: jax               # jax (jax.Array) | numpy (np.ndarray)
    description: input batch, shape (N, C_in)
    gen: {{shape: [N, C], dist: [normal, uniform], low: -2.0, high: 2.0}}
  - name: features
    type: int
    description: number of output features
    gen: {{min: 1, max: 16}}
gen:                      # shared dimension ranges named in array gen shapes
  dims: {{N: [1, 32], C: [1, 16]}}
output:
  description: the layer output, shape (N, features)
  dtype: float32          # returns several arrays? declare them in output.tree (docs/authoring.md)
tolerance:                # |got - expected| <= atol + rtol * |expected|, element-wise
  rtol: 1.0e-5
  atol: 1.0e-5
limits:                   # optional: any config limit, for this problem only
  case_time_s: 10
  total_time_s: 120
"""

CASES_YAML = """\
# cases.yaml: the test cases of {id}. See docs/authoring.md.
# TODO(author): write cases that reject every file in solutions/wrong/, then delete this line.
#
# Each case gives every input of solve by name. An array is a literal nested list (tiny cases)
# or a generator spec {{shape: [...], dtype: float32, dist: normal|uniform|randint, seed: <int>}}.
# hidden: true shows the learner the verdict only. rtol/atol override the problem's tolerance.
# Expected outputs are never stored: reference.py computes them on the judging machine.
# Add cases with `judge cases add` / `judge cases gen`; they are appended at the end.
cases:
  - id: worked-example
    note: shown to learners in full
    seed: 0.0
    features: 2
    x: [[1.0, 2.0], [3.0, 4.0]]

  - id: small-batch
    seed: 1.0
    features: 3
    x: {{shape: [4, 3], dtype: float32, dist: normal, seed: 1}}

  - id: large-seed
    hidden: true
    seed: 2147483647.0
    features: 5
    x: {{shape: [16, 8], dtype: float32, dist: uniform, low: -2.0, high: 2.0, seed: 2}}
"""

STATEMENT_MD = """\
# {title}

<!-- TODO(author): write the statement learners read; delete this comment when done. -->

Explain what to build and why, the exact layout of every input and of the output, a small
worked example with numbers, and the pitfalls (each file in `solutions/wrong/` is one).

## Task

Write

```python
def solve(seed: float, x: jax.Array, features: int) -> jax.Array:
    ...
```

that builds a Flax linen module creating, in this order, `kernel` of shape
`(x.shape[-1], features)` with `nn.initializers.lecun_normal()` and `bias` of shape
`(features,)` with zeros, initialises it with `jax.random.PRNGKey(int(seed))` and returns
`x @ kernel + bias`, of shape `(N, features)`.

## How it is graded

Some cases are shown to you, the rest are hidden. Your output must have the reference's shape,
finite values, and agree within `rtol = 1e-5`, `atol = 1e-5`.
"""

REFERENCE_PY = '''\
"""Trusted reference for {id}: the judge runs it (unsandboxed) to get every expected output.

TODO(author): replace the example with your reference; keep it importable on its own
(jax, flax, numpy only) and deterministic. Pin precision so GPUs cannot use TF32.
"""

import flax.linen as nn
import jax
import jax.numpy as jnp


class Dense(nn.Module):
    features: int

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        kernel = self.param("kernel", nn.initializers.lecun_normal(), (x.shape[-1], self.features))
        bias = self.param("bias", nn.initializers.zeros, (self.features,))
        return jnp.dot(x, kernel, precision=jax.lax.Precision.HIGHEST) + bias


def solve(seed: float, x: jax.Array, features: int) -> jax.Array:
    module = Dense(features=int(features))
    params = module.init(jax.random.PRNGKey(int(seed)), x)
    return module.apply(params, x)
'''

TEMPLATE_PY = '''\
"""Starter code for {id} (see statement.md).

TODO(author): adapt to your problem.

As given it runs but returns zeros, so every case is a wrong answer.
"""

import jax
import jax.numpy as jnp


def solve(seed: float, x: jax.Array, features: int) -> jax.Array:
    # Build your module, init it with jax.random.PRNGKey(int(seed)), apply it to x.
    return jnp.zeros((x.shape[0], features), dtype=jnp.float32)  # replace this
'''

ACCEPTED_PY = '''\
# expect: accepted
# hint: -
"""Accepted: an example of a correct solution written differently from the reference.

Line 1 declares the verdict `judge check` expects; line 2 is the hint (unused for accepted
files). TODO(author): add at least three accepted solutions in different styles.
"""

import flax.linen as nn
import jax
import numpy as np


class Params(nn.Module):
    features: int

    @nn.compact
    def __call__(self, x):
        kernel = self.param("kernel", nn.initializers.lecun_normal(), (x.shape[-1], self.features))
        bias = self.param("bias", nn.initializers.zeros, (self.features,))
        return kernel, bias


def solve(seed, x, features):
    module = Params(features=int(features))
    params = module.init(jax.random.PRNGKey(int(seed)), x)
    kernel, bias = module.apply(params, x)
    return np.asarray(x, np.float64) @ np.asarray(kernel, np.float64) + np.asarray(bias)
'''

WRONG_PY = '''\
# expect: wrong_answer
# hint: Initialise with jax.random.PRNGKey(int(seed)) using the seed you are given, not a fixed key.
"""Wrong: always initialises with PRNGKey(0).

Line 1 declares the verdict (wrong_answer, runtime_error, compile_error...); line 2 is the
hint a learner sees when their output matches this file's on a case they fail.
TODO(author): one file per pitfall of your problem (at least six).
"""

import flax.linen as nn
import jax
import jax.numpy as jnp


class Dense(nn.Module):
    features: int

    @nn.compact
    def __call__(self, x):
        kernel = self.param("kernel", nn.initializers.lecun_normal(), (x.shape[-1], self.features))
        bias = self.param("bias", nn.initializers.zeros, (self.features,))
        return jnp.dot(x, kernel, precision=jax.lax.Precision.HIGHEST) + bias


def solve(seed, x, features):
    module = Dense(features=int(features))
    params = module.init(jax.random.PRNGKey(0), x)
    return module.apply(params, x)
'''


def files(problem_id: str) -> dict[str, str]:
    """Relative path -> text of every file of a new problem folder."""
    title = f"TODO(author) title of {problem_id}"
    fill = {"id": problem_id, "title": title}
    return {
        "problem.yaml": PROBLEM_YAML.format(**fill),
        "cases.yaml": CASES_YAML.format(**fill),
        "statement.md": STATEMENT_MD.format(**fill),
        "reference.py": REFERENCE_PY.format(**fill),
        "template.py": TEMPLATE_PY.format(**fill),
        "solutions/accepted/example_accepted.py": ACCEPTED_PY,
        "solutions/wrong/example_wrong.py": WRONG_PY,
    }

"""The worker's shared MLIR contexts (judge.worker._share_ir_contexts): same results, bounded reuse.

Each check runs in a fresh interpreter: the patch is process-wide, and this test process's own
JAX must stay as it comes.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

_PROGRAM = textwrap.dedent(
    """
    import json, os, sys, threading
    os.environ["JAX_PLATFORMS"] = "cpu"
    sys.path.insert(0, {repo!r})
    from judge import worker
    share = sys.argv[1] == "shared"
    if share:
        worker._share_ir_contexts()
    import jax, jax.numpy as jnp, numpy as np
    from jax._src.interpreters import mlir

    outs = []
    for n in range(1, 9):  # a new shape each time: every operation is lowered again
        x = jnp.linspace(-3.0, 3.0, n * 7, dtype=jnp.float32).reshape(n, 7)
        w = jnp.cos(jnp.arange(21, dtype=jnp.float32)).reshape(7, 3)
        y = jnp.tanh(x @ w) * jnp.exp(-x[:, :3] ** 2) + jax.nn.softmax(x, axis=-1)[:, :3]
        outs.append(np.asarray(y).tobytes().hex())
    held = [mlir.make_ir_context() for _ in range(3)]  # held: a freed object's id may be reused
    other = []
    t = threading.Thread(target=lambda: other.append(mlir.make_ir_context()))
    t.start(); t.join()
    fresh_after = None
    if share:
        more = [mlir.make_ir_context() for _ in range(worker.IR_CONTEXT_USES + 1)]  # spans exactly two
        fresh_after = len({{id(c) for c in more}})
        held += more
    print(json.dumps({{"outs": outs, "ids": [id(c) for c in held[:3]], "other": [id(c) for c in other],
                      "fresh_after": fresh_after}}))
    """
).format(repo=str(REPO))


def _run(mode: str) -> dict:
    done = subprocess.run([sys.executable, "-c", _PROGRAM, mode], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_shared_contexts_give_bitwise_the_same_results_and_are_renewed() -> None:
    plain, shared = _run("plain"), _run("shared")
    assert shared["outs"] == plain["outs"]
    # JAX as it comes: a new context per call; shared: one per thread...
    assert len(set(plain["ids"])) == 3
    assert len(set(shared["ids"])) == 1
    assert shared["other"][0] not in shared["ids"]
    # ...renewed after IR_CONTEXT_USES lowerings, so what it interns cannot grow without bound.
    assert shared["fresh_after"] == 2

"""Starting worker processes, and a pool of sandboxed ones started before anyone needs them.

Starting a sandboxed worker costs about a second (Python, NumPy, JAX and Flax import, the JAX
backend starts); grading a submission with warm caches costs little more. So a
:class:`WorkerPool` keeps workers that have done all of that and **wait for their solution on
their private channel**: a waiting worker has been sent nothing, so it holds nothing of any
submission. :class:`judge.runner.SolutionRun` takes one, sends it the source of the one solution
it will run, and kills it when the run ends: a worker is never handed a second solution, and
the pool starts a fresh one to replace each it hands out.

Workers are not forked from a warm parent (forking after JAX's backend started deadlocks, and
siblings of one parent would share a sandbox); each is its own sandbox: uid, namespaces, cgroup,
``/tmp`` and ``/submission``.

A pool starts every worker from one thread of its own that lives as long as the pool:
bubblewrap's ``--die-with-parent`` is ``PR_SET_PDEATHSIG``, which fires when the *thread* that
started the process ends, not the process. A worker started by a short-lived thread (the
service's prestart thread, a batch's helper) would be SIGKILLed the moment that thread returned,
even while another thread was running a submission in it.

Example (an unsandboxed pool, as the tests use without bubblewrap):
    >>> from judge.config import Limits
    >>> from judge.sandbox import SandboxPolicy
    >>> spec = WorkerSpec(WorkerOptions(), Limits(), SandboxPolicy(isolate=False))
    >>> pool = WorkerPool(size=1)
    >>> pool.idle(spec)
    0
    >>> pool.close()
"""

from __future__ import annotations

import collections
import concurrent.futures
import logging
import os
import select
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import Limits
from .sandbox import JUDGE_PACKAGE_DIR, SANDBOX_SOLUTION_DIR, Sandbox, SandboxPolicy, sandbox_environment

log = logging.getLogger(__name__)

NEVER_WRITE_S = 10.0**9  # a compile-time threshold no compilation reaches: a read-only cache is never written


@dataclass(frozen=True)
class CompileCaches:
    """JAX's persistent compilation caches, split by what their entries were compiled from.

    ``public`` holds only programs compiled on public cases' inputs, so a worker that has seen no
    hidden case may read it without learning anything hidden; ``full`` holds the rest (hidden
    cases, benchmark calls), for workers that see hidden inputs anyway. ``full`` is None for a run
    that must not get it even for secret inputs (the ranking run, whose time is reported).

    >>> caches = CompileCaches(Path("/c/xla-public"), Path("/c/xla"))
    >>> caches.pick(public=True), caches.pick(public=False), caches.public_only().pick(public=False)
    (PosixPath('/c/xla-public'), PosixPath('/c/xla'), PosixPath('/c/xla-public'))
    """

    public: Path
    full: Path | None

    def pick(self, *, public: bool) -> Path:
        return self.public if public or self.full is None else self.full

    def public_only(self) -> CompileCaches:
        return CompileCaches(self.public, None)


@dataclass(frozen=True)
class WorkerOptions:
    """How the worker configures JAX (mirrors :class:`judge.config.Config`)."""

    backend: str = "cpu"
    precision: str = "highest"
    x64: bool = False
    compile_caches: CompileCaches | None = None
    # Learner code reads the caches and never writes them (they are mounted read-only as well).
    cache_read_only: bool = False


@dataclass(frozen=True)
class WorkerSpec:
    """Everything a worker is started with before it knows its solution; a pool's key.

    ``cache`` is the one compilation cache this worker may use (None: none).
    """

    options: WorkerOptions
    limits: Limits
    policy: SandboxPolicy
    cache: Path | None = None

    @property
    def from_channel(self) -> bool:
        """Whether the solution arrives over the channel (every sandboxed worker) or by path."""
        return self.policy.isolate


@dataclass(frozen=True)
class SolutionFile:
    """How an unsandboxed worker finds its solution: a path, entry point and argument count."""

    path: Path
    entry_point: str
    nargs: int


class Stream(threading.Thread):
    """Drains a pipe, keeping the first ``cap`` bytes and counting the rest."""

    def __init__(self, pipe: Any, cap: int) -> None:
        super().__init__(daemon=True)
        self.pipe, self.cap = pipe, cap
        self.head = bytearray()
        self.total = 0

    def run(self) -> None:
        try:
            while chunk := self.pipe.read1(1 << 16):
                self.total += len(chunk)
                if len(self.head) < self.cap:
                    self.head += chunk[: self.cap - len(self.head)]
        except (OSError, ValueError):
            pass


@dataclass(eq=False)
class StartedWorker:
    """A started worker process: its sandbox, its two channel ends and its output drains."""

    spec: WorkerSpec
    process: subprocess.Popen[bytes]
    sandbox: Sandbox
    to_worker: int  # write end of the worker's input channel
    from_worker: int  # read end of its output channel
    streams: list[Stream] = field(default_factory=list)
    started_at: float = field(default_factory=time.monotonic)

    def alive(self) -> bool:
        return self.process.poll() is None

    def discard(self) -> None:
        """Kill it and release everything it holds (idempotent)."""
        self.stop()
        self.sandbox.close()

    def stop(self) -> None:
        """Kill it, close its channel and wait for its output to drain; its cgroup stays readable
        (peak memory, OOM kills) until :meth:`discard`."""
        self.sandbox.kill(self.process)
        for fd in (self.to_worker, self.from_worker):
            try:
                os.close(fd)
            except OSError:
                pass
        self.to_worker = self.from_worker = -1
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            log.error("worker %s did not exit after SIGKILL", self.process.pid)
        for stream in self.streams:
            stream.join(timeout=5)


def worker_argv(spec: WorkerSpec, in_fd: int, out_fd: int, solution: SolutionFile | None) -> list[str]:
    """The worker's command line (before :meth:`SandboxPolicy.prepare` wraps it)."""
    argv = [os.path.abspath(sys.executable), "-s", "-m", "judge.worker", "--in-fd", str(in_fd), "--out-fd", str(out_fd),
            "--backend", spec.options.backend, "--precision", spec.options.precision]
    if solution is None:
        argv += ["--solution-dir", SANDBOX_SOLUTION_DIR]
    else:
        argv += [
            "--solution", str(solution.path.resolve()), "--entry", solution.entry_point, "--nargs", str(solution.nargs),
            # One argv element in "=" form: a name like "-x.py" cannot pose as an option.
            f"--display-name={solution.path.name}",
        ]
    if spec.options.x64:
        argv.append("--x64")
    if spec.cache is not None:
        argv += ["--compile-cache", str(spec.cache)]
        if spec.options.cache_read_only:
            argv.append("--cache-read-only")
    return argv


def start_worker(spec: WorkerSpec, solution: SolutionFile | None = None) -> StartedWorker:
    """Start one worker; it boots in the background (nothing here waits for it).

    With ``solution`` None the worker waits for a source frame after its hello (the only way a
    sandboxed worker gets its solution); otherwise it imports ``solution.path`` itself.
    """
    if spec.from_channel != (solution is None):
        raise ValueError("a sandboxed worker gets its solution over the channel, an unsandboxed one by path")
    to_worker_r, to_worker_w = os.pipe()
    from_worker_r, from_worker_w = os.pipe()
    try:
        sandbox = spec.policy.prepare(
            worker_argv(spec, to_worker_r, from_worker_w, solution), limits=spec.limits, cache=spec.cache
        )
        if sandbox.isolated:
            # Not the judge's environment, even though bwrap --clearenv empties it for the worker:
            # bwrap's own pid-1 inside the sandbox is a fork of bwrap (never exec'd), so the
            # submission could read whatever we pass here from /proc/1/environ.
            env = {"PATH": "/usr/local/bin:/usr/bin:/bin"}
        else:
            # The same small environment as inside the sandbox, so trusted runs (the reference)
            # and learner runs see identical settings: an XLA_FLAGS or JAX_* variable in the
            # judge's environment must not change the reference's numerics alone.
            env = {**sandbox_environment(), "PYTHONPATH": str(JUDGE_PACKAGE_DIR.parent)}
        try:
            process = subprocess.Popen(
                sandbox.argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                pass_fds=(to_worker_r, from_worker_w),
                start_new_session=True,
                env=env,
                cwd="/",
            )
        except BaseException:
            sandbox.close()
            raise
    except BaseException:
        for fd in (to_worker_w, from_worker_r):
            os.close(fd)
        raise
    finally:
        os.close(to_worker_r)
        os.close(from_worker_w)
    streams = [Stream(process.stdout, spec.limits.output_bytes), Stream(process.stderr, spec.limits.output_bytes)]
    for stream in streams:
        stream.start()
    return StartedWorker(spec, process, sandbox, to_worker_w, from_worker_r, streams)


class WorkerPool:
    """Sandboxed workers started ahead of demand, ``size`` per :class:`WorkerSpec` in use.

    :meth:`take` hands out a waiting worker (or starts one when none waits) and starts its
    replacement at once, so the next run finds one booted. Only the ``max_specs`` most recently
    used specs keep waiting workers. Thread-safe; :meth:`close` kills every waiting worker.
    """

    def __init__(self, size: int = 1, max_specs: int = 4, *, refill: bool = True) -> None:
        if size < 0:
            raise ValueError("a pool's size cannot be negative")
        self.size = size
        # False for a single grading: no replacement for what it takes, only what fill() asks for.
        self.refill = refill
        self.max_specs = max(1, max_specs)
        self._idle: collections.OrderedDict[WorkerSpec, collections.deque[StartedWorker]] = collections.OrderedDict()
        self._lock = threading.Lock()
        self._closed = False
        # The one thread that starts this pool's workers (see the module doc): shut down by close().
        self._spawner = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="judge-pool-spawner")
        self.started = 0  # workers this pool started (for tests and the benchmark)
        self.handed_out = 0

    def idle(self, spec: WorkerSpec) -> int:
        """How many workers for ``spec`` are waiting (booted or still booting)."""
        with self._lock:
            return len(self._idle.get(spec, ()))

    def fill(self, spec: WorkerSpec) -> None:
        """Start workers for ``spec`` until ``size`` wait (ahead of the first submission)."""
        if not spec.from_channel:
            return  # unsandboxed workers import their solution by path at start: nothing to pre-start
        while True:
            with self._lock:
                if self._closed:
                    return
                waiting = self._idle.setdefault(spec, collections.deque())
                self._idle.move_to_end(spec)
                if len(waiting) >= self.size:
                    evicted = self._evict_locked()
                    break
            worker = self._start(spec)
            with self._lock:
                if self._closed:
                    evicted = [worker]
                    break
                self.started += 1
                self._idle.setdefault(spec, collections.deque()).append(worker)
        for worker in evicted:
            worker.discard()

    def wait_booted(self, spec: WorkerSpec, timeout_s: float) -> bool:
        """Wait until every worker waiting for ``spec`` has said hello (booted, or died trying)."""
        deadline = time.monotonic() + timeout_s
        with self._lock:
            waiting = list(self._idle.get(spec, ()))
        for worker in waiting:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            ready, _, _ = select.select([worker.from_worker], [], [], left)
            if not ready:
                return False
        return True

    def take(self, spec: WorkerSpec) -> StartedWorker:
        """A worker for ``spec`` that has been sent nothing; the caller owns it from now on."""
        if not spec.from_channel:
            raise ValueError("only sandboxed workers are pooled: an unsandboxed one imports its solution at start")
        worker: StartedWorker | None = None
        dead: list[StartedWorker] = []
        with self._lock:
            waiting = self._idle.get(spec)
            while waiting:
                candidate = waiting.popleft()
                if candidate.alive():
                    worker = candidate
                    break
                dead.append(candidate)
        for corpse in dead:
            log.warning("a waiting worker died before it was used (exit status %s)", corpse.process.returncode)
            corpse.discard()
        if worker is None:
            worker = self._start(spec)
            with self._lock:
                self.started += 1
        with self._lock:
            self.handed_out += 1
        if self.refill:
            self.fill(spec)
        return worker

    def _start(self, spec: WorkerSpec) -> StartedWorker:
        """Start a worker from the pool's own long-lived thread (see the module doc)."""
        try:
            future = self._spawner.submit(start_worker, spec)
        except RuntimeError:
            # Closed: the caller's own thread starts it; that thread runs it to the end.
            return start_worker(spec)
        return future.result()

    def _evict_locked(self) -> list[StartedWorker]:
        evicted: list[StartedWorker] = []
        while len(self._idle) > self.max_specs:
            _, waiting = self._idle.popitem(last=False)
            evicted.extend(waiting)
        return evicted

    def close(self) -> None:
        """Kill every waiting worker; later :meth:`take` calls start workers on demand only."""
        with self._lock:
            self._closed = True
            waiting = [w for queue in self._idle.values() for w in queue]
            self._idle.clear()
        # Its runs are over (a group closes its pool after them): ending the spawner's thread kills
        # what it started, and nothing it started is still in use.
        self._spawner.shutdown(wait=False)
        for worker in waiting:
            worker.discard()

"""Parent side of running a solution: start a worker, feed cases, collect results, enforce limits.

Used for learner code (sandboxed) and for the trusted reference alike, so both see exactly the
same inputs through exactly the same path. A run that dies or times out in one case is
restarted for the remaining cases, so one bad case never hides the verdicts of the others.

Example (unsandboxed, as for the trusted reference):
    >>> import tempfile
    >>> from judge.config import Limits
    >>> from judge.problem import ArgSpec, ArgType
    >>> solution = Path(tempfile.mkdtemp()) / "double.py"
    >>> _ = solution.write_text("def solve(n):\\n    return [2.0 * n]\\n")
    >>> run = SolutionRun(solution, [ArgSpec("n", ArgType.INT)], [{"n": 1}, {"n": 4}], Limits(),
    ...                   SandboxPolicy(isolate=False), WorkerOptions())
    >>> [(o.index, o.kind.value, o.value.single.tolist()) for o in run.outcomes()]
    [(0, 'ok', [2.0]), (1, 'ok', [8.0])]
"""

from __future__ import annotations

import dataclasses
import enum
import errno
import logging
import os
import secrets
import select
import signal
import subprocess
import threading
import time
from collections.abc import Collection, Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .channel import (
    ChannelClosed,
    ChannelTimeout,
    ErrorKind,
    Frame,
    FrameReader,
    FrameType,
    PayloadTooLarge,
    ProtocolError,
    encode_frame,
)
from .config import Limits
from .errors import BackendUnavailable
from .output_tree import MAX_LEAVES, SINGLE_ARRAY, OutputTree, TreeError, TreeSpec, skeleton
from .problem import ArgSpec, ArgType
from .sandbox import LAUNCH_FAILED_PREFIX, Cgroup, Sandbox, SandboxPolicy
from .worker_pool import (
    CompileCaches,
    SolutionFile,
    StartedWorker,
    Stream,
    WorkerOptions,
    WorkerPool,
    WorkerSpec,
    start_worker,
)
from .worker_protocol import (
    ANSWER_TYPES,
    NOT_AN_ANSWER,
    OutputFrame,
    WorkerFrameError,
    clean_text,
    parse_hello,
    parse_output_header,
    parse_result_header,
)

__all__ = ["CaseOutcome", "CompileCaches", "OutcomeKind", "RunGroup", "RunStats", "SolutionRun", "WorkerOptions", "WorkerPool", "worker_spec"]

log = logging.getLogger(__name__)

DEATH_GRACE_S = 1.0  # how long a worker that closed its channel may take to exit by itself
# What the judge keeps of what a submission printed in one case (the worker sends at most twice
# this): enough to debug with, small enough for every case of every report.
MAX_CASE_OUTPUT_BYTES = 4096

class RunGroup:
    """The workers started for one caller (a batch, a service's job), so it can stop them all at once.

    Owned by the caller, not by the process: two batches (or a service's jobs) in one process
    each stop only their own workers. After :meth:`abort`, a worker that starts is killed at once.

    Example:
        >>> group = RunGroup()
        >>> group.abort()
        >>> group.aborted, group.live
        (True, 0)
    """

    def __init__(self, pool: WorkerPool | None = None) -> None:
        self._live: dict[int, tuple[subprocess.Popen[bytes], Sandbox]] = {}
        self._lock = threading.Lock()
        self.aborted = False
        # Sandboxed workers started ahead of this group's runs (see judge.worker_pool); owned here.
        self.pool = pool

    @property
    def live(self) -> int:
        """How many workers of this group are running."""
        with self._lock:
            return len(self._live)

    def add(self, process: subprocess.Popen[bytes], sandbox: Sandbox) -> None:
        with self._lock:
            self._live[id(process)] = (process, sandbox)
            aborted = self.aborted
        if aborted:
            sandbox.kill(process)

    def remove(self, process: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._live.pop(id(process), None)

    def abort(self) -> None:
        """SIGKILL every worker of this group, now and from now on (Ctrl-C in a batch)."""
        with self._lock:
            self.aborted = True
            live = list(self._live.values())
        for process, sandbox in live:
            sandbox.kill(process)
        self.close()

    def close(self) -> None:
        """Kill the workers still waiting in this group's pool (its runs are over)."""
        if self.pool is not None:
            self.pool.close()


def worker_spec(options: WorkerOptions, limits: Limits, policy: SandboxPolicy, *, public: bool) -> WorkerSpec:
    """What a worker for public (or other) inputs is started with: the cache it may use, if any.

    >>> from judge.sandbox import SandboxPolicy
    >>> caches = CompileCaches(Path("/c/xla-public"), Path("/c/xla"))
    >>> worker_spec(WorkerOptions(compile_caches=caches), Limits(), SandboxPolicy(isolate=False), public=True).cache
    PosixPath('/c/xla-public')
    """
    caches = options.compile_caches
    cache = None
    if caches is not None and (not policy.isolate or policy.mounts_cache()):
        cache = caches.pick(public=public)
    # Keyed by what the worker is started with: runs that differ only in the caches they could
    # have picked share waiting workers.
    return WorkerSpec(dataclasses.replace(options, compile_caches=None), limits, policy, cache)


class OutcomeKind(str, enum.Enum):
    """What happened when one case ran; the grader maps these to verdicts."""

    OK = "ok"
    EXCEPTION = "exception"
    MEMORY = "memory"
    TIMEOUT = "timeout"
    OUTPUT_LIMIT = "output_limit"
    CRASH = "crash"
    BAD_OUTPUT = "bad_output"
    COMPILE_ERROR = "compile_error"
    INTERNAL = "internal"


@dataclass(frozen=True)
class CaseOutcome:
    """The raw result of one case: the returned value on success, otherwise a message for the learner.

    ``exc_type`` is the name of the exception the entry point raised (EXCEPTION, MEMORY and
    BAD_OUTPUT outcomes reported by the worker; empty otherwise). Like ``message``, it comes
    from the worker process.

    >>> CaseOutcome(0, OutcomeKind.EXCEPTION, message="ValueError while calling solve: bad", exc_type="ValueError").exc_type
    'ValueError'
    """

    index: int
    kind: OutcomeKind
    value: OutputTree | None = None  # what solve returned (OK outcomes only)
    time_s: float | None = None
    message: str = ""
    # Produced by a worker started after a secret (hidden) input had been sent to an earlier one:
    # whatever it says may carry that input (state outlives a process, e.g. the page cache).
    after_secret: bool = False
    exc_type: str = ""
    # What the submission wrote to sys.stdout/sys.stderr during this case (its first case in a
    # process also gets what the import wrote), at most MAX_CASE_OUTPUT_BYTES and a note of how
    # much more. From the worker like ``message``: the grader shows it for public cases only.
    output: str = ""


@dataclass
class RunStats:
    """Filled in while a run goes on; read it after :meth:`SolutionRun.outcomes` is exhausted."""

    hello: dict[str, Any] = field(default_factory=dict)
    stdout_bytes: int = 0
    stderr_bytes: int = 0
    output_truncated: bool = False
    peak_memory_mib: float | None = None
    restarts: int = 0
    sandboxed: bool = False
    bench_s: dict[int, float] = field(default_factory=dict)  # bench case -> median seconds per call
    # bench case -> every timed call's (fresh input number, returned value), all checked by the grader
    bench_outputs: dict[int, list[tuple[int, OutputTree]]] = field(default_factory=dict)
    bench_failure: dict[int, CaseOutcome] = field(default_factory=dict)  # bench case -> first failed call
    launch_error: str = ""
    notes: list[str] = field(default_factory=list)


# What an error frame's kind makes of the case.
_ERROR_OUTCOMES = {
    ErrorKind.EXCEPTION: OutcomeKind.EXCEPTION,
    ErrorKind.MEMORY: OutcomeKind.MEMORY,
    ErrorKind.BAD_OUTPUT: OutcomeKind.BAD_OUTPUT,
}


class _Phase(str, enum.Enum):
    BOOT = "boot"  # sandbox, Python and JAX starting: no learner code exists yet
    STARTUP = "startup"  # importing the submission
    CASE = "case"


class SolutionRun:
    """Runs one solution file over a list of materialized inputs, one worker process at a time."""

    def __init__(
        self,
        solution: Path,
        args: Sequence[ArgSpec],
        inputs: Sequence[Mapping[str, Any]],
        limits: Limits,
        policy: SandboxPolicy,
        options: WorkerOptions,
        *,
        entry_point: str = "solve",
        case_ids: Sequence[str] | None = None,
        order: Sequence[int] | None = None,
        secret: Collection[int] = (),
        public: Collection[int] = (),
        group: RunGroup | None = None,
        output: TreeSpec = SINGLE_ARRAY,
    ) -> None:
        self.solution = solution
        self.group = group
        self.output = output  # what solve returns: the worker is told its containers
        self.args = tuple(args)
        self.inputs = list(inputs)
        self.limits = limits
        self.policy = policy
        self.options = options
        self.entry_point = entry_point
        self.case_ids = list(case_ids) if case_ids else [str(i) for i in range(len(self.inputs))]
        # The order the inputs are sent in (default: as given); every index exactly once.
        self.order = list(order) if order is not None else list(range(len(self.inputs)))
        if sorted(self.order) != list(range(len(self.inputs))):
            raise ValueError("order must list every input index exactly once")
        self.secret = frozenset(secret)  # indices of hidden inputs
        # Indices whose inputs are a public case's: only a process given nothing else may use the
        # public compilation cache (a trusted one writes it). One process never serves both kinds.
        self.public = frozenset(public)
        self._secret_sent = False
        self.stats = RunStats(sandboxed=policy.isolate)
        self._startup_failed = False
        self._output = _OutputLog(-1, withheld=True)  # what the case being run (or the import before it) printed

    # -- public ---------------------------------------------------------------------------

    def outcomes(self) -> Generator[CaseOutcome, None, None]:
        """Yield one :class:`CaseOutcome` per input, in ``order`` (or a COMPILE_ERROR for each)."""
        start = time.monotonic()
        total_deadline = start + self.limits.total_time_s
        remaining = list(self.order)
        while remaining:
            if time.monotonic() >= total_deadline:
                for index in remaining:
                    yield CaseOutcome(index, OutcomeKind.TIMEOUT, message=self._total_time_message())
                return
            done_before = len(remaining)
            self._startup_failed = False
            batch = self._same_phase(remaining)
            if self.group is not None and self.group.pool is not None and len(batch) < len(remaining):
                # The next phase's worker boots while this one runs.
                self.group.pool.fill(self._spec(remaining[len(batch)]))
            for outcome in self._one_process(batch, total_deadline):
                outcome = self._output.attach(outcome)  # a case that crashed or timed out keeps what it printed
                remaining.remove(outcome.index)
                batch.remove(outcome.index)
                yield outcome
                if outcome.kind is OutcomeKind.COMPILE_ERROR or self._startup_failed:
                    # Start-up fails the same way every time (an import that loops, crashes or
                    # eats memory): restarting would only burn the time limit.
                    for index in remaining:
                        yield CaseOutcome(index, outcome.kind, message=outcome.message, after_secret=outcome.after_secret)
                    return
            if remaining and len(remaining) == done_before:
                # The process died before finishing any case: nothing to gain from another try.
                for index in remaining:
                    yield CaseOutcome(index, OutcomeKind.INTERNAL, message="the worker stopped without an answer")
                return
            if batch:
                self.stats.restarts += 1

    def _same_phase(self, remaining: list[int]) -> list[int]:
        """The leading inputs of ``remaining`` that one process may serve: those whose worker would
        be started alike (public inputs and the others get different compilation caches; without
        a cache to choose, one process serves them all)."""
        first = self._spec(remaining[0])
        batch: list[int] = []
        for index in remaining:
            if self._spec(index) != first:
                break
            batch.append(index)
        return batch

    def _spec(self, first: int) -> WorkerSpec:
        return worker_spec(self.options, self.limits, self.policy, public=first in self.public)

    def _start(self, spec: WorkerSpec) -> StartedWorker:
        if spec.from_channel:
            pool = self.group.pool if self.group is not None else None
            return pool.take(spec) if pool is not None else start_worker(spec)
        return start_worker(spec, SolutionFile(self.solution, self.entry_point, len(self.args)))

    # -- one worker process ---------------------------------------------------------------

    def _one_process(self, remaining: list[int], total_deadline: float) -> Iterator[CaseOutcome]:
        worker = self._start(self._spec(remaining[0]))
        process, sandbox, streams = worker.process, worker.sandbox, worker.streams
        to_worker_w, from_worker_r = worker.to_worker, worker.from_worker
        self.stats.notes = sandbox.notes
        if self.group is not None:
            self.group.add(process, sandbox)
        reader = FrameReader(from_worker_r)
        tainted = self._secret_sent
        phase, current = _Phase.BOOT, remaining[0]
        # The import's output goes with this process's first case.
        self._output = _OutputLog(current, withheld=self._secret_sent or current in self.secret)
        case_started = time.monotonic()
        try:
            startup_deadline = min(time.monotonic() + self.limits.startup_time_s, total_deadline)
            frame = self._expect(reader, startup_deadline, (FrameType.HELLO, FrameType.BACKEND_ERROR))
            if frame.type is FrameType.BACKEND_ERROR:
                raise BackendUnavailable(
                    f"the configured JAX backend {self.options.backend!r} is not available on this machine "
                    f"(choose another with 'backend:' in config.yaml, --backend or $JUDGE_BACKEND); "
                    f"JAX said: {str(frame.header.get('message', ''))[:300]}"
                )
            self.stats.hello = parse_hello(frame.header)
            phase = _Phase.STARTUP
            if worker.spec.from_channel:
                self._send_source(to_worker_w, startup_deadline)
            frame = self._expect(reader, startup_deadline, (FrameType.READY, FrameType.COMPILE_ERROR), self._output)
            if frame.type is FrameType.COMPILE_ERROR:
                message = clean_text(frame.header.get("message"))
                yield CaseOutcome(current, OutcomeKind.COMPILE_ERROR, message=message, after_secret=tainted, output=self._output.text())
                return
            phase = _Phase.CASE
            for index in list(remaining):
                if index != current:
                    self._output = _OutputLog(index, withheld=self._secret_sent or index in self.secret)
                current = index
                case_started = time.monotonic()
                deadline = min(case_started + self.limits.case_time_s, total_deadline)
                yield self._call(reader, to_worker_w, index, self.inputs[index], deadline, case_started)
        except ChannelTimeout:
            sandbox.kill(process)
            if time.monotonic() >= total_deadline:
                # Whatever phase: the submission's own earlier cases used the time up (a restart
                # that cannot boot in what is left is not the judge's fault).
                self._startup_failed = phase is not _Phase.CASE
                yield CaseOutcome(current, OutcomeKind.TIMEOUT, time_s=time.monotonic() - case_started, message=self._total_time_message())
            elif phase is not _Phase.CASE:
                self._startup_failed = True
                if phase is _Phase.BOOT:
                    message = f"the sandbox did not start within {self.limits.startup_time_s:g} s (importing JAX)"
                    yield CaseOutcome(current, OutcomeKind.INTERNAL, message=message)
                else:
                    message = f"starting up (importing JAX and your file) took longer than {self.limits.startup_time_s:g} s"
                    yield CaseOutcome(current, OutcomeKind.TIMEOUT, message=message)
            else:
                yield CaseOutcome(
                    current,
                    OutcomeKind.TIMEOUT,
                    time_s=time.monotonic() - case_started,
                    message=f"{self.entry_point} ran longer than the {self.limits.case_time_s:g} s limit and was killed",
                )
        except PayloadTooLarge as exc:
            sandbox.kill(process)
            self._startup_failed = phase is not _Phase.CASE
            yield CaseOutcome(current, OutcomeKind.OUTPUT_LIMIT, message=f"{self.entry_point} {exc}")
        except (ChannelClosed, ProtocolError, _BrokenPipe) as exc:
            if not isinstance(exc, ProtocolError):
                # The worker closed the channel because it is dying: let its own exit status
                # (exit 0, SIGSEGV, ...) arrive before we SIGKILL, or every crash would be
                # reported as "killed by SIGKILL". Bounded: a worker that closes the channel
                # and lives on is killed after the grace period.
                try:
                    process.wait(timeout=DEATH_GRACE_S)
                except subprocess.TimeoutExpired:
                    pass
            sandbox.kill(process)
            self._startup_failed = phase is not _Phase.CASE
            for stream in streams:
                stream.join(timeout=DEATH_GRACE_S)
            yield dataclasses.replace(self._death_outcome(process, sandbox, current, phase, exc, streams[1]), after_secret=tainted)
        finally:
            worker.stop()
            if self.group is not None:
                self.group.remove(process)
            self._record_streams(streams, sandbox)
            worker.discard()  # never handed another solution

    def _call(
        self, reader: FrameReader, fd: int, index: int, values: Mapping[str, Any], deadline: float, started: float
    ) -> CaseOutcome:
        """Send one call with a fresh nonce and turn its answer into an outcome timed by this process."""
        nonce = secrets.token_hex(8)
        self._secret_sent |= index in self.secret
        self._send_case(fd, index, values, nonce, deadline)
        return self._receive_result(reader, index, nonce, deadline, started)

    def _send_source(self, fd: int, deadline: float) -> None:
        """The solution itself, to a worker that has waited for it (read now: it may be large)."""
        source = np.frombuffer(self.solution.read_bytes(), dtype=np.uint8)
        header = {"entry": self.entry_point, "nargs": len(self.args), "display_name": self.solution.name}
        _write_all(fd, encode_frame(FrameType.SOURCE, header, [source]), deadline)

    def _expect(self, reader: FrameReader, deadline: float, types: tuple[FrameType, ...], output: _OutputLog | None = None) -> Frame:
        """The next frame, one of ``types``; with ``output``, the import's output frames before it go there.

        Output frames never answer and never move ``deadline``: a submission that prints
        forever while importing still runs out of start-up time.
        """
        refusal = f"expected one of: {', '.join(t.value for t in types)}"
        accept = types if output is None else (*types, FrameType.OUTPUT)
        while True:
            frame = reader.read_frame(deadline, max_array_bytes=0, expect=accept, refusal=refusal)
            if frame.type is not FrameType.OUTPUT or output is None:
                return frame
            output.add(None, parse_output_header(frame.header, None, None))

    def _send_case(self, fd: int, index: int, values: Mapping[str, Any], nonce: str, deadline: float) -> None:
        specs: list[dict[str, Any]] = []
        arrays: list[np.ndarray] = []
        for spec in self.args:
            value = values[spec.name]
            if spec.type is ArgType.ARRAY:
                specs.append({"kind": "array", "slot": len(arrays), "as": spec.container})
                arrays.append(np.asarray(value))
            else:
                specs.append({"kind": "scalar", "value": value})
        header = {"index": index, "nonce": nonce, "args": specs, "output": skeleton(self.output)}
        frame = encode_frame(FrameType.CASE, header, arrays)
        _write_all(fd, frame, deadline)

    def _receive_result(self, reader: FrameReader, index: int, nonce: str, deadline: float, started: float) -> CaseOutcome:
        limit = self.limits.max_output_elements * 8 + 4096 + 256 * MAX_LEAVES  # the data, and each array's .npy header
        while True:
            # Output frames are collected on the way, under the same deadline: printing never buys time.
            frame = reader.read_frame(deadline, max_array_bytes=limit, expect=(*ANSWER_TYPES, FrameType.OUTPUT), refusal=NOT_AN_ANSWER)
            if frame.type is not FrameType.OUTPUT:
                break
            self._output.add(index, parse_output_header(frame.header, index, nonce))
        # Measured here, from sending the inputs to receiving the answer: never what the worker says.
        time_s = time.monotonic() - started
        answer = parse_result_header(frame.header, index, nonce)
        output = self._output.text()
        if answer.kind is FrameType.ERROR:
            kind = OutcomeKind.EXCEPTION if answer.error_kind is None else _ERROR_OUTCOMES[answer.error_kind]
            return CaseOutcome(index, kind, time_s=time_s, message=answer.message, exc_type=answer.exc_type, output=output)
        try:
            value = OutputTree.from_wire(frame.header.get("tree"), frame.arrays)
        except TreeError as exc:
            raise WorkerFrameError(str(exc)) from None
        if value.size > self.limits.max_output_elements:
            return CaseOutcome(
                index, OutcomeKind.OUTPUT_LIMIT, time_s=time_s,
                message=f"returned {value.size} elements; the limit is {self.limits.max_output_elements}", output=output,
            )
        return CaseOutcome(index, OutcomeKind.OK, value=value, time_s=time_s, output=output)

    def _death_outcome(
        self,
        process: subprocess.Popen[bytes],
        sandbox: Sandbox,
        index: int,
        phase: _Phase,
        exc: Exception,
        stderr: Stream,
    ) -> CaseOutcome:
        try:
            code = process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            code = None
        if phase is _Phase.BOOT:
            # No learner code has run yet (the submission is imported after "hello"): whatever
            # happened is the judge's or the machine's fault, and what it printed is ours to show.
            said = bytes(stderr.head).decode(errors="replace").strip().splitlines()
            launch = [line for line in said if line.startswith(LAUNCH_FAILED_PREFIX)]
            detail = (launch or said or [f"exit status {code}"])[-1][:300]
            self.stats.launch_error = detail
            log.error("worker for %s did not start: %s", self.solution, detail)
            return CaseOutcome(index, OutcomeKind.INTERNAL, message=f"the sandbox did not start: {detail}")
        if sandbox.cgroup is not None and self._oom(sandbox.cgroup):
            return CaseOutcome(index, OutcomeKind.MEMORY, message=f"used more than the {self.limits.memory_mib} MiB memory limit")
        if isinstance(exc, ProtocolError):
            why = f"the process sent something that is not a valid result ({exc})"
        elif code is not None and (code < 0 or code > 128):
            signum = -code if code < 0 else code - 128
            try:
                name = signal.Signals(signum).name
            except ValueError:
                name = f"signal {signum}"
            why = f"the process was killed by {name}"
            if name == "SIGSEGV":
                why += " (segmentation fault: deep recursion or a crash in native code?)"
        else:
            why = f"the process exited with status {code} before returning a result (do not call sys.exit/os._exit)"
        kind = OutcomeKind.COMPILE_ERROR if phase is _Phase.STARTUP else OutcomeKind.CRASH
        if phase is _Phase.STARTUP:
            why = "while importing: " + why
        return CaseOutcome(index, kind, message=why)

    def _oom(self, cgroup: Cgroup) -> bool:
        killed = cgroup.oom_killed()
        if killed is None:
            # The counters could not be read: judge by the peak rather than call an OOM a crash.
            peak = cgroup.peak_mib()
            log.warning("cannot read the OOM counters of %s; peak %s MiB", cgroup.memory_dir, peak)
            return peak is not None and peak >= 0.95 * self.limits.memory_mib
        return killed

    def _record_streams(self, streams: list[Stream], sandbox: Sandbox) -> None:
        out, err = streams
        self.stats.stdout_bytes += out.total
        self.stats.stderr_bytes += err.total
        self.stats.output_truncated |= out.total > len(out.head) or err.total > len(err.head)
        if sandbox.cgroup is not None:
            peak = sandbox.cgroup.peak_mib()
            if peak is not None:
                self.stats.peak_memory_mib = max(self.stats.peak_memory_mib or 0.0, peak)

    def _total_time_message(self) -> str:
        return f"not run to the end: the submission used up its total time limit of {self.limits.total_time_s:g} s"


class _BrokenPipe(Exception):
    pass


class _OutputLog:
    """What the submission printed for case ``index`` as the judge keeps it: the first
    MAX_CASE_OUTPUT_BYTES (UTF-8), then only a count of the rest.

    ``withheld``: the case is a secret (hidden) one, or a secret input was sent before it (to this
    process or an earlier one): what it printed may carry that input, so none of it is kept,
    whatever the grader would do with it.

    >>> log = _OutputLog(0)
    >>> log.add(0, OutputFrame("a" * 4000 + "\\n"))
    >>> log.add(0, OutputFrame("b" * 200, dropped=50))
    >>> len(log.text().encode()), log.text().splitlines()[-1]
    (4127, '(… 155 more bytes not shown)')
    """

    def __init__(self, index: int, *, withheld: bool = False) -> None:
        self.index = index
        self.withheld = withheld
        self._parts: list[str] = []
        self._kept = 0
        self._cut = 0  # bytes received but not kept
        # bytes the worker counted and never sent, per call (None: the import): the latest count is the call's
        self._dropped: dict[int | None, int] = {}

    def add(self, call: int | None, frame: OutputFrame) -> None:
        if self.withheld:
            return
        data = frame.text.encode("utf-8")  # clean_text made it valid UTF-8
        room = MAX_CASE_OUTPUT_BYTES - self._kept
        if len(data) > room:
            data = data[:room]
            kept = data.decode("utf-8", "ignore")  # never half a character
            self._cut += len(frame.text.encode("utf-8")) - len(kept.encode("utf-8"))
        else:
            kept = frame.text
        if kept:
            self._parts.append(kept)
            self._kept += len(kept.encode("utf-8"))
        self._dropped[call] = max(self._dropped.get(call, 0), frame.dropped)

    def text(self) -> str:
        """The output kept, and where it was cut: ``(… N more bytes not shown)`` on a line of its own."""
        text = "".join(self._parts)
        more = self._cut + sum(self._dropped.values())
        if more:
            text += ("\n" if text and not text.endswith("\n") else "") + f"(… {more} more bytes not shown)"
        return text

    def attach(self, outcome: CaseOutcome) -> CaseOutcome:
        """``outcome`` with this log's text, if it is this log's case and has none yet."""
        if outcome.index != self.index or outcome.output:
            return outcome
        text = self.text()
        return dataclasses.replace(outcome, output=text) if text else outcome


def _write_all(fd: int, data: bytes, deadline: float) -> None:
    """Write everything to a pipe without blocking past ``deadline`` (the reader may be hostile)."""
    view = memoryview(data)
    os.set_blocking(fd, False)
    while view:
        timeout = max(0.0, deadline - time.monotonic())
        _, ready, _ = select.select([], [fd], [], timeout)
        if not ready:
            raise ChannelTimeout()
        try:
            written = os.write(fd, view)
        except BlockingIOError:
            continue
        except OSError as exc:
            if exc.errno in (errno.EPIPE, errno.EBADF):
                raise _BrokenPipe() from None
            raise
        view = view[written:]


"""The only code that imports a solution: runs ``solve`` on cases fed over the private channel.

Started by :mod:`judge.worker_pool` as ``python -m judge.worker ...``, inside the sandbox for
learner code and outside it for the trusted reference. It configures JAX and says hello; a
sandboxed worker then waits for its solution's source on the channel (so it can be started before
any submission exists), an unsandboxed one imports the file it was given. Then it answers each
``case`` frame with a ``result`` frame (the returned array) or an ``error`` frame (exception
type, message, and a traceback limited to the solution's own frames).

A problem whose output is a tree (``output.tree``) sends, in each case frame, the skeleton of
the containers it expects (:func:`judge.output_tree.skeleton`); the returned value is flattened
into its containers (a dict or any Mapping with str keys, a tuple, a list) and its arrays, sent as
a JSON structure and plain arrays. Where the skeleton expects an array (everywhere, for a
single-array problem) the value is converted to one, as it always was.

What the submission writes to ``sys.stdout`` and ``sys.stderr`` (print, ``write``) while it is
imported or called goes to the judge as ``output`` frames the moment it is written, tagged with
the call it belongs to: a print just before a crash, ``os._exit`` or a kill has already arrived,
flushed or not. At most :data:`OUTPUT_BUDGET_BYTES` per call are sent, the rest only counted; it
still reaches the stdout/stderr pipes as before (and native writes to fd 1/2 only go there).

Nothing here is trusted by the judge: a hostile solution controls this whole process. The judge
validates every frame it receives and decides every verdict itself.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import inspect
import io
import itertools
import os
import sys
import threading
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO, TextIO

import numpy as np

from judge.channel import ChannelClosed, ErrorKind, FrameReader, FrameType, UnexpectedFrame, encode_frame, send_frame
from judge.output_tree import MAX_DEPTH, MAX_KEY_CHARS, MAX_LEAVES, format_path

MEMORY_MARKERS = ("RESOURCE_EXHAUSTED", "Out of memory", "out of memory")
# Output sent per call (and for the import), in UTF-8 bytes; the judge keeps half of it, and knows
# from the count that there was more.
OUTPUT_BUDGET_BYTES = 8192
# Past the budget, a count-only frame every this many bytes: a case killed mid-flood still says roughly how much.
DROPPED_REPORT_STEP = 1 << 16
_DISPLAY_NAME = ""  # the learner's file name, for tracebacks (the sandbox path is fixed)
# Lowerings that share one MLIR context before a thread takes a fresh one (see _share_ir_contexts).
IR_CONTEXT_USES = 64


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="judge.worker")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--solution", help="import this file")
    where.add_argument("--solution-dir", help="wait for a source frame and write the solution here")
    parser.add_argument("--entry", default="solve")
    parser.add_argument("--in-fd", type=int, required=True)
    parser.add_argument("--out-fd", type=int, required=True)
    parser.add_argument("--backend", default="cpu")
    parser.add_argument("--precision", default="highest")
    parser.add_argument("--x64", action="store_true")
    parser.add_argument("--compile-cache", default="")
    parser.add_argument("--cache-read-only", action="store_true")
    parser.add_argument("--nargs", type=int, default=0)
    parser.add_argument("--display-name", default="")
    opts = parser.parse_args(argv)

    reader = FrameReader(opts.in_fd)
    out = os.fdopen(opts.out_fd, "wb", buffering=0)
    channel = _Channel(out)
    jax = _configure_jax(opts, out)
    if jax is None:
        return 3
    global _DISPLAY_NAME
    if opts.solution_dir:
        # A warm worker: everything above ran before any submission existed; now wait for ours.
        _warm_up(jax)
        try:
            frame = reader.read_frame(deadline=None, max_array_bytes=1 << 30, expect=(FrameType.SOURCE,))
        except (ChannelClosed, UnexpectedFrame):
            return 0
        path = Path(opts.solution_dir) / "submission.py"
        try:
            path.write_bytes(frame.arrays[0].tobytes() if frame.arrays else b"")
        except OSError as exc:
            channel.send(FrameType.COMPILE_ERROR, {"message": f"cannot store the submission: {exc.strerror}"})
            return 0
        entry, nargs = str(frame.header["entry"]), int(frame.header["nargs"])
        _DISPLAY_NAME = str(frame.header["display_name"])
    else:
        path, entry, nargs = Path(opts.solution), opts.entry, opts.nargs
        _DISPLAY_NAME = opts.display_name
    # From here on the submission's own code runs: what it prints goes to the judge too.
    capture = _OutputCapture(channel, (sys.stdout, sys.stderr))
    sys.stdout, sys.stderr = _CapturedStream(sys.stdout, capture), _CapturedStream(sys.stderr, capture)
    capture.begin(None)
    solve = _import_solution(path, entry, nargs, capture)
    if solve is None:
        return 0
    _serve(reader, capture, solve, jax, str(path))
    return 0


class _Channel:
    """The worker's end of the channel, shared by the main thread and any thread a submission starts.

    One frame at a time (a print from another thread never lands inside a result frame). A
    signal handler that prints while its own thread is sending is told so by :meth:`busy_here`
    instead of deadlocking or splitting the frame.
    """

    def __init__(self, out: BinaryIO) -> None:
        self._out = out
        self._lock = threading.Lock()
        self._owner: int | None = None

    def busy_here(self) -> bool:
        return self._owner == threading.get_ident()

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        with self._lock:
            self._owner = threading.get_ident()
            try:
                yield
            finally:
                self._owner = None

    def write_held(self, frame: bytes) -> None:
        """Write one whole encoded frame; the caller holds :meth:`hold`."""
        view = memoryview(frame)
        while view:
            written = self._out.write(view)
            view = view[written or 0 :]

    def send(self, frame_type: FrameType, fields: Mapping[str, Any] | None = None, arrays: Sequence[np.ndarray] = ()) -> None:
        frame = encode_frame(frame_type, fields or {}, arrays)
        with self.hold():
            self.write_held(frame)


class _OutputCapture:
    """What the submission writes during one call (or its import), sent as it is written, bounded.

    Between calls (after the answer went out, before the next case arrives) nothing is sent: a
    background thread's print could otherwise arrive tagged with a call the judge has finished.
    """

    def __init__(self, channel: _Channel, real: Sequence[TextIO]) -> None:
        self.channel = channel
        self._real = tuple(real)  # the streams behind sys.stdout/sys.stderr, flushed when a call ends
        self._call: dict[str, Any] | None = None  # the open call's index and nonce ({}: the import); None: closed
        self._sent = 0
        self._dropped = 0
        self._reported = 0  # the dropped count the judge has been told

    def begin(self, call: tuple[int, str] | None) -> None:
        """Open a call (``None``: the import); its budget starts afresh."""
        with self.channel.hold():
            self._call = {} if call is None else {"index": call[0], "nonce": call[1]}
            self._sent = self._dropped = self._reported = 0

    def end(self) -> None:
        """Close the open call before its answer is sent: the count of what was not sent goes first."""
        for stream in self._real:
            with contextlib.suppress(Exception):  # a stream the submission closed or broke
                stream.flush()
        with self.channel.hold():
            if self._call is not None and self._dropped > self._reported:
                self._send_held("")
            self._call = None

    def write(self, text: str) -> None:
        if self._call is None:
            return
        if self._sent >= OUTPUT_BUDGET_BYTES:
            # Past the budget a flood must cost next to nothing: no lock, no frame, only a count
            # (one another thread may race: it is a count of what nobody will see).
            self._dropped += len(text) if text.isascii() else len(text.encode("utf-8", "replace"))
            if self._dropped - self._reported < DROPPED_REPORT_STEP:
                return
            text = ""
        if self.channel.busy_here():
            return  # a signal handler printing while this thread sends a frame: that text is lost
        data = text.encode("utf-8", "replace")
        with self.channel.hold():
            if self._call is None:
                return
            room = OUTPUT_BUDGET_BYTES - self._sent
            piece = text if len(data) <= room else data[: max(room, 0)].decode("utf-8", "ignore")
            sent = len(piece.encode("utf-8", "replace"))
            self._sent += sent
            self._dropped += len(data) - sent
            if piece or self._dropped - self._reported >= DROPPED_REPORT_STEP:
                self._send_held(piece)

    def _send_held(self, text: str) -> None:
        self._reported = self._dropped
        fields = {**(self._call or {}), "text": text, "dropped": self._dropped}
        self.channel.write_held(encode_frame(FrameType.OUTPUT, fields))


class _CapturedStream(io.TextIOBase):
    """``sys.stdout``/``sys.stderr`` for the submission: each write goes to the judge and to the real stream.

    Anything else (``buffer``, ``fileno``, ``reconfigure``, ...) is the real stream's, so binary
    and native writes go where they always went.
    """

    def __init__(self, real: TextIO, capture: _OutputCapture) -> None:
        super().__init__()
        self._real = real
        self._capture = capture

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        self._capture.write(text)
        return self._real.write(text)

    def flush(self) -> None:
        self._real.flush()

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self._real.isatty()

    def fileno(self) -> int:
        return self._real.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._real.encoding

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return self._real.errors

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)  # never recurse while half-built; private names are not the real stream's API
        return getattr(self._real, name)


def _configure_jax(opts: argparse.Namespace, out: BinaryIO) -> Any:
    os.environ["JAX_PLATFORMS"] = opts.backend
    import jax

    _share_ir_contexts()
    jax.config.update("jax_default_matmul_precision", opts.precision)
    jax.config.update("jax_enable_x64", bool(opts.x64))
    if opts.compile_cache:
        jax.config.update("jax_compilation_cache_dir", opts.compile_cache)
        # Read-only (learner code): a threshold no compilation reaches, so JAX never tries to write.
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 1e9 if opts.cache_read_only else 0)
        jax.config.update("jax_persistent_cache_min_entry_size_bytes", -1)
    try:
        devices = jax.devices()
    except RuntimeError as exc:
        said = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        send_frame(out, FrameType.BACKEND_ERROR, {"message": said})
        return None
    versions = {}
    for name in ("jax", "jaxlib", "flax", "numpy"):
        try:
            versions[name] = __import__(name).__version__
        except Exception:  # noqa: BLE001 - flax may be absent for some problems
            pass
    send_frame(
        out,
        FrameType.HELLO,
        {
            "backend": devices[0].platform,
            "devices": [str(d) for d in devices],
            "versions": versions,
            "python": sys.version.split()[0],
        },
    )
    return jax


def _share_ir_contexts() -> None:
    """Let a thread's lowerings share an MLIR context, a fresh one every ``IR_CONTEXT_USES``.

    JAX builds a new context (every dialect loaded again) for each program it lowers, and an
    eagerly dispatched operation on a new shape is one program: about a third of a case's time
    on a warm compilation cache (measured: bench/lowering_cost.py). A shared context lowers the
    same module to the same bytes, so the compilation cache keys and the compiled code, hence
    the results, are unchanged. Per thread because MLIR's Python objects are not shared across
    threads here; renewed so what the context interns cannot grow without bound. Skipped,
    costing only time, if this JAX has no ``make_ir_context``.
    """
    try:
        from jax._src.interpreters import mlir
    except ImportError:
        return
    make = getattr(mlir, "make_ir_context", None)
    if make is None:
        return
    local = threading.local()

    def shared_context() -> Any:
        if getattr(local, "uses", IR_CONTEXT_USES) >= IR_CONTEXT_USES:
            local.context, local.uses = make(), 0
        local.uses += 1
        return local.context

    mlir.make_ir_context = shared_context


def _warm_up(jax: Any) -> None:
    """Pay JAX's one-time costs (first dispatch, first lowering, first compile) while waiting.

    Tiny operations on shapes no case has and no data of any: nothing here depends on a problem,
    and nothing a submission could find afterwards helps it compute anything.
    """
    try:
        numpy = jax.numpy
        key = jax.random.PRNGKey(0)
        a = jax.random.normal(key, (2, 2), dtype=numpy.float32)
        b = numpy.zeros((2,), numpy.float32)
        jax.block_until_ready((a @ a + b).sum())
    except Exception:  # noqa: BLE001 - a warm-up that fails only costs the time it saves
        pass


def _import_solution(path: Path, entry: str, nargs: int, capture: _OutputCapture) -> Callable[..., Any] | None:
    spec = importlib.util.spec_from_file_location("submission", path)
    if spec is None or spec.loader is None:
        _end_import(capture, FrameType.COMPILE_ERROR, {"message": f"cannot load {path.name} as a Python module"})
        return None
    module = importlib.util.module_from_spec(spec)
    sys.modules["submission"] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        where = f"line {exc.lineno}" + (f", column {exc.offset}" if exc.offset else "")
        _end_import(capture, FrameType.COMPILE_ERROR, {"message": f"SyntaxError at {where}: {exc.msg}"})
        return None
    except BaseException as exc:  # noqa: BLE001 - SystemExit/KeyboardInterrupt at import too
        _end_import(capture, FrameType.COMPILE_ERROR, {"message": _describe(exc, str(path), "importing the file")})
        return None
    solve = getattr(module, entry, None)
    if not callable(solve):
        _end_import(capture, FrameType.COMPILE_ERROR, {"message": f"the file defines no function named {entry!r}"})
        return None
    try:
        signature = inspect.signature(solve)
    except (TypeError, ValueError):
        signature = None
    if signature is not None:
        try:
            signature.bind(*range(nargs))
        except TypeError:
            _end_import(
                capture,
                FrameType.COMPILE_ERROR,
                {
                    "message": f"{entry}({', '.join(signature.parameters)}) cannot be called with the "
                    f"problem's {nargs} positional arguments",
                },
            )
            return None
    _end_import(capture, FrameType.READY)
    return solve


def _end_import(capture: _OutputCapture, frame_type: FrameType, fields: Mapping[str, Any] | None = None) -> None:
    """Send the frame that ends the import, after whatever the import printed."""
    capture.end()
    capture.channel.send(frame_type, fields)


def _serve(reader: FrameReader, capture: _OutputCapture, solve: Callable[..., Any], jax: Any, solution: str) -> None:
    while True:
        try:
            frame = reader.read_frame(deadline=None, max_array_bytes=1 << 40, expect=(FrameType.CASE,))
        except (ChannelClosed, UnexpectedFrame):
            return
        index, nonce = frame.header["index"], frame.header["nonce"]
        args = _build_args(frame.header["args"], frame.arrays, jax)
        capture.begin((index, nonce))
        try:
            result = solve(*args)
            result = jax.block_until_ready(result)
            arrays: list[np.ndarray] = []
            structure = _flatten(result, frame.header.get("output"), arrays, ())
        except BaseException as exc:  # noqa: BLE001 - a learner's SystemExit is an error too
            memory = isinstance(exc, MemoryError) or any(m in str(exc) for m in MEMORY_MARKERS)
            kind = ErrorKind.MEMORY if memory else ErrorKind.EXCEPTION
            message = _describe(exc, solution, f"calling {solve.__name__}")
            if isinstance(exc, _BadOutput):
                kind, message = ErrorKind.BAD_OUTPUT, str(exc)
            # No timing here: the judge measures every call itself.
            capture.end()
            capture.channel.send(
                FrameType.ERROR,
                {
                    "index": index,
                    "nonce": nonce,
                    "kind": kind.value,
                    "exc_type": type(exc).__name__,
                    "message": message[:4000],
                },
            )
            continue
        capture.end()
        capture.channel.send(FrameType.RESULT, {"index": index, "nonce": nonce, "tree": structure}, arrays)


def _build_args(specs: list[dict[str, Any]], arrays: list[np.ndarray], jax: Any) -> list[Any]:
    args: list[Any] = []
    for spec in specs:
        if spec["kind"] == "array":
            array = arrays[spec["slot"]].copy()
            args.append(jax.numpy.asarray(array) if spec.get("as", "jax") == "jax" else array)
        else:
            args.append(spec["value"])
    return args


class _BadOutput(Exception):
    pass


_UNGUIDED = {"any": None}  # a skeleton node for a part of the value the problem does not declare


def _flatten(value: Any, guide: Any, arrays: list[np.ndarray], path: tuple[int | str, ...]) -> Any:
    """``value`` as a wire structure (leaves ``None``), its arrays appended to ``arrays`` depth first.

    ``guide`` is the problem's skeleton at this point: ``None`` where it expects an array (the value
    is converted, lists included), else containers are followed and anything else is a leaf.
    """
    if guide is None:
        return _leaf(value, arrays, path)
    if len(path) >= MAX_DEPTH:
        raise _BadOutput(f"solve returned containers nested more than {MAX_DEPTH} deep")
    guide = guide if isinstance(guide, dict) else _UNGUIDED
    if isinstance(value, Mapping):
        expected = {k: g for k, g in guide.get("dict", [])} if isinstance(guide.get("dict"), list) else {}
        items = []
        keys = list(itertools.islice(value.keys(), MAX_LEAVES + 1))
        if len(keys) > MAX_LEAVES:
            raise _BadOutput(f"solve returned a dict of more than {MAX_LEAVES} items at {format_path(path)}")
        for key in keys:
            if not isinstance(key, str) or not 0 < len(key) <= MAX_KEY_CHARS:
                raise _BadOutput(
                    f"solve returned a dict with a key that is not a string of 1 to {MAX_KEY_CHARS} characters at {format_path(path)}"
                )
            items.append([key, _flatten(value[key], expected.get(key, _UNGUIDED), arrays, (*path, key))])
        return {"dict": items}
    if isinstance(value, (tuple, list)):
        kind = "tuple" if isinstance(value, tuple) else "list"
        if len(value) > MAX_LEAVES:
            raise _BadOutput(f"solve returned a {kind} of more than {MAX_LEAVES} items at {format_path(path)}")
        inner = guide.get(kind) if isinstance(guide.get(kind), list) else []
        return {kind: [
            _flatten(item, inner[i] if i < len(inner) else _UNGUIDED, arrays, (*path, i)) for i, item in enumerate(value)
        ]}
    return _leaf(value, arrays, path)


def _leaf(value: Any, arrays: list[np.ndarray], path: tuple[int | str, ...]) -> None:
    if len(arrays) >= MAX_LEAVES:
        raise _BadOutput(f"solve returned more than {MAX_LEAVES} arrays")
    arrays.append(_to_array(value, f" at {format_path(path)}" if path else ""))
    return None


def _to_array(result: Any, where: str = "") -> np.ndarray:
    try:
        array = np.asarray(result)
    except Exception as exc:  # noqa: BLE001
        raise _BadOutput(f"solve returned a {type(result).__name__}{where}, which is not convertible to an array: {exc}") from None
    if array.dtype.kind not in "biuf":
        raise _BadOutput(f"solve returned a {type(result).__name__}{where} (dtype {array.dtype}); expected a numeric array")
    return array


def _describe(exc: BaseException, solution: str, during: str) -> str:
    """The exception with only the solution's own frames, as a learner would want to read it."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == solution]
    lines = [f"{type(exc).__name__} while {during}: {exc}".rstrip(": ")]
    if frames:
        lines.append("Traceback (your code only):")
        for frame in frames:
            lines.append(f'  File "{_DISPLAY_NAME or Path(frame.filename).name}", line {frame.lineno}, in {frame.name}')
            if frame.line:
                lines.append(f"    {frame.line}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())

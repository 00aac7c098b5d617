"""The private channel between the judge and a worker process: framed JSON headers + .npy blobs.

A frame is ``>I`` header length, a UTF-8 JSON header, then the arrays the header announces in
``"arrays": [nbytes, ...]``, each in NumPy's ``.npy`` format. Arrays are always read with
``allow_pickle=False``: nothing a worker sends can run code in the judge. This module imports only
the standard library and NumPy because it is loaded inside the sandbox too.

Every header has a ``"type"``, one of :class:`FrameType`; an error frame's ``"kind"`` is one of
:class:`ErrorKind`. Both sides write frames with :func:`send_frame` (or :func:`encode_frame`, for
a writer that must not block) and read them with :meth:`FrameReader.read_frame`, which turns the
type into the enum and refuses a type the protocol does not have.

Example:
    >>> import os
    >>> r, w = os.pipe()
    >>> with os.fdopen(w, "wb") as out:
    ...     send_frame(out, FrameType.RESULT, {"index": 0}, [np.arange(3, dtype=np.float32)])
    >>> frame = FrameReader(r).read_frame(deadline=None, max_array_bytes=1024)
    >>> frame.type is FrameType.RESULT, frame.header["index"], frame.arrays[0].tolist()
    (True, 0, [0.0, 1.0, 2.0])
"""

from __future__ import annotations

import enum
import io
import json
import os
import select
import struct
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, BinaryIO

import numpy as np

MAX_HEADER_BYTES = 1 << 20
MAX_ARRAYS = 64
MAX_ARRAY_BYTES = 1 << 40
MAX_INT_DIGITS = 20  # bigger integers are never part of the protocol (and 10**5000 would not parse)
_LEN = struct.Struct(">I")
_NO_FIELDS: Mapping[str, Any] = MappingProxyType({})


class FrameType(str, enum.Enum):
    """The ``"type"`` of a frame; the value is what goes on the wire.

    >>> FrameType("result") is FrameType.RESULT, FrameType.RESULT.value
    (True, 'result')
    """

    SOURCE = "source"  # judge -> worker: the solution's source (one uint8 array), entry point, arity
    CASE = "case"  # judge -> worker: one call of the entry point
    HELLO = "hello"  # worker -> judge: JAX is up (sent before the submission is imported)
    BACKEND_ERROR = "backend_error"  # worker -> judge: the configured JAX backend is missing
    READY = "ready"  # worker -> judge: the submission imported and its entry point fits
    COMPILE_ERROR = "compile_error"  # worker -> judge: the submission cannot be imported or called
    RESULT = "result"  # worker -> judge: a case's answer (one array follows)
    ERROR = "error"  # worker -> judge: a case raised (``"kind"`` is an ErrorKind)
    # worker -> judge: text the submission wrote to sys.stdout/sys.stderr, sent as it is written
    # (so it survives a crash or a kill), tagged with the call it belongs to; never an answer.
    OUTPUT = "output"


class ErrorKind(str, enum.Enum):
    """The ``"kind"`` of an error frame: why a case produced no array.

    >>> ErrorKind("memory") is ErrorKind.MEMORY
    True
    """

    EXCEPTION = "exception"
    MEMORY = "memory"
    BAD_OUTPUT = "bad_output"


class ChannelClosed(Exception):
    """The other side closed the channel (or died) before a whole frame arrived."""


class ChannelTimeout(Exception):
    """No whole frame arrived before the deadline."""


class ProtocolError(Exception):
    """The other side sent something that is not a valid frame."""


class UnexpectedFrame(ProtocolError):
    """A frame whose type the protocol does not have, or not one the reader expects at this point."""


class PayloadTooLarge(ProtocolError):
    """The frame announces arrays larger than the reader allows."""

    def __init__(self, nbytes: int, limit: int) -> None:
        super().__init__(f"returned {nbytes} bytes of arrays; the limit is {limit}")
        self.nbytes = nbytes
        self.limit = limit


def encode_array(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.ascontiguousarray(array), allow_pickle=False)
    return buffer.getvalue()


def decode_array(blob: bytes) -> np.ndarray:
    """Parse one .npy blob, refusing pickles and anything but plain numeric/bool arrays."""
    try:
        array = np.lib.format.read_array(io.BytesIO(blob), allow_pickle=False)
    except Exception as exc:  # noqa: BLE001 - any parse failure is the sender's fault
        raise ProtocolError(f"not a plain .npy array: {exc}") from None
    if type(array) is not np.ndarray or array.dtype.kind not in "biuf" or array.dtype.fields is not None:
        raise ProtocolError(f"arrays must be plain bool/int/float; got dtype {array.dtype}")
    return array


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise ProtocolError("frame header has an integer too large for the protocol")
    return int(text)


def _finite_float(text: str) -> float:
    value = float(text)
    if value != value or value in (float("inf"), float("-inf")):
        raise ProtocolError("frame header has a non-finite number")
    return value


def _no_constants(name: str) -> Any:
    raise ProtocolError(f"frame header has {name}, which is not JSON")


def parse_header(raw: bytes) -> dict[str, Any]:
    """Strict JSON object: no NaN/Infinity, no huge integers, no nesting beyond the parser's depth."""
    try:
        header = json.loads(raw.decode(), parse_int=_bounded_int, parse_float=_finite_float, parse_constant=_no_constants)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError, ValueError) as exc:
        if isinstance(exc, ProtocolError):
            raise
        raise ProtocolError("frame header is not valid JSON") from None
    if not isinstance(header, dict):
        raise ProtocolError("frame header is not a JSON object")
    return header


def decode_type(
    header: Mapping[str, Any], expect: Collection[FrameType] = tuple(FrameType), refusal: str = ""
) -> FrameType:
    """The header's ``"type"`` as a :class:`FrameType`, if it is one of ``expect``.

    Anything else raises :class:`UnexpectedFrame` saying ``refusal`` (by default, which types were
    expected): never the value that was sent, which may carry a hidden case's inputs.

    >>> decode_type({"type": "ready"})
    <FrameType.READY: 'ready'>
    >>> decode_type({"type": "LEAK"}, (FrameType.HELLO, FrameType.BACKEND_ERROR))
    Traceback (most recent call last):
    ...
    judge.channel.UnexpectedFrame: expected one of: hello, backend_error
    """
    raw = header.get("type")
    try:
        frame_type = FrameType(raw) if type(raw) is str else None
    except ValueError:
        frame_type = None
    if frame_type is None or frame_type not in expect:
        raise UnexpectedFrame(refusal or f"expected one of: {', '.join(t.value for t in expect)}")
    return frame_type


def _frame_parts(header: Mapping[str, Any], arrays: Sequence[np.ndarray]) -> tuple[bytes, list[bytes]]:
    """The length-prefixed JSON header (announcing the arrays) and the arrays' .npy blobs."""
    blobs = [encode_array(a) for a in arrays]
    body = json.dumps({**header, "arrays": [len(b) for b in blobs]}, allow_nan=False).encode()
    return _LEN.pack(len(body)) + body, blobs


def _typed_header(frame_type: FrameType, fields: Mapping[str, Any]) -> dict[str, Any]:
    if "type" in fields or "arrays" in fields:
        raise ValueError("'type' and 'arrays' are written by the channel, not passed as fields")
    return {"type": frame_type.value, **fields}


def encode_frame(frame_type: FrameType, fields: Mapping[str, Any] = _NO_FIELDS, arrays: Sequence[np.ndarray] = ()) -> bytes:
    """One whole frame as bytes, for a writer that sends them itself (e.g. without blocking).

    >>> encode_frame(FrameType.READY)
    b'\\x00\\x00\\x00\\x1f{"type": "ready", "arrays": []}'
    """
    head, blobs = _frame_parts(_typed_header(frame_type, fields), arrays)
    return head + b"".join(blobs)


def send_frame(stream: BinaryIO, frame_type: FrameType, fields: Mapping[str, Any] = _NO_FIELDS, arrays: Sequence[np.ndarray] = ()) -> None:
    """Write one frame of ``frame_type`` (header ``fields`` then ``arrays``) and flush it."""
    send(stream, _typed_header(frame_type, fields), arrays)


def send(stream: BinaryIO, header: Mapping[str, Any], arrays: Sequence[np.ndarray] = ()) -> None:
    """Write one frame with a header given whole (its ``"type"`` included) and flush it."""
    head, blobs = _frame_parts(header, arrays)
    stream.write(head)
    for blob in blobs:
        stream.write(blob)
    stream.flush()


@dataclass(frozen=True)
class Frame:
    """One frame read whole: its type, its whole header (``"type"`` and ``"arrays"`` included), its arrays."""

    type: FrameType
    header: dict[str, Any]
    arrays: list[np.ndarray]


class FrameReader:
    """Reads frames from a raw file descriptor with an optional absolute deadline (monotonic)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._buffer = bytearray()

    def read(self, deadline: float | None, max_array_bytes: int) -> tuple[dict[str, Any], list[np.ndarray]]:
        """Return ``(header, arrays)``; raise ChannelClosed, ChannelTimeout or ProtocolError."""
        (length,) = _LEN.unpack(self._read_exact(_LEN.size, deadline))
        if length > MAX_HEADER_BYTES:
            raise ProtocolError(f"frame header of {length} bytes exceeds {MAX_HEADER_BYTES}")
        header = parse_header(self._read_exact(length, deadline))
        sizes = header.get("arrays", [])
        if (
            not isinstance(sizes, list)
            or len(sizes) > MAX_ARRAYS
            or not all(type(s) is int and 0 <= s <= MAX_ARRAY_BYTES for s in sizes)
        ):
            raise ProtocolError("frame header has a bad 'arrays' list")
        total = sum(sizes)
        if total > max_array_bytes:
            raise PayloadTooLarge(total, max_array_bytes)
        arrays = [decode_array(self._read_exact(size, deadline)) for size in sizes]
        return header, arrays

    def read_frame(
        self, deadline: float | None, max_array_bytes: int, expect: Collection[FrameType] = tuple(FrameType), refusal: str = ""
    ) -> Frame:
        """Read one whole frame, then check its type as :func:`decode_type` does.

        The type is checked after the arrays are read, so a frame fails the same way whatever
        its type says (an oversized payload is :class:`PayloadTooLarge` first).
        """
        header, arrays = self.read(deadline, max_array_bytes)
        return Frame(decode_type(header, expect, refusal), header, arrays)

    def _read_exact(self, n: int, deadline: float | None) -> bytes:
        while len(self._buffer) < n:
            timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select([self.fd], [], [], timeout)
            if not ready:
                raise ChannelTimeout()
            chunk = os.read(self.fd, max(n - len(self._buffer), 1 << 16))
            if not chunk:
                raise ChannelClosed()
            self._buffer += chunk
        data = bytes(self._buffer[:n])
        del self._buffer[:n]
        return data

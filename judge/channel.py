"""The private channel between the judge and a worker process: framed JSON headers + .npy blobs.

A frame is ``>I`` header length, a UTF-8 JSON header, then the arrays the header announces in
``"arrays": [nbytes, ...]``, each in NumPy's ``.npy`` format. Arrays are always read with
``allow_pickle=False``: nothing a worker sends can run code in the judge. This module imports only
the standard library and NumPy because it is loaded inside the sandbox too.

Example:
    >>> import os
    >>> r, w = os.pipe()
    >>> with os.fdopen(w, "wb") as out:
    ...     send(out, {"type": "result", "index": 0}, [np.arange(3, dtype=np.float32)])
    >>> header, arrays = FrameReader(r).read(deadline=None, max_array_bytes=1024)
    >>> header["type"], arrays[0].tolist()
    ('result', [0.0, 1.0, 2.0])
"""

from __future__ import annotations

import io
import json
import os
import select
import struct
import time
from collections.abc import Sequence
from typing import Any, BinaryIO

import numpy as np

MAX_HEADER_BYTES = 1 << 20
MAX_ARRAYS = 64
MAX_ARRAY_BYTES = 1 << 40
MAX_INT_DIGITS = 20  # bigger integers are never part of the protocol (and 10**5000 would not parse)
_LEN = struct.Struct(">I")


class ChannelClosed(Exception):
    """The other side closed the channel (or died) before a whole frame arrived."""


class ChannelTimeout(Exception):
    """No whole frame arrived before the deadline."""


class ProtocolError(Exception):
    """The other side sent something that is not a valid frame."""


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


def send(stream: BinaryIO, header: dict[str, Any], arrays: Sequence[np.ndarray] = ()) -> None:
    """Write one frame and flush it."""
    blobs = [encode_array(a) for a in arrays]
    body = json.dumps({**header, "arrays": [len(b) for b in blobs]}, allow_nan=False).encode()
    stream.write(_LEN.pack(len(body)) + body)
    for blob in blobs:
        stream.write(blob)
    stream.flush()


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

from __future__ import annotations

import io
import os
import pickle
import struct
import time

import numpy as np
import pytest

from judge.channel import (
    ChannelClosed,
    ChannelTimeout,
    FrameReader,
    PayloadTooLarge,
    ProtocolError,
    decode_array,
    send,
)


def roundtrip(raw: bytes, max_bytes: int = 1 << 20) -> tuple[dict, list[np.ndarray]]:
    r, w = os.pipe()
    os.write(w, raw)
    os.close(w)
    try:
        return FrameReader(r).read(deadline=time.monotonic() + 5, max_array_bytes=max_bytes)
    finally:
        os.close(r)


def frame(header: dict, *blobs: bytes) -> bytes:
    import json

    body = json.dumps({**header, "arrays": [len(b) for b in blobs]}).encode()
    return struct.pack(">I", len(body)) + body + b"".join(blobs)


def npy(array: np.ndarray, allow_pickle: bool = False) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, array, allow_pickle=allow_pickle)
    return buf.getvalue()


def test_roundtrip_arrays_and_header() -> None:
    buf = io.BytesIO()
    send(buf, {"type": "result", "index": 3}, [np.arange(6, dtype=np.float32).reshape(2, 3)])
    header, arrays = roundtrip(buf.getvalue())
    assert header["type"] == "result" and header["index"] == 3
    assert arrays[0].dtype == np.float32 and arrays[0].shape == (2, 3)


def test_object_arrays_are_refused_without_unpickling() -> None:
    class Boom:
        def __reduce__(self):  # would run on unpickling
            return (os.system, ("touch /tmp/judge-pwned",))

    blob = npy(np.array([Boom()], dtype=object), allow_pickle=True)
    with pytest.raises(ProtocolError, match="not a plain .npy"):
        roundtrip(frame({"type": "result"}, blob))
    assert not os.path.exists("/tmp/judge-pwned")


def test_raw_pickle_is_refused() -> None:
    with pytest.raises(ProtocolError):
        decode_array(pickle.dumps(np.arange(3)))


@pytest.mark.parametrize("dtype", [np.complex64, np.dtype([("a", "f4")]), np.str_])
def test_non_numeric_dtypes_are_refused(dtype: object) -> None:
    with pytest.raises(ProtocolError):
        decode_array(npy(np.zeros(2, dtype=dtype)))


def test_oversized_payload_is_refused_before_reading() -> None:
    header = {"type": "result"}
    body = frame(header, npy(np.zeros(1000, dtype=np.float64)))
    with pytest.raises(PayloadTooLarge):
        roundtrip(body, max_bytes=100)


def test_garbage_and_truncation() -> None:
    with pytest.raises(ProtocolError):
        roundtrip(struct.pack(">I", 4) + b"nope")
    with pytest.raises(ProtocolError):
        roundtrip(struct.pack(">I", 1 << 30))
    with pytest.raises(ChannelClosed):
        roundtrip(frame({"type": "x"})[:-2])


def test_deadline() -> None:
    r, w = os.pipe()
    try:
        start = time.monotonic()
        with pytest.raises(ChannelTimeout):
            FrameReader(r).read(deadline=start + 0.2, max_array_bytes=10)
        assert time.monotonic() - start < 2
    finally:
        os.close(r)
        os.close(w)

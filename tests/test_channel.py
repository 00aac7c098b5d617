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
    ErrorKind,
    Frame,
    FrameReader,
    FrameType,
    PayloadTooLarge,
    ProtocolError,
    UnexpectedFrame,
    decode_array,
    decode_type,
    encode_frame,
    send,
    send_frame,
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


# -- frame types: one enum, one encoder, one decoder ---------------------------------------------


def test_the_wire_names_of_types_and_error_kinds_are_fixed() -> None:
    """The enum values are the protocol: renaming one would break every worker."""
    assert {t.value for t in FrameType} == {"source", "case", "hello", "backend_error", "ready", "compile_error", "result", "error", "output"}
    assert {k.value for k in ErrorKind} == {"exception", "memory", "bad_output"}


def test_send_frame_writes_the_bytes_a_whole_header_would() -> None:
    array = np.arange(6, dtype=np.float32).reshape(2, 3)
    typed, whole = io.BytesIO(), io.BytesIO()
    send_frame(typed, FrameType.ERROR, {"index": 1, "nonce": "ab", "kind": ErrorKind.MEMORY, "message": "m"}, [array])
    send(whole, {"type": "error", "index": 1, "nonce": "ab", "kind": "memory", "message": "m"}, [array])
    assert typed.getvalue() == whole.getvalue()
    assert b'{"type": "error", "index": 1, "nonce": "ab", "kind": "memory", "message": "m", "arrays": [' in typed.getvalue()


def test_encode_frame_is_the_case_frame_the_judge_always_sent() -> None:
    """The judge's call frame, byte for byte as it was packed by hand before the channel did it."""
    import json

    x = np.arange(4, dtype=np.float32)
    specs = [{"kind": "scalar", "value": 3}, {"kind": "array", "slot": 0, "as": "numpy"}]
    blob = npy(x)
    body = json.dumps({"type": "case", "index": 2, "nonce": "00ff", "args": specs, "arrays": [len(blob)]}).encode()
    assert encode_frame(FrameType.CASE, {"index": 2, "nonce": "00ff", "args": specs}, [x]) == struct.pack(">I", len(body)) + body + blob
    buf = io.BytesIO()
    send_frame(buf, FrameType.CASE, {"index": 2, "nonce": "00ff", "args": specs}, [x])
    assert buf.getvalue() == struct.pack(">I", len(body)) + body + blob


def test_the_channel_writes_type_and_arrays_itself() -> None:
    with pytest.raises(ValueError):
        encode_frame(FrameType.RESULT, {"type": "error"})
    with pytest.raises(ValueError):
        send_frame(io.BytesIO(), FrameType.RESULT, {"arrays": [1]})


def read_frame(raw: bytes, **kwargs) -> Frame:
    r, w = os.pipe()
    os.write(w, raw)
    os.close(w)
    try:
        return FrameReader(r).read_frame(deadline=time.monotonic() + 5, max_array_bytes=1 << 20, **kwargs)
    finally:
        os.close(r)


def test_read_frame_gives_the_type_as_the_enum() -> None:
    got = read_frame(encode_frame(FrameType.RESULT, {"index": 3}, [np.ones(2, dtype=np.int32)]))
    assert got.type is FrameType.RESULT and got.header == {"type": "result", "index": 3, "arrays": [136]}
    assert got.arrays[0].tolist() == [1, 1]


@pytest.mark.parametrize("sent", ["LEAK-0.123", "Result", "", 7, None, ["result"], {"result": 1}])
def test_an_unknown_frame_type_is_a_protocol_error_that_echoes_nothing(sent: object) -> None:
    with pytest.raises(UnexpectedFrame) as caught:
        read_frame(frame({"type": sent, "index": 0}))
    assert isinstance(caught.value, ProtocolError)
    assert "LEAK" not in str(caught.value)
    with pytest.raises(UnexpectedFrame):
        decode_type({"type": sent})


def test_a_missing_frame_type_is_a_protocol_error() -> None:
    with pytest.raises(UnexpectedFrame):
        read_frame(frame({"index": 0}))


def test_a_known_type_the_reader_does_not_expect_is_refused_in_the_readers_words() -> None:
    raw = encode_frame(FrameType.HELLO, {"backend": "cpu"})
    with pytest.raises(UnexpectedFrame, match=r"^expected one of: ready, compile_error$"):
        read_frame(raw, expect=(FrameType.READY, FrameType.COMPILE_ERROR))
    with pytest.raises(UnexpectedFrame, match=r"^not an answer$"):
        read_frame(raw, expect=(FrameType.RESULT,), refusal="not an answer")
    assert read_frame(raw, expect=(FrameType.HELLO,)).type is FrameType.HELLO


def test_an_oversized_payload_is_refused_before_its_type_is_looked_at() -> None:
    """Whatever the type says, a frame announcing too many bytes is an output limit, as before."""
    with pytest.raises(PayloadTooLarge):
        r, w = os.pipe()
        os.write(w, frame({"type": "LEAK"}, npy(np.zeros(1000))))
        os.close(w)
        try:
            FrameReader(r).read_frame(deadline=time.monotonic() + 5, max_array_bytes=100)
        finally:
            os.close(r)

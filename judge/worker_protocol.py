"""What the judge accepts from a worker: every frame checked field by field before it is used.

The worker process is the learner's (a submission can write any bytes to the channel), so a frame
is valid only if it has exactly the keys its type allows, each of the right type, size and range,
and echoes the nonce of the case it answers. Anything else is a :class:`WorkerFrameError`, which
the runner turns into a verdict; nothing a worker sends is ever echoed into a hidden case's report.

Example:
    >>> frame = parse_result_header({"type": "result", "index": 2, "nonce": "ab12", "arrays": [80]}, 2, "ab12")
    >>> frame.kind.value, frame.index
    ('result', 2)
    >>> parse_result_header({"type": "result", "index": 2, "nonce": "0000", "arrays": [80]}, 2, "ab12")
    Traceback (most recent call last):
    ...
    judge.worker_protocol.WorkerFrameError: the answer does not echo the nonce of the call it answers
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .channel import ErrorKind, FrameType, ProtocolError, UnexpectedFrame, decode_type

MAX_MESSAGE_CHARS = 4000
MAX_NAME_CHARS = 200
# One output frame's text: the worker sends at most its per-call budget (judge.worker) at once.
MAX_OUTPUT_FRAME_CHARS = 8192
MAX_OUTPUT_DROPPED = 1 << 53  # a count of bytes no process can write in a case's time
# The frames that answer a case, the fields each may have, and what the judge says of any other frame.
ANSWER_TYPES = (FrameType.RESULT, FrameType.ERROR)
NOT_AN_ANSWER = "the answer is neither a result nor an error frame"
_ANSWER_KEYS = {"type", "index", "nonce", "arrays"}
_RESULT_KEYS = _ANSWER_KEYS | {"tree"}  # "tree": the structure of the arrays (judge.output_tree.OutputTree.from_wire checks it)
_ERROR_KEYS = _ANSWER_KEYS | {"kind", "message", "exc_type"}
_ALLOWED_KEYS = {FrameType.RESULT: _RESULT_KEYS, FrameType.ERROR: _ERROR_KEYS}
_IMPORT_OUTPUT_KEYS = {"type", "arrays", "text", "dropped"}
_CASE_OUTPUT_KEYS = _IMPORT_OUTPUT_KEYS | {"index", "nonce"}


class WorkerFrameError(ProtocolError):
    """A frame that the worker protocol does not allow."""


@dataclass(frozen=True)
class ResultFrame:
    """A validated answer to one case: a result (its arrays follow, the structure in the header's ``"tree"``) or an error."""

    kind: FrameType  # RESULT or ERROR
    index: int
    error_kind: ErrorKind | None = None  # set for errors only
    message: str = ""
    exc_type: str = ""


def parse_result_header(header: Mapping[str, Any], index: int, nonce: str) -> ResultFrame:
    """Validate the header of the answer to case ``index`` sent with ``nonce``."""
    try:
        kind = decode_type(header, ANSWER_TYPES, NOT_AN_ANSWER)
    except UnexpectedFrame as exc:
        raise WorkerFrameError(str(exc)) from None
    if not set(header) <= _ALLOWED_KEYS[kind]:
        raise WorkerFrameError("the answer has fields the protocol does not allow")
    if header.get("index") != index or type(header.get("index")) is not int:
        raise WorkerFrameError("the answer is for another call")
    if header.get("nonce") != nonce:
        raise WorkerFrameError("the answer does not echo the nonce of the call it answers")
    if kind is FrameType.RESULT:
        return ResultFrame(FrameType.RESULT, index)
    error_kind = decode_error_kind(header.get("kind"))
    message, exc_type = header.get("message", ""), header.get("exc_type", "")
    if not isinstance(message, str) or not isinstance(exc_type, str):
        raise WorkerFrameError("the error frame's message is not text")
    return ResultFrame(FrameType.ERROR, index, error_kind, clean_text(message, MAX_MESSAGE_CHARS), clean_text(exc_type, MAX_NAME_CHARS))


@dataclass(frozen=True)
class OutputFrame:
    """A validated piece of what the submission wrote to sys.stdout/sys.stderr during one call (or its import).

    ``dropped`` is how many bytes the worker counted but did not send, so far in that call: it
    only grows, so the latest (largest) count is the call's.
    """

    text: str
    dropped: int = 0


def parse_output_header(header: Mapping[str, Any], index: int | None, nonce: str | None) -> OutputFrame:
    """Validate an output frame sent while the judge waits for case ``index`` (``None``: the import).

    During a case the frame must echo that call's index and nonce; during the import it names no
    call at all. Nothing the frame says is echoed in a refusal.

    >>> parse_output_header({"type": "output", "index": 0, "nonce": "ab", "text": "hi\\n", "arrays": []}, 0, "ab")
    OutputFrame(text='hi\\n', dropped=0)
    >>> parse_output_header({"type": "output", "index": 1, "nonce": "ab", "text": "x", "arrays": []}, 0, "ab")
    Traceback (most recent call last):
    ...
    judge.worker_protocol.WorkerFrameError: the output is for another call
    """
    try:
        decode_type(header, (FrameType.OUTPUT,), "not an output frame")
    except UnexpectedFrame as exc:
        raise WorkerFrameError(str(exc)) from None
    if not set(header) <= (_IMPORT_OUTPUT_KEYS if index is None else _CASE_OUTPUT_KEYS):
        raise WorkerFrameError("the output frame has fields the protocol does not allow")
    if header.get("arrays") != []:
        raise WorkerFrameError("an output frame carries no arrays")
    if index is not None:
        if header.get("index") != index or type(header.get("index")) is not int:
            raise WorkerFrameError("the output is for another call")
        if header.get("nonce") != nonce or nonce is None:
            raise WorkerFrameError("the output does not echo the nonce of the call it belongs to")
    text, dropped = header.get("text"), header.get("dropped", 0)
    if not isinstance(text, str) or len(text) > MAX_OUTPUT_FRAME_CHARS:
        raise WorkerFrameError("the output frame's text is not text of a bounded length")
    if type(dropped) is not int or not 0 <= dropped <= MAX_OUTPUT_DROPPED:
        raise WorkerFrameError("the output frame's dropped count is not a valid count")
    return OutputFrame(clean_text(text, MAX_OUTPUT_FRAME_CHARS), dropped)


def decode_error_kind(raw: object) -> ErrorKind:
    """An error frame's ``"kind"`` as an :class:`ErrorKind` (the value sent is never echoed).

    >>> decode_error_kind("bad_output")
    <ErrorKind.BAD_OUTPUT: 'bad_output'>
    >>> decode_error_kind(["memory"])
    Traceback (most recent call last):
    ...
    judge.worker_protocol.WorkerFrameError: the error frame has an unknown kind
    """
    try:
        if type(raw) is str:
            return ErrorKind(raw)
    except ValueError:
        pass
    raise WorkerFrameError("the error frame has an unknown kind")


def clean_text(value: object, limit: int = MAX_MESSAGE_CHARS) -> str:
    """A worker's text as valid Unicode (a lone surrogate would crash any UTF-8 output), cut to ``limit``.

    >>> clean_text("bad " + chr(0xD800) + " text")
    'bad ? text'
    """
    if not isinstance(value, str):
        return ""
    return value[:limit].encode("utf-8", "replace").decode("utf-8")


def parse_hello(header: Mapping[str, Any]) -> dict[str, str]:
    """The worker's start-up facts (sent before the submission is imported), as short strings."""
    facts: dict[str, str] = {}
    backend = header.get("backend")
    if not isinstance(backend, str) or not 0 < len(backend) <= 32:
        raise WorkerFrameError("the hello frame has no valid backend")
    facts["backend"] = backend
    python = header.get("python")
    if isinstance(python, str):
        facts["python"] = python[:32]
    return facts

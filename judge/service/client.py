"""A small client of the ``/v1`` API (what ``judge submit`` uses): submit, then follow the grading live.

Standard library only (``urllib``), so a learner's machine needs nothing but the judge package.

Example:
    >>> client = Client("http://127.0.0.1:9", "jdg_x", timeout_s=2)
    >>> client.submit("conv1d", "def solve(): pass\\n")
    Traceback (most recent call last):
    ...
    judge.service.client.ServiceError: cannot reach the judge at http://127.0.0.1:9: ...
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

from ..errors import JudgeError


class ServiceError(JudgeError):
    """The service refused a request or could not be reached (one line: status and the service's reason)."""


class Client:
    """One service and one token."""

    def __init__(self, base_url: str, token: str, *, timeout_s: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout_s = timeout_s

    def _request(self, method: str, path: str, body: dict[str, Any] | None = None, timeout_s: float | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base_url + path, data=data, method=method)
        request.add_header("Authorization", f"Bearer {self.token}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            return urllib.request.urlopen(request, timeout=timeout_s or self.timeout_s)  # noqa: S310 - the URL is the user's server
        except urllib.error.HTTPError as exc:
            raise ServiceError(f"the judge refused the request: HTTP {exc.code}: {_reason(exc)}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ServiceError(f"cannot reach the judge at {self.base_url}: {reason}") from None

    def submit(self, problem: str, source: str, *, filename: str = "submission.py", set_id: str | None = None) -> dict[str, Any]:
        """``POST /v1/submissions``: the queued submission's status document (``set_id``: the problem set it counts for)."""
        body = {"problem": problem, "source": source, "filename": filename, **({"set": set_id} if set_id is not None else {})}
        with self._request("POST", "/v1/submissions", body) as response:
            return dict(json.loads(response.read()))

    def status(self, submission_id: str, wait_s: float = 0) -> dict[str, Any]:
        """``GET /v1/submissions/{id}`` (waiting up to ``wait_s`` for the result)."""
        path = f"/v1/submissions/{submission_id}?wait={wait_s:g}"
        with self._request("GET", path, timeout_s=self.timeout_s + wait_s) as response:
            return dict(json.loads(response.read()))

    def events(self, submission_id: str) -> Iterator[tuple[str, Any]]:
        """The grading's server-sent events as (event, data): ``case`` ..., then ``result``."""
        with self._request("GET", f"/v1/submissions/{submission_id}/events", timeout_s=max(self.timeout_s, 600)) as response:
            event, data = "message", list[str]()
            for raw in response:
                line = raw.decode("utf-8").rstrip("\r\n")
                if not line:
                    if data:
                        yield event, json.loads("\n".join(data))
                    event, data = "message", []
                elif line.startswith(":"):
                    continue
                elif line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].strip())


def _reason(exc: urllib.error.HTTPError) -> str:
    try:
        detail = json.loads(exc.read()).get("detail", "")
    except (ValueError, AttributeError, OSError):
        detail = ""
    return str(detail) or exc.reason or "no reason given"

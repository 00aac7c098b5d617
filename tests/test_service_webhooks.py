"""Webhooks: the allow-list (SSRF), signatures, and delivery to real receivers on loopback.

Receivers are ``ThreadingHTTPServer``s on 127.0.0.1 port 0, each answering from a script of
statuses and recording what it got. Waits poll with generous deadlines, so a loaded machine makes
the tests slower, not flaky.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from judge.service.webhooks import USER_AGENT, CallbackRefused, WebhookSender, check_callback_url, sign, verify

KEY = b"per-user-secret"
DOC = {"id": "sub-1", "status": "done", "score": 0.75, "verdict": "accepted", "note": "héllo"}
WAIT_S = 30.0  # the most any wait may take; normally well under a second


# --- the allow-list ---------------------------------------------------------------------------

ALLOWED = ["hooks.example.com", "ci.example.org:8443", "Upper.Example.NET.", "[::1]:9000"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://hooks.example.com/judge?id=7", "https://hooks.example.com/judge?id=7"),
        ("http://hooks.example.com:8080/x", "http://hooks.example.com:8080/x"),  # a bare host allows any port
        ("http://hooks.example.com", "http://hooks.example.com/"),
        ("http://hooks.example.com:80/", "http://hooks.example.com/"),  # default port dropped
        ("https://ci.example.org:8443/judge", "https://ci.example.org:8443/judge"),
        ("HTTPS://HOOKS.EXAMPLE.COM/Path", "https://hooks.example.com/Path"),  # uppercase scheme and host
        ("https://hooks.example.com./a", "https://hooks.example.com/a"),  # trailing dot in the URL
        ("https://upper.example.net/a", "https://upper.example.net/a"),  # trailing dot and case in the entry
        ("http://[::1]:9000/", "http://[::1]:9000/"),
        ("http://[0:0:0:0:0:0:0:1]:9000/", "http://[::1]:9000/"),  # the same address, written long
    ],
)
def test_allowed_urls_are_normalized(url: str, expected: str) -> None:
    assert check_callback_url(url, ALLOWED) == expected


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://ci.example.org/judge", "port 443"),  # host:port entry, default port does not match
        ("https://ci.example.org:9443/judge", "port 9443"),  # host:port entry, other port
        ("https://evil.example.com/", "not in webhook_hosts"),
        ("https://hooks.example.com.evil.net/", "not in webhook_hosts"),  # no suffix match
        ("https://evilhooks.example.com/", "not in webhook_hosts"),
        ("https://example.com/", "not in webhook_hosts"),  # no parent-domain match
        ("http://127.0.0.1/", "not in webhook_hosts"),
        ("http://127.0.0.1:9000/", "not in webhook_hosts"),
        ("http://localhost/", "not in webhook_hosts"),
        ("http://169.254.169.254/latest/meta-data/", "not in webhook_hosts"),  # cloud metadata
        ("http://2130706433/", "not in webhook_hosts"),  # 127.0.0.1 as one number
        ("http://[::1]/", "port 80"),
        ("http://hooks.example.com@evil.example.net/", "credentials"),  # the userinfo trick
        ("http://hooks.example.com:443@evil.example.net/", "credentials"),
        ("http://user:pass@hooks.example.com/", "credentials"),
        ("http://evil.example.net/?hooks.example.com", "not in webhook_hosts"),  # allowed name in the query
        ("http://evil.example.net/hooks.example.com", "not in webhook_hosts"),
        ("http://evil.example.net#@hooks.example.com/", "fragment"),
        ("http://hooks.example.com/#x", "fragment"),
        ("http://evil.example.net\\@hooks.example.com/", "backslash"),
        ("file:///etc/passwd", "scheme"),
        ("file://hooks.example.com/etc/passwd", "scheme"),
        ("gopher://hooks.example.com:6379/_INFO", "scheme"),
        ("ftp://hooks.example.com/", "scheme"),
        ("javascript:alert(1)", "scheme"),
        ("//hooks.example.com/", "scheme"),
        ("hooks.example.com/", "scheme"),
        ("http:///path", "no host"),
        ("http://hooks.example.com:0/", "port"),
        ("http://hooks.example.com:99999/", "port"),
        ("http://hooks.example.com:http/", "port"),
        ("http://hooks.example.com /", "whitespace"),
        ("http://hooks.example.com/\r\nX-Evil: 1", "control"),
        ("\thttp://evil.example.net/", "whitespace"),
        ("http://hooks.example.com/\x00", "control"),
        ("http://hooks.exämple.com/", "non-ASCII"),
        ("http://hooks.example.com/" + "a" * 2048, "longer than 2048"),
        ("", "empty"),
    ],
)
def test_refused_urls_name_the_reason(url: str, reason: str) -> None:
    with pytest.raises(CallbackRefused) as refused:
        check_callback_url(url, ALLOWED)
    message = str(refused.value)
    assert reason in message
    assert "\n" not in message and "\r" not in message
    assert refused.value.field == "callback_url"
    assert isinstance(refused.value, ValueError)


def test_an_empty_allow_list_disables_webhooks() -> None:
    for url in ("https://hooks.example.com/", "http://127.0.0.1/"):
        with pytest.raises(CallbackRefused, match="webhooks are disabled: no webhook_hosts configured"):
            check_callback_url(url, [])


def test_the_longest_allowed_url_passes() -> None:
    url = "https://hooks.example.com/" + "a" * (2048 - len("https://hooks.example.com/"))
    assert len(url) == 2048
    assert check_callback_url(url, ALLOWED) == url


@pytest.mark.parametrize("entry", ["http://hooks.example.com", "hooks.example.com:port", "hooks.example.com:0", "", "[::1", "a b"])
def test_a_malformed_allow_list_entry_is_a_configuration_error(entry: str) -> None:
    with pytest.raises(ValueError) as error:
        check_callback_url("https://hooks.example.com/", [entry])
    assert not isinstance(error.value, CallbackRefused)  # the operator's mistake, not the user's
    with pytest.raises(ValueError):
        WebhookSender(allowed_hosts=[entry])


def test_one_string_is_not_an_allow_list() -> None:
    with pytest.raises(TypeError):
        check_callback_url("https://h/", "h")


# --- signatures -------------------------------------------------------------------------------


def test_sign_and_verify_round_trip() -> None:
    body = json.dumps(DOC, sort_keys=True, separators=(",", ":")).encode()
    header = sign(body, KEY)
    assert header.startswith("sha256=") and len(header) == len("sha256=") + 64
    assert verify(body, KEY, header)
    assert sign(body, KEY) == header  # deterministic


@pytest.mark.parametrize(
    "tamper",
    [
        lambda body, key, header: (body + b" ", key, header),  # body changed
        lambda body, key, header: (body.replace(b"0.75", b"1.0"), key, header),
        lambda body, key, header: (body, b"other-secret", header),  # wrong key
        lambda body, key, header: (body, key, header[:-1] + ("0" if header[-1] != "0" else "1")),  # one hex digit
        lambda body, key, header: (body, key, header.replace("sha256=", "sha1=")),
        lambda body, key, header: (body, key, header[len("sha256=") :]),  # no prefix
        lambda body, key, header: (body, key, ""),
        lambda body, key, header: (body, key, header + "é"),  # non-ASCII: False, not TypeError
    ],
)
def test_verify_detects_tampering(tamper: Callable[[bytes, bytes, str], tuple[bytes, bytes, str]]) -> None:
    body = json.dumps(DOC, sort_keys=True, separators=(",", ":")).encode()
    assert not verify(*tamper(body, KEY, sign(body, KEY)))


# --- real receivers on loopback ---------------------------------------------------------------


class Receiver:
    """An HTTP server on 127.0.0.1 that answers POSTs from a script and records each request."""

    def __init__(self, script: list[int] | None = None, *, location: str = "", hang: threading.Event | None = None) -> None:
        self.script = list(script or [])  # statuses for successive requests; 200 once it runs out
        self.location = location
        self.hang = hang  # when set by the test, a hanging handler lets go
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.lock:
                    receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                    status = receiver.script.pop(0) if receiver.script else 200
                if receiver.hang is not None:
                    receiver.hang.wait(WAIT_S)
                self.send_response(status)
                if receiver.location:
                    self.send_header("Location", receiver.location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST  # a followed 303 would come back as a GET

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    @property
    def count(self) -> int:
        with self.lock:
            return len(self.requests)

    def close(self) -> None:
        if self.hang is not None:
            self.hang.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receivers() -> Iterator[Callable[..., Receiver]]:
    made: list[Receiver] = []

    def make(*args: Any, **kwargs: Any) -> Receiver:
        made.append(Receiver(*args, **kwargs))
        return made[-1]

    yield make
    for receiver in made:
        receiver.close()


@pytest.fixture
def senders() -> Iterator[Callable[..., WebhookSender]]:
    made: list[WebhookSender] = []

    def make(**kwargs: Any) -> WebhookSender:
        kwargs.setdefault("allowed_hosts", ["127.0.0.1"])
        kwargs.setdefault("backoff_s", 0.05)
        kwargs.setdefault("timeout_s", 10.0)
        sender = WebhookSender(**kwargs)
        sender.start()
        made.append(sender)
        return sender

    yield make
    for sender in made:
        sender.stop(timeout=1.0)


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def settled(sender: WebhookSender, total: int = 1) -> Callable[[], bool]:
    return lambda: sender.delivered + sender.failed >= total


def test_a_delivery_is_signed_and_carries_the_exact_document(receivers: Callable[..., Receiver],
                                                             senders: Callable[..., WebhookSender]) -> None:
    receiver = receivers()
    sender = senders()
    sender.send(receiver.url("/hook?sub=1"), DOC, KEY)
    wait_for(settled(sender), "the delivery")
    assert (sender.delivered, sender.failed) == (1, 0)
    assert receiver.count == 1
    got = receiver.requests[0]
    assert got["path"] == "/hook?sub=1"
    assert got["body"] == json.dumps(DOC, sort_keys=True, separators=(",", ":")).encode("utf-8")
    assert json.loads(got["body"]) == DOC
    assert got["headers"]["Content-Type"] == "application/json"
    assert got["headers"]["User-Agent"] == USER_AGENT == "judge-webhook/1"
    assert verify(got["body"], KEY, got["headers"]["X-Judge-Signature"])
    assert not verify(got["body"], b"another user's secret", got["headers"]["X-Judge-Signature"])


def test_the_document_is_taken_when_sent(receivers: Callable[..., Receiver]) -> None:
    receiver = receivers()
    sender = WebhookSender(allowed_hosts=["127.0.0.1"])  # not started: the document waits
    document = {"status": "done"}
    sender.send(receiver.url(), document, KEY)
    document["status"] = "changed later"
    sender.start()
    try:
        wait_for(settled(sender), "the delivery")
    finally:
        sender.stop(timeout=1.0)
    assert json.loads(receiver.requests[0]["body"]) == {"status": "done"}


def test_5xx_is_retried_until_delivered(receivers: Callable[..., Receiver], senders: Callable[..., WebhookSender]) -> None:
    receiver = receivers([500, 500, 200])
    sender = senders(attempts=4)
    sender.send(receiver.url(), DOC, KEY)
    wait_for(settled(sender), "the delivery")
    assert (sender.delivered, sender.failed) == (1, 0)
    assert receiver.count == 3
    bodies = {r["body"] for r in receiver.requests}
    signatures = {r["headers"]["X-Judge-Signature"] for r in receiver.requests}
    assert len(bodies) == 1 and len(signatures) == 1  # each try sends the same signed bytes
    time.sleep(0.3)
    assert receiver.count == 3  # nothing more after the 200


def test_429_is_retried(receivers: Callable[..., Receiver], senders: Callable[..., WebhookSender]) -> None:
    receiver = receivers([429, 503])
    sender = senders()
    sender.send(receiver.url(), DOC, KEY)
    wait_for(settled(sender), "the delivery")
    assert (sender.delivered, sender.failed, receiver.count) == (1, 0, 3)


def test_it_gives_up_after_attempts_and_logs_a_warning(receivers: Callable[..., Receiver], senders: Callable[..., WebhookSender],
                                                       caplog: pytest.LogCaptureFixture) -> None:
    receiver = receivers([500] * 10)
    sender = senders(attempts=3)
    with caplog.at_level(logging.WARNING, logger="judge.service.webhooks"):
        sender.send(receiver.url(), DOC, KEY)
        wait_for(settled(sender), "the give-up")
    assert (sender.delivered, sender.failed) == (0, 1)
    assert receiver.count == 3
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("failed after 3 tries" in m and "HTTP 500" in m for m in warnings), warnings


@pytest.mark.parametrize("status", [400, 401, 404, 410])
def test_other_4xx_is_not_retried(receivers: Callable[..., Receiver], senders: Callable[..., WebhookSender], status: int) -> None:
    receiver = receivers([status, 200])
    sender = senders()
    sender.send(receiver.url(), DOC, KEY)
    wait_for(settled(sender), "the failure")
    time.sleep(0.3)
    assert (sender.delivered, sender.failed, receiver.count) == (0, 1, 1)


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_not_followed(receivers: Callable[..., Receiver], senders: Callable[..., WebhookSender], status: int,
                                    caplog: pytest.LogCaptureFixture) -> None:
    target = receivers()  # another loopback host, allowed too: still never reached
    redirector = receivers([status], location=target.url("/internal"))
    sender = senders(allowed_hosts=["127.0.0.1"])
    with caplog.at_level(logging.WARNING, logger="judge.service.webhooks"):
        sender.send(redirector.url(), DOC, KEY)
        wait_for(settled(sender), "the failure")
    assert any(f"HTTP {status} (redirects are not followed)" in r.getMessage() for r in caplog.records)
    time.sleep(0.3)
    assert (sender.delivered, sender.failed) == (0, 1)
    assert redirector.count == 1  # not retried either
    assert target.count == 0


def test_a_refused_url_is_never_contacted(receivers: Callable[..., Receiver], senders: Callable[..., WebhookSender],
                                          caplog: pytest.LogCaptureFixture) -> None:
    allowed = receivers()
    forbidden = receivers()
    sender = senders(allowed_hosts=[f"127.0.0.1:{allowed.port}"])
    with caplog.at_level(logging.WARNING, logger="judge.service.webhooks"):
        sender.send(forbidden.url(), DOC, KEY)  # same host, port not listed
        sender.send(f"http://localhost:{forbidden.port}/", DOC, KEY)  # the same server by another name
        sender.send(f"http://x@127.0.0.1:{allowed.port}/", DOC, KEY)  # userinfo, even to the allowed one
        sender.send(allowed.url(), DOC, KEY)  # the one that may go
        wait_for(settled(sender, 4), "all four to settle")
    time.sleep(0.3)
    assert (sender.delivered, sender.failed) == (1, 3)
    assert forbidden.count == 0
    assert allowed.count == 1
    assert sum("refused" in r.getMessage() for r in caplog.records) == 3


def test_an_empty_allow_list_sends_nothing(receivers: Callable[..., Receiver], senders: Callable[..., WebhookSender]) -> None:
    receiver = receivers()
    sender = senders(allowed_hosts=[])
    sender.send(receiver.url(), DOC, KEY)
    time.sleep(0.3)
    assert (sender.delivered, sender.failed, receiver.count) == (0, 1, 0)


def test_the_allow_list_is_checked_again_at_send_time(receivers: Callable[..., Receiver]) -> None:
    receiver = receivers()
    sender = WebhookSender(allowed_hosts=["127.0.0.1"])
    sender.send(receiver.url(), DOC, KEY)  # accepted and queued while allowed
    sender.allowed_hosts = ["hooks.example.com"]  # then the configuration changes
    sender.start()
    try:
        wait_for(settled(sender), "the refusal")
    finally:
        sender.stop(timeout=1.0)
    assert (sender.delivered, sender.failed, receiver.count) == (0, 1, 0)


def test_connection_errors_are_retried_then_counted(senders: Callable[..., WebhookSender], caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sender = senders(attempts=2)
    with caplog.at_level(logging.WARNING, logger="judge.service.webhooks"):
        sender.send(f"http://127.0.0.1:{port}/", DOC, KEY)
        wait_for(settled(sender), "the give-up")
    assert (sender.delivered, sender.failed) == (0, 1)
    assert any("failed after 2 tries" in r.getMessage() for r in caplog.records)


def test_send_returns_at_once_while_a_receiver_hangs(receivers: Callable[..., Receiver], senders: Callable[..., WebhookSender]) -> None:
    hung = receivers(hang=threading.Event())
    healthy = receivers()
    sender = senders(attempts=2, timeout_s=1.0)
    for _ in range(2):
        started = time.monotonic()
        sender.send(hung.url(), DOC, KEY)
        assert time.monotonic() - started < 1.0
    wait_for(lambda: hung.count >= 1, "the hung receiver to be reached")
    started = time.monotonic()
    sender.send(healthy.url(), DOC, KEY)  # while the sending thread is stuck on the hung one
    assert time.monotonic() - started < 1.0
    wait_for(lambda: healthy.count == 1, "the healthy receiver, after the hung one timed out")
    wait_for(settled(sender, 3), "everything to settle")
    assert sender.delivered == 1 and sender.failed == 2  # the hung ones timed out, each tried twice
    assert hung.count == 4


def test_a_full_queue_drops_and_counts(receivers: Callable[..., Receiver], caplog: pytest.LogCaptureFixture) -> None:
    receiver = receivers()
    sender = WebhookSender(allowed_hosts=["127.0.0.1"], queue_size=2)  # not started, so nothing drains
    with caplog.at_level(logging.WARNING, logger="judge.service.webhooks"):
        for _ in range(5):
            sender.send(receiver.url(), DOC, KEY)
    assert (sender.pending, sender.failed) == (2, 3)
    assert sum("queue is full" in r.getMessage() for r in caplog.records) == 3
    sender.start()
    try:
        wait_for(settled(sender, 5), "the queued two")
    finally:
        sender.stop(timeout=1.0)
    assert (sender.delivered, sender.failed, receiver.count) == (2, 3, 2)


def test_send_never_raises_for_a_bad_document() -> None:
    sender = WebhookSender(allowed_hosts=["hooks.example.com"])
    sender.send("https://hooks.example.com/", {"score": float("nan")}, KEY)  # not JSON
    sender.send("https://hooks.example.com/", {"when": object()}, KEY)
    assert (sender.delivered, sender.failed, sender.pending) == (0, 2, 0)


def test_stop_gives_up_on_what_is_left_and_refuses_more(receivers: Callable[..., Receiver]) -> None:
    receiver = receivers([500] * 10)
    sender = WebhookSender(allowed_hosts=["127.0.0.1"], attempts=5, backoff_s=60.0)
    sender.start()
    sender.send(receiver.url(), DOC, KEY)
    wait_for(lambda: receiver.count == 1, "the first try")
    started = time.monotonic()
    sender.stop(timeout=0.5)  # the retry is due in a minute: not waited for
    assert time.monotonic() - started < 5.0
    wait_for(settled(sender), "the abandoned one to be counted")
    assert (sender.delivered, sender.failed) == (0, 1)
    sender.send(receiver.url(), DOC, KEY)
    assert sender.failed == 2
    with pytest.raises(RuntimeError):
        sender.start()
    assert receiver.count == 1


def test_a_sender_rejects_nonsense_settings() -> None:
    settings: list[dict[str, Any]] = [{"attempts": 0}, {"backoff_s": -1.0}, {"timeout_s": 0.0}, {"queue_size": 0}]
    for kwargs in settings:
        with pytest.raises(ValueError):
            WebhookSender(**kwargs)

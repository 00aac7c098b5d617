"""Signed callbacks: when a grading is done, POST the submission's status document to its ``callback_url``.

A callback goes only to a host the operator listed in ``webhook_hosts``. The check is made when the
submission arrives (:func:`check_callback_url`, a 400/422 naming ``callback_url``) and again just
before sending, since the configuration may have changed. Letting a learner name any URL would let
the judge be used to reach its own network (SSRF: how Judge0 was broken, CVE-2024-29021), so:

- only ``http`` and ``https``; no ``user:pass@`` (the classic ``http://allowed@evil/`` trick), no
  fragment, no whitespace, control or non-ASCII characters, no backslash, at most 2048 characters;
- the host must equal an entry of the allow-list (no suffix or substring match; no DNS lookup);
- redirects are never followed (a 3xx is a failure): a redirect to an internal address is the usual
  way around an allow-list;
- no proxy from the environment is used.

The body is the document as compact JSON with sorted keys, and ``X-Judge-Signature`` is
``sha256=`` and the hex HMAC-SHA256 of those exact bytes under the user's secret
(:func:`sign`; receivers check it with :func:`verify`). :class:`WebhookSender` sends from one
daemon thread, retrying connection errors, timeouts, 5xx and 429 with exponential backoff;
:meth:`WebhookSender.send` only enqueues, so grading never waits on a receiver.

Example:
    >>> check_callback_url("HTTPS://Hooks.Example.COM./done?id=7", ["hooks.example.com"])
    'https://hooks.example.com/done?id=7'
    >>> check_callback_url("http://hooks.example.com@10.0.0.1/", ["hooks.example.com"])
    Traceback (most recent call last):
    ...
    judge.service.webhooks.CallbackRefused: credentials (user@ or user:pass@) are not allowed in the URL
    >>> body = b'{"status":"done"}'
    >>> verify(body, b"secret", sign(body, b"secret")), verify(body + b" ", b"secret", sign(body, b"secret"))
    (True, False)
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
import ipaddress
import itertools
import json
import logging
import math
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from http.client import HTTPException
from typing import Any
from urllib.parse import urlsplit, urlunsplit

log = logging.getLogger(__name__)

MAX_URL_LENGTH = 2048
DEFAULT_QUEUE_SIZE = 10_000
USER_AGENT = "judge-webhook/1"
SIGNATURE_HEADER = "X-Judge-Signature"

_DEFAULT_PORTS = {"http": 80, "https": 443}
# A DNS name as it may appear in a URL: letters, digits, '-', '_' in dot-separated labels.
_HOSTNAME = re.compile(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)*")


class CallbackRefused(ValueError):
    """A ``callback_url`` the judge will not call; the message is one line saying why.

    The message never repeats raw input that could hold control characters, so it can be put in an
    HTTP answer as it is, under the field named by :attr:`field`.

    Example:
        >>> try:
        ...     check_callback_url("gopher://hooks.example.com/", ["hooks.example.com"])
        ... except CallbackRefused as refused:
        ...     print(refused.field + ":", refused)
        callback_url: scheme must be http or https, not 'gopher'
    """

    field = "callback_url"


def _normal_host(host: str) -> str | None:
    """``host`` lowercased, without a trailing dot, IP addresses in canonical form; None if it is not a host."""
    host = host.lower()
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    if host.endswith("."):
        host = host[:-1]
    return host if _HOSTNAME.fullmatch(host) else None


def _parse_entry(entry: str) -> tuple[str, int | None]:
    """One allow-list entry, ``host``, ``host:port``, ``[v6]``, ``[v6]:port`` or a bare IPv6 address, as (host, port).

    Raises ValueError for an entry that is not one of these: it is a configuration mistake, not the user's.
    """
    if not isinstance(entry, str):
        raise ValueError(f"webhook_hosts entry {entry!r} is not a string")
    text = entry.strip()
    port_text: str | None = None
    if text.startswith("["):
        host_text, bracket, rest = text[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            raise ValueError(f"webhook_hosts entry {entry!r} is not host, host:port or [ipv6]:port")
        port_text = rest[1:] if rest else None
    elif text.count(":") == 1:
        host_text, _, port_text = text.partition(":")
    else:  # a name, an IPv4 address, or a bare IPv6 address (several colons)
        host_text = text
    host = _normal_host(host_text)
    if host is None or (text.startswith("[") and ":" not in host):
        raise ValueError(f"webhook_hosts entry {entry!r} is not host, host:port or [ipv6]:port")
    if port_text is None:
        return host, None
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ValueError(f"webhook_hosts entry {entry!r} has a bad port")
    return host, int(port_text)


def _parse_allow_list(allowed_hosts: Sequence[str]) -> list[tuple[str, int | None]]:
    if isinstance(allowed_hosts, str | bytes):
        raise TypeError("allowed_hosts must be a sequence of host names, not one string")
    return [_parse_entry(entry) for entry in allowed_hosts]


def check_callback_url(url: str, allowed_hosts: Sequence[str]) -> str:
    """The normalized ``url`` if the judge may POST to it, else raise :class:`CallbackRefused`.

    ``allowed_hosts`` entries are ``host`` (any port) or ``host:port`` (only that port, the
    scheme's default counting when the URL names none); IPv6 addresses go in brackets when a port
    is given. Hosts match exactly, ignoring case and a trailing dot; an empty list refuses every
    URL. The normalized URL has a lowercase scheme and host, no trailing dot, no default port and a
    path of at least ``/``. Nothing is resolved: the allow-list is trusted to name hosts outside the
    judge's own network. A malformed entry in ``allowed_hosts`` raises a plain ValueError.

    Example:
        >>> allowed = ["hooks.example.com", "ci.example.org:8443"]
        >>> check_callback_url("https://ci.example.org:8443/judge", allowed)
        'https://ci.example.org:8443/judge'
        >>> check_callback_url("http://hooks.example.com:80", allowed)
        'http://hooks.example.com/'
        >>> check_callback_url("https://ci.example.org/judge", allowed)
        Traceback (most recent call last):
        ...
        judge.service.webhooks.CallbackRefused: port 443 of host 'ci.example.org' is not allowed by webhook_hosts
        >>> check_callback_url("http://127.0.0.1:8080/", allowed)
        Traceback (most recent call last):
        ...
        judge.service.webhooks.CallbackRefused: host '127.0.0.1' is not in webhook_hosts
        >>> check_callback_url("https://hooks.example.com/", [])
        Traceback (most recent call last):
        ...
        judge.service.webhooks.CallbackRefused: webhooks are disabled: no webhook_hosts configured
    """
    entries = _parse_allow_list(allowed_hosts)
    if not isinstance(url, str):
        raise CallbackRefused("must be a string")
    if not entries:
        raise CallbackRefused("webhooks are disabled: no webhook_hosts configured")
    if not url:
        raise CallbackRefused("is empty")
    if len(url) > MAX_URL_LENGTH:
        raise CallbackRefused(f"is longer than {MAX_URL_LENGTH} characters")
    if any(not 0x21 <= ord(char) <= 0x7E for char in url):
        raise CallbackRefused("contains whitespace, control or non-ASCII characters (percent-encode them)")
    if "\\" in url:
        raise CallbackRefused("contains a backslash")
    if "#" in url:
        raise CallbackRefused("must not have a fragment (#...)")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        shown = f"{scheme!r}" if scheme and len(scheme) <= 20 else "none" if not scheme else "another"
        raise CallbackRefused(f"scheme must be http or https, not {shown}")
    if "@" in parts.netloc:
        raise CallbackRefused("credentials (user@ or user:pass@) are not allowed in the URL")
    raw_host = parts.hostname or ""
    if not raw_host:
        raise CallbackRefused("has no host")
    host = _normal_host(raw_host)
    if host is None:
        raise CallbackRefused("host is not a valid host name or IP address")
    try:
        explicit_port = parts.port
    except ValueError:
        raise CallbackRefused("has a port that is not a number from 1 to 65535") from None
    if explicit_port == 0:
        raise CallbackRefused("has a port that is not a number from 1 to 65535")
    port = explicit_port if explicit_port is not None else _DEFAULT_PORTS[scheme]
    same_host = [entry_port for entry_host, entry_port in entries if entry_host == host]
    if not same_host:
        raise CallbackRefused(f"host {host!r} is not in webhook_hosts")
    if not any(entry_port is None or entry_port == port for entry_port in same_host):
        raise CallbackRefused(f"port {port} of host {host!r} is not allowed by webhook_hosts")
    netloc = f"[{host}]" if ":" in host else host
    if port != _DEFAULT_PORTS[scheme]:
        netloc += f":{port}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def sign(body: bytes, key: bytes) -> str:
    """The ``X-Judge-Signature`` value for ``body``: ``sha256=`` and the hex HMAC-SHA256 under ``key``.

    Example:
        >>> sign(b"{}", b"k")
        'sha256=add853b103fbcc936a194f9eb15e29c4ff08af6e47d5d1bca4f20218e31e4fff'
    """
    return "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()


def verify(body: bytes, key: bytes, header: str) -> bool:
    """Whether ``header`` is the signature of ``body`` under ``key`` (compared in constant time).

    Example:
        >>> header = sign(b'{"status":"done"}', b"secret")
        >>> verify(b'{"status":"done"}', b"secret", header)
        True
        >>> verify(b'{"status":"done"}', b"other", header), verify(b'{"status":"done"}', b"secret", "sha256=00")
        (False, False)
    """
    if not isinstance(header, str) or not header.isascii():
        return False
    return hmac.compare_digest(sign(body, key).encode("ascii"), header.strip().encode("ascii"))


def _no_redirect_opener() -> urllib.request.OpenerDirector:
    """An opener that speaks http and https only, uses no proxy, and follows no redirect.

    Without an ``HTTPRedirectHandler`` a 3xx reaches ``HTTPDefaultErrorHandler`` and is raised
    as an HTTPError, like any other answer outside 2xx.
    """
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler({}),
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


@dataclass
class _Delivery:
    url: str
    host: str  # for log lines: checked, so safe to print
    body: bytes
    signature: str
    tries: int = 0


def _host_of(url: str) -> str:
    return urlsplit(url).netloc


class WebhookSender:
    """Delivers signed status documents from one daemon thread, with retries; never blocks the caller.

    ``attempts`` tries per document, waiting ``backoff_s * 2**n`` after the n-th failure (n from 0)
    that may pass (connection error, timeout, 5xx, 429); any other answer outside 2xx, a 3xx
    included, ends the delivery at once. Each request has ``timeout_s`` per socket operation. At
    most ``queue_size`` documents wait (retries included); past that a document is dropped. Every
    document ends up counted once, in :attr:`delivered` or :attr:`failed`, and each failure is
    logged as a warning. ``allowed_hosts`` may be replaced while running; it is checked again at
    :meth:`send`.

    Example:
        >>> sender = WebhookSender(allowed_hosts=["hooks.example.com"])
        >>> sender.send("http://10.0.0.1/admin", {"status": "done"}, b"secret")  # refused: never contacted
        >>> sender.delivered, sender.failed
        (0, 1)
        >>> sender.stop()
    """

    def __init__(
        self,
        *,
        attempts: int = 4,
        backoff_s: float = 1.0,
        timeout_s: float = 5.0,
        allowed_hosts: Sequence[str] = (),
        queue_size: int = DEFAULT_QUEUE_SIZE,
    ) -> None:
        if attempts < 1:
            raise ValueError("attempts must be at least 1")
        if backoff_s < 0 or not math.isfinite(backoff_s):
            raise ValueError("backoff_s must be a finite number >= 0")
        if not timeout_s > 0 or not math.isfinite(timeout_s):
            raise ValueError("timeout_s must be a finite number > 0")
        if queue_size < 1:
            raise ValueError("queue_size must be at least 1")
        self.attempts = attempts
        self.backoff_s = backoff_s
        self.timeout_s = timeout_s
        self.queue_size = queue_size
        self.allowed_hosts = allowed_hosts
        self.delivered = 0
        self.failed = 0
        self._opener = _no_redirect_opener()
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, _Delivery]] = []  # (due, order, delivery)
        self._order = itertools.count()
        self._thread: threading.Thread | None = None
        self._closing = False
        self._deadline = math.inf

    @property
    def allowed_hosts(self) -> tuple[str, ...]:
        """The hosts (``host`` or ``host:port``) documents may be sent to; checked on assignment."""
        return self._allowed_hosts

    @allowed_hosts.setter
    def allowed_hosts(self, hosts: Sequence[str]) -> None:
        _parse_allow_list(hosts)  # a malformed entry fails here, at configuration time
        self._allowed_hosts = tuple(hosts)

    @property
    def pending(self) -> int:
        """How many documents wait to be sent or retried (not counting one being sent now)."""
        with self._cond:
            return len(self._heap)

    def start(self) -> None:
        """Start the sending thread (again is a no-op; after :meth:`stop` it is an error)."""
        with self._cond:
            if self._closing:
                raise RuntimeError("a stopped WebhookSender cannot be started again")
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="judge-webhooks", daemon=True)
                self._thread.start()

    def send(self, url: str, document: Mapping[str, Any], key: bytes) -> None:
        """Queue ``document`` for ``url``, signed with ``key``; returns at once and never raises for delivery problems.

        The document is serialized now, so later changes to it are not sent. A refused URL, a
        document that is not JSON, a full queue or a stopped sender count as failed, with a warning.
        """
        try:
            checked = check_callback_url(url, self._allowed_hosts)
        except ValueError as refused:  # CallbackRefused, or a bad allow-list
            self._fail(f"webhook refused: {refused}")
            return
        try:
            body = json.dumps(document, sort_keys=True, separators=(",", ":"), allow_nan=False).encode("utf-8")
            signature = sign(body, key)
        except (TypeError, ValueError) as error:
            self._fail(f"webhook to {_host_of(checked)} not sent: document or key unusable ({type(error).__name__}: {error})")
            return
        delivery = _Delivery(url=checked, host=_host_of(checked), body=body, signature=signature)
        with self._cond:
            if self._closing:
                reason = "the sender is stopped"
            elif len(self._heap) >= self.queue_size:
                reason = f"the queue is full ({self.queue_size} waiting)"
            else:
                heapq.heappush(self._heap, (time.monotonic(), next(self._order), delivery))
                self._cond.notify()
                return
        self._fail(f"webhook to {delivery.host} dropped: {reason}")

    def stop(self, timeout: float = 5.0) -> None:
        """Send what is due within ``timeout`` seconds, then give up on the rest (counted failed).

        Returns after about ``timeout`` seconds at most; a request under way then finishes (or times
        out) in the daemon thread.
        """
        with self._cond:
            self._closing = True
            self._deadline = min(self._deadline, time.monotonic() + max(timeout, 0.0))
            self._cond.notify_all()
            thread = self._thread
            if thread is None:
                self._abandon_locked()
                return
        thread.join(max(timeout, 0.0))

    # --- the sending thread ---

    def _fail(self, message: str) -> None:
        with self._cond:
            self.failed += 1
        log.warning("%s", message)

    def _abandon_locked(self) -> None:
        if self._heap:
            count = len(self._heap)
            self._heap.clear()
            self.failed += count
            log.warning("webhooks: %d not delivered at shutdown", count)

    def _next(self) -> _Delivery | None:
        """The next delivery that is due, waiting for it; None when stopping."""
        with self._cond:
            while True:
                now = time.monotonic()
                if self._closing and (not self._heap or now >= self._deadline or self._heap[0][0] > self._deadline):
                    self._abandon_locked()
                    return None
                if self._heap and self._heap[0][0] <= now:
                    return heapq.heappop(self._heap)[2]
                wake = self._heap[0][0] if self._heap else math.inf
                if self._closing:
                    wake = min(wake, self._deadline)
                self._cond.wait(None if wake == math.inf else max(wake - now, 0.0))

    def _run(self) -> None:
        while (delivery := self._next()) is not None:
            try:
                self._attempt(delivery)
            except Exception:  # a bug here must not end the thread: later documents still go
                log.exception("webhook to %s failed unexpectedly", delivery.host)
                with self._cond:
                    self.failed += 1

    def _post(self, delivery: _Delivery) -> tuple[bool, bool, str]:
        """One POST: (delivered, worth retrying, what happened)."""
        request = urllib.request.Request(
            delivery.url,
            data=delivery.body,
            method="POST",
            headers={"Content-Type": "application/json", "User-Agent": USER_AGENT, SIGNATURE_HEADER: delivery.signature},
        )
        try:
            with self._opener.open(request, timeout=self.timeout_s) as response:
                return True, False, f"HTTP {response.status}"
        except urllib.error.HTTPError as error:
            error.close()
            if 300 <= error.code < 400:
                return False, False, f"HTTP {error.code} (redirects are not followed)"
            return False, error.code == 429 or error.code >= 500, f"HTTP {error.code}"
        except (OSError, HTTPException) as error:  # URLError, refused, reset, timeout, TLS, bad answer
            reason = getattr(error, "reason", None) or error
            return False, True, f"{type(error).__name__}: {reason}"

    def _attempt(self, delivery: _Delivery) -> None:
        try:
            # Checked again: the allow-list may have changed since the document was queued.
            check_callback_url(delivery.url, self._allowed_hosts)
        except ValueError as refused:
            self._fail(f"webhook to {delivery.host} refused at send time: {refused}")
            return
        delivery.tries += 1
        ok, retry, what = self._post(delivery)
        if ok:
            with self._cond:
                self.delivered += 1
            log.debug("webhook to %s delivered (%s, try %d)", delivery.host, what, delivery.tries)
            return
        if retry and delivery.tries < self.attempts:
            due = time.monotonic() + self.backoff_s * 2 ** (delivery.tries - 1)
            log.info("webhook to %s: %s; retry %d of %d", delivery.host, what, delivery.tries, self.attempts - 1)
            with self._cond:
                heapq.heappush(self._heap, (due, next(self._order), delivery))
                self._cond.notify()
            return
        self._fail(f"webhook to {delivery.host} failed after {delivery.tries} tries: {what}")

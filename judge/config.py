"""``config.yaml`` -> one frozen :class:`Config`; defaults and validation live here only.

Precedence, lowest to highest: built-in defaults, the config file, ``JUDGE_*`` environment
variables, explicit overrides (CLI flags). Relative paths in the file are relative to the file.

Example:
    >>> cfg = load_config(None, overrides={"backend": "cpu"})
    >>> cfg.backend, cfg.precision, cfg.x64
    ('cpu', 'highest', False)
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .yamlio import LineDict, load_yaml_file, yaml_number

BACKENDS = ("cpu", "gpu", "tpu")
PRECISIONS = ("highest", "high", "default")
SANDBOX_MODES = ("auto", "bwrap", "none")


@dataclass(frozen=True)
class Limits:
    """Resource limits for one run of learner code. Problems may override some of them."""

    case_time_s: float = 10.0  # wall clock for one call of solve
    total_time_s: float = 120.0  # wall clock for the whole submission, start-up included
    startup_time_s: float = 60.0  # importing jax and the submission, before the first case
    memory_mib: int = 3072  # cgroup memory limit for the whole sandbox
    pids: int = 256  # processes and threads in the sandbox (XLA needs dozens of threads)
    output_bytes: int = 64 * 1024  # stdout/stderr kept per stream; the rest is counted and dropped
    file_size_mib: int = 64  # RLIMIT_FSIZE: largest file the submission may write (in its tmpfs)
    tmpfs_mib: int = 64  # size of the private writable /tmp
    max_output_elements: int = 10_000_000  # a bigger returned array is output_limit_exceeded


@dataclass(frozen=True)
class ServiceSettings:
    """``service:`` in config.yaml: what ``judge serve`` accepts and how it grades."""

    max_source_bytes: int = 256 * 1024  # a larger submission is refused (413)
    submissions_per_minute: int = 30  # per user; more is refused (429, with Retry-After)
    queue_max: int = 10_000  # jobs waiting or running; a full queue refuses new submissions (503)
    webhook_hosts: tuple[str, ...] = ()  # hosts (or host:port) callback_url may name; empty: no webhooks
    lease_s: float = 120.0  # a job whose worker sent no heartbeat for this long goes to another worker
    # Sandboxed workers kept booted, waiting for a submission, per kind (public / hidden cases);
    # None: as many as there are graders; 0: none (every grading starts its own).
    warm_workers: int | None = None


@dataclass(frozen=True)
class Config:
    """Everything the judge needs to know about this installation."""

    backend: str = "cpu"
    precision: str = "highest"
    x64: bool = False
    rtol: float = 1e-5
    atol: float = 1e-5
    limits: Limits = field(default_factory=Limits)
    service: ServiceSettings = field(default_factory=ServiceSettings)
    problems_dir: Path = Path("problems")
    cache_dir: Path = Path(".cache/judge")
    sandbox: str = "auto"  # auto: bwrap, refusing to run if unusable; none: trusted code only
    # Host uid (and gid) that learner code runs as when the judge is started as root: never 0.
    sandbox_uid: int = 65534
    source: Path | None = None  # the config file read, if any

    def with_overrides(self, **changes: Any) -> Config:
        """Return a copy with some fields replaced, validated like the file."""
        merged = dataclasses.asdict(self)
        merged["limits"] = dataclasses.asdict(self.limits)
        merged["service"] = dataclasses.asdict(self.service)
        merged.pop("source")
        for key, value in changes.items():
            if value is None:
                continue
            if key in merged["limits"]:
                merged["limits"][key] = value
            else:
                merged[key] = value
        return _build(merged, source=self.source, base=Path.cwd())


_ENV = {
    "JUDGE_BACKEND": "backend",
    "JUDGE_PRECISION": "precision",
    "JUDGE_X64": "x64",
    "JUDGE_PROBLEMS_DIR": "problems_dir",
    "JUDGE_CACHE_DIR": "cache_dir",
    "JUDGE_SANDBOX": "sandbox",
    "JUDGE_SANDBOX_UID": "sandbox_uid",
}


CONFIG_FILE = "config.yaml"


def find_config_file(explicit: str | Path | None, start: Path | None = None) -> Path | None:
    """The config file to use: ``explicit`` (``--config``), then ``$JUDGE_CONFIG``, then the nearest
    ``config.yaml`` in ``start`` (default: the current directory) or a folder above it (see
    :func:`nearest_config`); None when there is none: built-in defaults.

    So ``judge`` run from ``problems/conv1d/`` or ``submissions/`` finds the project's config.yaml,
    and relative paths in it (``problems_dir``, ``cache_dir``) stay relative to that file.
    """
    if explicit is not None:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError("config file not found", file=path)
        return path
    env = os.environ.get("JUDGE_CONFIG")
    if env:
        path = Path(env)
        if not path.is_file():
            raise ConfigError("config file named by JUDGE_CONFIG not found", file=path)
        return path
    return nearest_config(start or Path.cwd())


def nearest_config(start: Path) -> Path | None:
    """The first ``config.yaml`` in ``start`` or a folder above it, up to the filesystem root
    (as an absolute path, so reports can say which file was used).

    Example:
        >>> import tempfile
        >>> root = Path(tempfile.mkdtemp()).resolve()
        >>> _ = (root / "config.yaml").write_text("backend: cpu\\n")
        >>> (root / "a" / "b").mkdir(parents=True)
        >>> nearest_config(root / "a" / "b") == root / "config.yaml"
        True
    """
    here = start.resolve()
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_FILE
        if candidate.is_file():
            return candidate
    return None


def load_config(path: str | Path | None, overrides: Mapping[str, Any] | None = None) -> Config:
    """Load the configuration, applying environment variables and ``overrides`` on top."""
    file = find_config_file(path)
    raw: dict[str, Any] = {}
    lines: dict[str, int] = {}
    base = Path.cwd()
    if file is not None:
        doc = load_yaml_file(file, ConfigError)
        if doc is None:
            doc = LineDict()
            doc.key_lines = {}
        if not isinstance(doc, LineDict):
            raise ConfigError("the top level must be a mapping", file=file, line=1)
        raw = dict(doc)
        lines = dict(doc.key_lines)
        for section in ("limits", "service"):
            block = doc.get(section)
            if isinstance(block, LineDict):
                lines.update({f"{section}.{k}": v for k, v in block.key_lines.items()})
        base = file.resolve().parent
    for env, key in _ENV.items():
        if env in os.environ:
            raw[key] = os.environ[env]
    for key, value in (overrides or {}).items():
        if value is not None:
            raw[key] = value
    return _build(raw, source=file, base=base, lines=lines)


def _build(raw: Mapping[str, Any], *, source: Path | None, base: Path, lines: Mapping[str, int] | None = None) -> Config:
    lines = lines or {}

    def fail(key: str, message: str) -> ConfigError:
        return ConfigError(message, file=source or "<config>", line=lines.get(key), field=key)

    known = {f.name for f in dataclasses.fields(Config)} - {"source"}
    for key in raw:
        if key not in known:
            raise fail(key, f"unknown setting; valid settings: {', '.join(sorted(known))}")

    def choice(key: str, options: tuple[str, ...], default: str) -> str:
        value = raw.get(key, default)
        if not isinstance(value, str) or value.lower() not in options:
            raise fail(key, f"must be one of {', '.join(options)}; got {value!r}")
        return value.lower()

    def number(key: str, default: float, container: Mapping[str, Any] = raw, prefix: str = "") -> float:
        value = yaml_number(container.get(key, default))
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise fail(prefix + key, f"must be a non-negative number; got {value!r}")
        return float(value)

    def boolean(key: str, default: bool) -> bool:
        value = raw.get(key, default)
        if isinstance(value, str) and value.lower() in ("1", "true", "yes", "on", "0", "false", "no", "off"):
            return value.lower() in ("1", "true", "yes", "on")
        if not isinstance(value, bool):
            raise fail(key, f"must be true or false; got {value!r}")
        return value

    def path(key: str, default: Path) -> Path:
        value = raw.get(key, default)
        if not isinstance(value, (str, Path)) or not str(value):
            raise fail(key, f"must be a path; got {value!r}")
        p = Path(value).expanduser()
        return p if p.is_absolute() else (base / p)

    limits_raw = raw.get("limits", {}) or {}
    if not isinstance(limits_raw, Mapping):
        raise fail("limits", "must be a mapping of limit names to numbers")
    limit_fields = {f.name: f for f in dataclasses.fields(Limits)}
    for key in limits_raw:
        if key not in limit_fields:
            raise fail(f"limits.{key}", f"unknown limit; valid limits: {', '.join(limit_fields)}")
    limit_values: dict[str, Any] = {}
    for name, f in limit_fields.items():
        value = number(name, f.default, limits_raw, "limits.")  # type: ignore[arg-type]
        limit_values[name] = int(value) if f.type == "int" else value
    return Config(
        service=_service(raw.get("service", {}) or {}, number, fail),
        backend=choice("backend", BACKENDS, "cpu"),
        precision=choice("precision", PRECISIONS, "highest"),
        x64=boolean("x64", False),
        rtol=number("rtol", 1e-5),
        atol=number("atol", 1e-5),
        limits=Limits(**limit_values),
        problems_dir=path("problems_dir", Path("problems")),
        cache_dir=path("cache_dir", Path(".cache/judge")),
        sandbox=choice("sandbox", SANDBOX_MODES, "auto"),
        sandbox_uid=_sandbox_uid(number("sandbox_uid", 65534), fail),
        source=source,
    )


def _sandbox_uid(value: float, fail: Any) -> int:
    if value != int(value) or not 0 < value < 2**32 - 1:
        raise fail("sandbox_uid", f"must be a whole number from 1 to 4294967294 (never root); got {value:g}")
    return int(value)


def _service(raw: Any, number: Any, fail: Any) -> ServiceSettings:
    if not isinstance(raw, Mapping):
        raise fail("service", "must be a mapping of service settings")
    known = {f.name: f for f in dataclasses.fields(ServiceSettings)}
    for key in raw:
        if key not in known:
            raise fail(f"service.{key}", f"unknown service setting; valid settings: {', '.join(known)}")
    values: dict[str, Any] = {}
    for name in ("max_source_bytes", "submissions_per_minute", "queue_max"):
        value = number(name, known[name].default, raw, "service.")
        if value != int(value) or value < 1:
            raise fail(f"service.{name}", f"must be a whole number of at least 1; got {value:g}")
        values[name] = int(value)
    if raw.get("warm_workers") is not None:
        warm = number("warm_workers", 0, raw, "service.")
        if warm != int(warm):
            raise fail("service.warm_workers", f"must be a whole number (0: none); got {warm:g}")
        values["warm_workers"] = int(warm)
    values["lease_s"] = number("lease_s", known["lease_s"].default, raw, "service.")
    if values["lease_s"] < 5:
        raise fail("service.lease_s", f"must be at least 5 seconds; got {values['lease_s']:g}")
    hosts = raw.get("webhook_hosts", ())
    if not isinstance(hosts, (list, tuple)) or not all(isinstance(h, str) and h.strip() for h in hosts):
        raise fail("service.webhook_hosts", "must be a list of host names (or host:port)")
    values["webhook_hosts"] = tuple(h.strip().lower() for h in hosts)
    return ServiceSettings(**values)

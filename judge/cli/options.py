"""Option bundles and error handling shared by every ``judge`` command (main and authoring).

Example:
    >>> import click
    >>> @click.command()
    ... @config_options
    ... def show(config_path, backend, no_sandbox):
    ...     pass
    >>> sorted(p.name for p in show.params)
    ['backend', 'config_path', 'no_sandbox']
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

import click

from ..config import BACKENDS, Config, load_config
from ..errors import JudgeError
from ..safe_text import visible

F = Callable[..., Any]


def clean_errors(func: F) -> F:
    """Turn a JudgeError into ``judge: error: <file:line: message>`` and exit 2.

    The message often quotes a path or a file's content: shown with control characters visible,
    so it stays one line and cannot drive the terminal.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except JudgeError as exc:
            click.echo(f"judge: error: {visible(str(exc))}", err=True)
            sys.exit(2)

    return wrapper


CONFIG_HELP = "config.yaml to use (default: $JUDGE_CONFIG, else the nearest config.yaml here or in a folder above)."


def config_file_option(func: F) -> F:
    """Only ``--config``: for commands that run no learner code (nothing to sandbox, no backend)."""
    return click.option("--config", "config_path", type=click.Path(dir_okay=False), help=CONFIG_HELP)(func)


def config_options(func: F) -> F:
    """Options shared by every command that runs code: ``--config``, ``--backend``, ``--no-sandbox``."""
    func = config_file_option(func)
    func = click.option("--backend", type=click.Choice(BACKENDS), help="JAX backend; overrides config.yaml and $JUDGE_BACKEND.")(func)
    func = click.option("--no-sandbox", is_flag=True, help="Run learner code without isolation. ONLY for code you trust.")(func)
    return func


def build_config(config_path: str | None, backend: str | None = None, no_sandbox: bool = False) -> Config:
    return load_config(config_path, overrides={"backend": backend, "sandbox": "none" if no_sandbox else None})


def settings_line(config: Config) -> str:
    """Which configuration a command used: ``config: FILE (or defaults) · problems: DIR · cache: DIR``.

    One line, shown through :func:`judge.safe_text.visible` (paths may hold any character).

    Example:
        >>> from pathlib import Path
        >>> settings_line(Config(problems_dir=Path("/p"), cache_dir=Path("/c")))
        'config: defaults (no config.yaml found) · problems: /p · cache: /c'
    """
    source = str(config.source.resolve()) if config.source is not None else "defaults (no config.yaml found)"
    return visible(f"config: {source} · problems: {config.problems_dir} · cache: {config.cache_dir}")


def dask_executor(executor: str, scheduler: str | None) -> tuple[Any, Executor | None]:
    """``(client, executor)`` for ``--executor dask --scheduler ADDRESS``; ``(None, None)`` for local.

    The caller closes the client when done. A missing extra or an unreachable scheduler is a
    one-line error, never a traceback.
    """
    if executor != "dask":
        return None, None
    if not scheduler:
        raise click.UsageError("--executor dask needs --scheduler ADDRESS")
    try:
        from dask.distributed import Client
    except ImportError:
        raise JudgeError("the Dask executor needs the distributed extra: pip install 'judge[distributed]'") from None
    try:
        client = Client(scheduler, timeout=30)
    except OSError as exc:
        raise JudgeError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    return client, client.get_executor(pure=False)

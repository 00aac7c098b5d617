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


def config_options(func: F) -> F:
    """Options shared by every command that needs a configuration."""
    func = click.option(
        "--config", "config_path", type=click.Path(dir_okay=False), help="config.yaml to use (default: ./config.yaml or $JUDGE_CONFIG)."
    )(func)
    func = click.option("--backend", type=click.Choice(BACKENDS), help="JAX backend; overrides config.yaml and $JUDGE_BACKEND.")(func)
    func = click.option("--no-sandbox", is_flag=True, help="Run learner code without isolation. ONLY for code you trust.")(func)
    return func


def build_config(config_path: str | None, backend: str | None, no_sandbox: bool) -> Config:
    return load_config(config_path, overrides={"backend": backend, "sandbox": "none" if no_sandbox else None})

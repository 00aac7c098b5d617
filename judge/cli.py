"""The ``judge`` command: click commands that parse, call the library, and print.

Every :class:`judge.errors.JudgeError` becomes one line on stderr and exit status 2; a verdict,
whatever it is, exits 0.
"""

from __future__ import annotations

import functools
import logging
import sys
from pathlib import Path
from typing import Any, Callable

import click

from .config import BACKENDS, Config, load_config
from .errors import JudgeError
from .grade import grade_stream
from .problem import load_problem
from .report import case_line, make_console, render_json, render_text
from .verdict import CaseResult, SubmissionResult

F = Callable[..., Any]


def clean_errors(func: F) -> F:
    """Turn a JudgeError into ``judge: error: <file:line: message>`` and exit 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except JudgeError as exc:
            click.echo(f"judge: error: {exc}", err=True)
            sys.exit(2)

    return wrapper


def config_options(func: F) -> F:
    """Options shared by every command that needs a configuration."""
    func = click.option("--config", "config_path", type=click.Path(dir_okay=False), help="config.yaml to use (default: ./config.yaml or $JUDGE_CONFIG).")(func)
    func = click.option("--backend", type=click.Choice(BACKENDS), help="JAX backend; overrides config.yaml and $JUDGE_BACKEND.")(func)
    func = click.option("--no-sandbox", is_flag=True, help="Run learner code without isolation. ONLY for code you trust.")(func)
    return func


def build_config(config_path: str | None, backend: str | None, no_sandbox: bool) -> Config:
    return load_config(config_path, overrides={"backend": backend, "sandbox": "none" if no_sandbox else None})


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="Log more (repeat for debug).")
@click.version_option(package_name="judge")
def main(verbose: int) -> None:
    """A sandboxed judge for JAX/Flax exercises.

    \b
    Example:
      judge grade submissions/alice_correct.py --problem conv1d
    """
    level = logging.WARNING - 10 * verbose
    logging.basicConfig(level=max(level, logging.DEBUG), format="%(levelname)s %(name)s: %(message)s")


@main.command()
@click.argument("submission", type=click.Path(path_type=Path))
@click.option("--problem", "-p", "problem_name", required=True, help="Problem id under problems_dir, or a path to a problem folder.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@config_options
@clean_errors
def grade(submission: Path, problem_name: str, fmt: str, config_path: str | None, backend: str | None, no_sandbox: bool) -> None:
    """Grade one SUBMISSION file against a problem.

    \b
    Example:
      judge grade submissions/alice_correct.py --problem conv1d --format json
    """
    config = build_config(config_path, backend, no_sandbox)
    problem = load_problem(problem_name, config.problems_dir)
    console = make_console()
    result: SubmissionResult | None = None
    header_shown = False
    for item in grade_stream(submission, problem, config):
        if isinstance(item, CaseResult):
            if fmt == "text":
                if not header_shown:
                    console.print(f"[bold]{problem.id}[/] · {submission}")
                    header_shown = True
                console.print(case_line(item))
        else:
            result = item
    assert result is not None
    if fmt == "json":
        click.echo(render_json(result))
    else:
        render_text(result, console, with_cases=False)

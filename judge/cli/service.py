"""``judge serve``, ``judge token`` and ``judge submit``: the service and its command-line client.

Example:
    >>> from judge.cli import main
    >>> sorted(c for c in main.commands if c in ("serve", "token", "submit"))
    ['serve', 'submit', 'token']
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import click

from ..errors import JudgeError
from ..safe_text import visible
from ..verdict import CaseResult, SubmissionResult
from .options import build_config, clean_errors, config_options, dask_executor

log = logging.getLogger(__name__)


def _data_dir(data: Path | None, config_source: Path | None) -> Path:
    if data is not None:
        return data
    return (config_source.resolve().parent if config_source else Path.cwd()) / ".judge-data"


data_option = click.option("--data", "data", type=click.Path(file_okay=False, path_type=Path),
                           help="The service's folder: database and sources (default: .judge-data beside config.yaml).")


@click.command()
@data_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--workers", default=None, type=click.IntRange(min=0), help="Grading workers (default: number of cores).")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True)
@click.option("--scheduler", help="Dask scheduler address (with --executor dask), e.g. tcp://10.0.0.5:8786.")
@config_options
@clean_errors
def serve(data: Path | None, host: str, port: int, workers: int | None, executor: str, scheduler: str | None,
          config_path: str | None, backend: str | None, no_sandbox: bool) -> None:
    """Run the judge as an HTTP service (the /v1 API; OpenAPI at /openapi.json).

    \b
    Example:
      judge token create alice --role admin
      judge serve --port 8000 --workers 2
    """
    import uvicorn

    from ..sandbox import SandboxPolicy
    from ..service.app import create_app
    from ..service.db import ServiceDB
    from ..service.metrics import Metrics
    from ..service.queue import Graders
    from ..service.webhooks import WebhookSender

    config = build_config(config_path, backend, no_sandbox)
    SandboxPolicy.detect(config.sandbox)  # refuse to start rather than fail every job
    db = ServiceDB(_data_dir(data, config.source))
    client, pool = dask_executor(executor, scheduler)
    try:
        sender = WebhookSender(allowed_hosts=config.service.webhook_hosts)
    except (ValueError, TypeError) as exc:
        raise JudgeError(f"invalid entry: {exc}", file=config.source or "<config>", field="service.webhook_hosts") from None
    count = workers if workers is not None else (os.cpu_count() or 1)
    graders = Graders(db, config, workers=count, lease_s=config.service.lease_s, executor=pool)
    metrics = Metrics(db, graders)

    def finished(job: object, record: object) -> None:
        from ..record import ResultRecord
        from ..service.app import status_document
        from ..service.db import ClaimedJob

        assert isinstance(job, ClaimedJob) and isinstance(record, ResultRecord)
        metrics.graded(record)
        row = db.submission(job.submission_id)
        if row is not None and row.callback_url and job.rejudge_id is None:
            sender.send(row.callback_url, status_document(row), db.webhook_key(row.token_id))

    graders.on_finished = finished

    stopped: list[bool] = []

    def shut_down() -> None:
        if stopped:
            return
        stopped.append(True)
        graders.stop()
        sender.stop()
        if client is not None:
            client.close()

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: object) -> None:
            graders.halt()  # no new gradings while open connections drain
            super().handle_exit(sig, frame)  # type: ignore[arg-type]

    app = create_app(db, config, graders, metrics=metrics, on_shutdown=[shut_down])
    server = Server(uvicorn.Config(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=5))
    sender.start()
    graders.start()
    click.echo(f"judge serving on http://{host}:{port} with {count} grading worker(s); data in {visible(str(db.data_dir))}", err=True)
    try:
        server.run()
    finally:
        shut_down()  # when uvicorn returns instead of re-raising the signal


@click.group()
def token() -> None:
    """Create, list and revoke API tokens of the service."""


@token.command("create")
@click.argument("user")
@click.option("--role", type=click.Choice(["learner", "author", "admin"]), default="learner", show_default=True)
@data_option
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="config.yaml (locates the default --data).")
@clean_errors
def token_create(user: str, role: str, data: Path | None, config_path: str | None) -> None:
    """Print a new token for USER (shown once: only its hash is stored).

    \b
    Example:
      judge token create alice --role learner
    """
    from ..config import load_config
    from ..service.db import Role, ServiceDB

    db = ServiceDB(_data_dir(data, load_config(config_path).source))
    click.echo(db.create_token(user, Role(role)))


@token.command("list")
@data_option
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="config.yaml (locates the default --data).")
@clean_errors
def token_list(data: Path | None, config_path: str | None) -> None:
    """List tokens (id, user, role, state); never the tokens themselves.

    \b
    Example:
      judge token list
    """
    from ..config import load_config
    from ..service.db import ServiceDB

    db = ServiceDB(_data_dir(data, load_config(config_path).source))
    for info in db.tokens():
        click.echo(f"{info.id:>4}  {info.user:<20} {info.role.value:<8} {'revoked' if info.revoked else 'active'}")


@token.command("revoke")
@click.argument("token_id", type=int)
@data_option
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="config.yaml (locates the default --data).")
@clean_errors
def token_revoke(token_id: int, data: Path | None, config_path: str | None) -> None:
    """Revoke the token with id TOKEN_ID (see judge token list).

    \b
    Example:
      judge token revoke 3
    """
    from ..config import load_config
    from ..service.db import ServiceDB

    db = ServiceDB(_data_dir(data, load_config(config_path).source))
    if not db.revoke_token(token_id):
        raise JudgeError(f"no active token with id {token_id}")
    click.echo(f"token {token_id} revoked")


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--problem", "-p", "problem_id", required=True, help="Problem id on the server.")
@click.option("--server", default=lambda: os.environ.get("JUDGE_SERVER", "http://127.0.0.1:8000"), show_default="$JUDGE_SERVER or http://127.0.0.1:8000")
@click.option("--token", "token_value", default=lambda: os.environ.get("JUDGE_TOKEN"), help="API token (default: $JUDGE_TOKEN).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--set", "set_id", help="The problem set this submission counts for (refused before the set opens).")
@clean_errors
def submit(file: Path, problem_id: str, server: str, token_value: str | None, fmt: str, set_id: str | None) -> None:
    """Submit FILE to a judge service, follow its grading live and print the report.

    \b
    Example:
      JUDGE_TOKEN=jdg_... judge submit submissions/alice_correct.py --problem conv1d
    """
    from ..report import CaseLines, make_console, render_json, render_text
    from ..service.client import Client

    if not token_value:
        raise click.UsageError("a token is needed: --token TOKEN or $JUDGE_TOKEN (ask the service's admin: judge token create)")
    try:
        source = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise JudgeError(f"cannot read the submission: {exc}", file=file) from None
    client = Client(server, token_value)
    queued = client.submit(problem_id, source, filename=file.name, set_id=set_id)
    if queued.get("late"):
        click.echo(f"note: submitted after the deadline of set {visible(str(set_id))}: marked late", err=True)
    console = make_console()
    lines = CaseLines(console)
    if fmt == "text":
        console.print(lines.header(problem_id, str(file)))
    document = None
    for event, data in client.events(queued["id"]):
        if event == "case" and fmt == "text":
            console.print(lines.line(CaseResult.from_json(data)))
        elif event == "restart" and fmt == "text":
            console.print(f"  (grading started again: {visible(str(data.get('reason', '')))})", markup=False, highlight=False)
            lines = CaseLines(console)  # "same as" never points into the abandoned attempt
        elif event == "result":
            document = data
    if document is None or document.get("result") is None:
        document = client.status(queued["id"], wait_s=60)
    if document.get("result") is None:
        raise JudgeError(f"submission {queued['id']} is still {document.get('status')}; ask again later")
    result = SubmissionResult.from_json(document["result"])
    if fmt == "json":
        click.echo(render_json(result))
    else:
        render_text(result, console, with_cases=False, lines=lines)
    sys.stdout.flush()


def register(group: click.Group) -> None:
    """Add ``serve``, ``token`` and ``submit`` to ``group`` (the ``judge`` command)."""
    for command in (serve, token, submit):
        group.add_command(command)


"""The ``/v1`` HTTP API of ``judge serve`` (FastAPI): a thin shell over the store and the graders.

Every client error is a 4xx with a JSON body naming the field; nothing a client sends yields a
500. A learner's token sees only that learner's submissions; anyone else's is answered 404, as if
it did not exist. Results are the documents ``judge grade --format json`` prints: hidden cases
reveal exactly what they reveal there, and no submission output is ever returned.

Example:
    >>> import tempfile
    >>> from fastapi.testclient import TestClient
    >>> from judge.config import load_config
    >>> from judge.service.db import ServiceDB
    >>> client = TestClient(create_app(ServiceDB(Path(tempfile.mkdtemp())), load_config(None)))
    >>> client.get("/healthz").json()["status"], client.get("/v1/problems").status_code
    ('ok', 401)
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping, Sequence
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from ..batch.diff import diff_results
from ..batch.leaderboard import FORMATS, rank, render
from ..cases import load_cases, materialize
from ..config import Config
from ..errors import JudgeError
from ..problem import ID_PATTERN, PROBLEM_FILE, Problem, load_problem
from ..safe_text import is_safe_name
from .db import RESTART, Caller, JobStatus, Role, ServiceDB, SubmissionRow
from .metrics import Metrics
from .queue import Graders
from .sets import SetRules
from .sets_api import register as register_sets
from .web import mount_page, render_statement
from .webhooks import CallbackRefused, check_callback_url

log = logging.getLogger(__name__)

MAX_WAIT_S = 60
POLL_S = 0.2
SSE_KEEPALIVE_S = 15.0
JSON_OVERHEAD = 64 * 1024  # request bytes allowed beyond the source (JSON escapes may grow it 6x)


class SubmissionIn(BaseModel):
    """``POST /v1/submissions``."""

    model_config = ConfigDict(extra="forbid", strict=True)

    problem: str = Field(min_length=1, max_length=64)
    source: str
    callback_url: str | None = Field(default=None, max_length=2048)
    filename: str = Field(default="submission.py", min_length=4, max_length=100)
    set: str | None = Field(default=None, min_length=1, max_length=64)  # the problem set it counts for (judge.service.sets)


def create_app(
    db: ServiceDB,
    config: Config,
    graders: Graders | None = None,
    *,
    metrics: Metrics | None = None,
    on_shutdown: Sequence[Callable[[], None]] = (),
) -> FastAPI:
    """The API over ``db``; ``graders`` (if any) is woken for each new submission.

    ``on_shutdown`` runs when the server shuts down (stop the graders, flush the webhooks).
    """
    settings = config.service

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        for hook in on_shutdown:
            await run_in_threadpool(hook)

    app = FastAPI(title="judge", version="1", summary="A sandboxed judge for JAX/Flax exercises", lifespan=lifespan)
    app.state.db = db
    metrics = metrics or Metrics(db, graders)
    body_limit = settings.max_source_bytes * 6 + JSON_OVERHEAD
    app.add_middleware(_BodyLimit, limit=body_limit)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"field": ".".join(str(p) for p in e.get("loc", ()) if p != "body") or "body", "message": str(e.get("msg", ""))}
                  for e in exc.errors()]
        malformed = any(e.get("type") == "json_invalid" for e in exc.errors())
        if malformed:
            return JSONResponse({"detail": "the body is not valid JSON", "errors": errors}, status_code=400)
        return JSONResponse({"detail": "; ".join(f"{e['field']}: {e['message']}" for e in errors), "errors": errors}, status_code=422)

    @app.exception_handler(JudgeError)
    async def judge_error(request: Request, exc: JudgeError) -> JSONResponse:
        log.error("%s %s: %s", request.method, request.url.path, exc)
        return JSONResponse({"detail": "the judge cannot serve this request now"}, status_code=503)

    def problem_ids() -> list[str]:
        root = config.problems_dir
        return sorted(p.parent.name for p in root.glob(f"*/{PROBLEM_FILE}") if ID_PATTERN.match(p.parent.name)) if root.is_dir() else []

    def known_problem(problem_id: str, field: str = "problem") -> Problem:
        # Only ids of folders under problems_dir: never a path a client chose.
        if problem_id not in problem_ids():
            raise HTTPException(404 if field == "path" else 422, f"{field}: unknown problem {problem_id!r}")
        return load_problem(problem_id, config.problems_dir)

    def visible_to(who: Caller, row: SubmissionRow | None) -> SubmissionRow:
        if row is None or (who.role is Role.LEARNER and row.user != who.user):
            raise HTTPException(404, "no such submission")  # never say that someone else's exists
        return row

    @app.get("/healthz")
    def healthz() -> dict[str, Any]:
        return {"status": "ok", "queue": db.queue_depth(), "workers": graders.workers if graders else 0}

    @app.get("/metrics")
    def prometheus() -> Response:
        body, content_type = metrics.render()
        return Response(body, media_type=content_type)

    @app.post("/v1/submissions", status_code=202)
    def submit(body: SubmissionIn, who: Auth) -> JSONResponse:
        known_problem(body.problem)
        source = body.source.encode("utf-8", "surrogatepass")
        if len(source) > settings.max_source_bytes:
            raise HTTPException(413, f"source: {len(source)} bytes; the limit is {settings.max_source_bytes}")
        if not body.filename.endswith(".py") or "/" in body.filename or not is_safe_name(body.filename) or body.filename.startswith("."):
            raise HTTPException(422, "filename: must be a plain file name ending in .py")
        callback = None
        if body.callback_url is not None:
            try:
                callback = check_callback_url(body.callback_url, settings.webhook_hosts)
            except CallbackRefused as exc:
                raise HTTPException(422, f"callback_url: {exc}") from None
            except ValueError as exc:  # the operator's webhook_hosts, not the client's URL
                log.error("service.webhook_hosts is invalid: %s", exc)
                raise HTTPException(503, "webhooks are misconfigured on this server") from None
        now = time.time()
        if body.set is not None:
            problem_set = db.problem_set(body.set)
            if problem_set is None:
                raise HTTPException(422, f"set: unknown problem set {body.set!r}")
            if body.problem not in problem_set.problems:
                raise HTTPException(422, f"set: problem {body.problem!r} is not in set {body.set!r}")
            refusal = SetRules.of(problem_set).refusal(problem_set.id, now)
            if refusal is not None:
                raise HTTPException(403, refusal)
        count, oldest = db.submissions_since(who.user, now - 60)
        if count >= settings.submissions_per_minute:
            retry = max(1, math.ceil((oldest or now) + 60 - now))
            raise HTTPException(429, f"more than {settings.submissions_per_minute} submissions a minute", headers={"Retry-After": str(retry)})
        if db.queue_depth() >= settings.queue_max:
            raise HTTPException(503, "the grading queue is full; try again later", headers={"Retry-After": "30"})
        row = db.add_submission(who.user, who.token_id, body.problem, source, body.filename, callback, now=now, set_id=body.set)
        if graders is not None:
            graders.wake()
        return JSONResponse(_status(row), status_code=202)

    @app.get("/v1/submissions")
    def list_submissions(
        who: Auth,
        problem: str | None = None,
        user: str | None = None,
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
        set: str | None = None,  # noqa: A002 - the query name: only submissions to this problem set
    ) -> list[dict[str, Any]]:
        if who.role is Role.LEARNER:
            if user is not None and user != who.user:
                return []
            user = who.user
        return [_summary(r) for r in db.submissions(user=user, problem=problem, limit=limit, set_id=set)]

    @app.get("/v1/submissions/{submission_id}")
    async def get_submission(submission_id: str, who: Auth, wait: Annotated[float, Query(ge=0, le=MAX_WAIT_S)] = 0) -> dict[str, Any]:
        row = visible_to(who, await run_in_threadpool(db.submission, submission_id))
        deadline = time.monotonic() + wait
        while row.status is not JobStatus.DONE and time.monotonic() < deadline:
            await asyncio.sleep(POLL_S)
            row = visible_to(who, await run_in_threadpool(db.submission, submission_id))
        return _status(row)

    @app.get("/v1/submissions/{submission_id}/events")
    async def events(submission_id: str, who: Auth) -> StreamingResponse:
        visible_to(who, await run_in_threadpool(db.submission, submission_id))
        job_id = await run_in_threadpool(db.first_job, submission_id)
        return StreamingResponse(_event_stream(db, submission_id, job_id), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    @app.get("/v1/problems")
    def problems(who: Auth) -> list[dict[str, str]]:
        return [{"id": p.id, "title": p.title} for p in (load_problem(i, config.problems_dir) for i in problem_ids())]

    @app.get("/v1/problems/{problem_id}")
    def problem(problem_id: str, who: Auth) -> dict[str, Any]:
        found = known_problem(problem_id, "path")
        return _problem_document(found, config)

    @app.get("/v1/problems/{problem_id}/leaderboard")
    def leaderboard(problem_id: str, who: Auth, format: str = "json") -> Response:  # noqa: A002 - the query name
        known_problem(problem_id, "path")
        if format not in FORMATS:
            raise HTTPException(422, f"format: one of {', '.join(FORMATS)}")
        text = render(rank(db.current_results(problem_id)), format)
        media = {"json": "application/json", "csv": "text/csv", "md": "text/markdown", "html": "text/html", "text": "text/plain"}[format]
        return Response(text, media_type=f"{media}; charset=utf-8")

    @app.post("/v1/problems/{problem_id}/rejudge", status_code=202)
    def rejudge(problem_id: str, who: Auth) -> dict[str, Any]:
        if who.role is not Role.ADMIN:
            raise HTTPException(403, "rejudging needs an admin token")
        known_problem(problem_id, "path")
        rejudge_id, count = db.add_rejudge(problem_id, who.user)
        if graders is not None:
            graders.wake()
        return {"id": rejudge_id, "problem": problem_id, "jobs": count}

    @app.get("/v1/problems/{problem_id}/rejudge/{rejudge_id}")
    def rejudge_status(problem_id: str, rejudge_id: str, who: Auth) -> dict[str, Any]:
        if who.role is not Role.ADMIN:
            raise HTTPException(403, "rejudge reports need an admin token")
        found = db.rejudge(rejudge_id)
        if found is None or found[0] != problem_id:
            raise HTTPException(404, "no such rejudge")
        _, total, done, pairs = found
        changes = diff_results([b for b, _ in pairs if b is not None], [a for _, a in pairs])
        return {"id": rejudge_id, "problem": problem_id, "total": total, "done": done,
                "changes": [c.to_json() for c in changes]}

    # -- the web page (judge/service/web): "/", its static files, and the three reads only it needs ------
    @app.get("/v1/me")
    def me(who: Auth) -> dict[str, str]:
        return {"user": who.user, "role": who.role.value}

    @app.get("/v1/problems/{problem_id}/statement")
    def statement(problem_id: str, who: Auth) -> dict[str, str]:
        found = known_problem(problem_id, "path")
        return {"id": found.id, "html": render_statement(_read(found.statement_file))}

    @app.get("/v1/queue")
    def queue(who: Auth, limit: Annotated[int, Query(ge=1, le=500)] = 100) -> dict[str, Any]:
        if who.role is not Role.ADMIN:
            raise HTTPException(403, "the queue view needs an admin token")
        return {"queue": db.queue_depth(), "workers": graders.workers if graders else 0, "busy": graders.busy if graders else 0,
                "jobs": [{**dataclasses.asdict(j), "status": j.status.value} for j in db.active_jobs(limit)]}

    mount_page(app)
    # -- end of the web page's block ---------------------------------------------------------------------
    # -- problem sets (judge.service.sets_api) ---------------------------------------------------
    register_sets(app, db, problem_ids, _caller)
    # -- end of problem sets -----------------------------------------------------------------------

    return app


def _caller(request: Request, authorization: Annotated[str | None, Header()] = None) -> Caller:
    db: ServiceDB = request.app.state.db
    scheme, _, token = (authorization or "").partition(" ")
    found = db.authenticate(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
    if found is None:
        raise HTTPException(401, "a valid token is needed: Authorization: Bearer TOKEN", headers={"WWW-Authenticate": "Bearer"})
    return found


Auth = Annotated[Caller, Depends(_caller)]


def _status(row: SubmissionRow) -> dict[str, Any]:
    """The status document: the same for GET, webhooks and the ``result`` event."""
    return {
        "id": row.id,
        "user": row.user,
        "problem": row.problem,
        "status": row.status.value,
        "submitted_at": row.submitted_at,
        "set": row.set_id,
        "late": row.late,
        "result": row.result.result.to_json() if row.result is not None and row.status is JobStatus.DONE else None,
    }


def status_document(row: SubmissionRow) -> dict[str, Any]:
    return _status(row)


def _summary(row: SubmissionRow) -> dict[str, Any]:
    done = row.result is not None and row.status is JobStatus.DONE
    return {
        "id": row.id, "user": row.user, "problem": row.problem, "status": row.status.value, "submitted_at": row.submitted_at,
        "set": row.set_id, "late": row.late,
        "verdict": row.result.verdict.value if done and row.result else None,
        "score": round(row.result.score, 6) if done and row.result else None,
    }


async def _event_stream(db: ServiceDB, submission_id: str, job_id: int | None) -> AsyncIterator[bytes]:
    """``case`` events as the grading decides them, then one ``result`` event; then the stream ends."""
    seen = 0
    last_sent = time.monotonic()
    while True:
        done = job_id is None or await run_in_threadpool(db.job_done, job_id)
        for seq, data in (await run_in_threadpool(db.case_events, job_id, seen)) if job_id is not None else []:
            seen = seq
            last_sent = time.monotonic()
            if RESTART in data:
                yield _sse("restart", {"reason": data[RESTART]})  # the cases that follow replace those before
            else:
                yield _sse("case", data)
        if done:
            row = await run_in_threadpool(db.submission, submission_id)
            if row is not None:
                yield _sse("result", _status(row))
            return
        if time.monotonic() - last_sent > SSE_KEEPALIVE_S:
            last_sent = time.monotonic()
            yield b": keep-alive\n\n"
        await asyncio.sleep(POLL_S)


def _sse(event: str, data: Any) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


def _problem_document(problem: Problem, config: Config) -> dict[str, Any]:
    """What a learner may know: never the reference, solutions, hidden cases or expected outputs."""
    public = [c for c in load_cases(problem) if not c.hidden]
    return {
        "id": problem.id,
        "title": problem.title,
        "statement": _read(problem.statement_file),
        "template": _read(problem.template_file),
        "entry_point": problem.entry_point,
        "args": [{"name": a.name, "type": a.type.value, "dtype": a.dtype, "ndim": a.ndim, "container": a.container,
                  "description": a.description} for a in problem.args],
        "tolerance": {"rtol": problem.tolerance.rtol, "atol": problem.tolerance.atol},
        "limits": dataclasses.asdict(problem.limits(config)),
        "public_cases": [{"id": c.id, "inputs": {k: _plain(v) for k, v in materialize(problem, c).items()}} for c in public],
    }


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""


def _plain(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]


class _BodyLimit:
    """Refuses a request body over ``limit`` bytes with 413 as soon as it is over, declared or streamed.

    The body (at most ``limit`` bytes) is read here and handed on whole: the framework turns any
    error while it reads a body into a 400, and an oversized body is the client's fault of size.
    """

    def __init__(self, app: Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]],
                 limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Callable[[], Awaitable[Message]], send: Callable[[Message], Awaitable[None]]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await _plain_error(send, 413, f"the request body is over {self.limit} bytes")
            return
        chunks: list[bytes] = []
        size, more = 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await _plain_error(send, 413, f"the request body is over {self.limit} bytes")
                return
            chunks.append(chunk)
            more = bool(message.get("more_body", False))
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _plain_error(send: Callable[[Message], Awaitable[None]], status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body})


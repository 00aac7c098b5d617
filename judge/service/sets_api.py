"""The problem-set routes of the ``/v1`` API (see :mod:`judge.service.sets` for the rules).

``POST /v1/sets`` creates a set and ``PUT /v1/sets/{id}`` replaces one (author or admin tokens);
``GET /v1/sets``, ``GET /v1/sets/{id}`` and ``GET /v1/sets/{id}/leaderboard`` are open to every
token, as problem leaderboards are. A set's body is at most 64 KiB (413 past that, whatever the
service's source limit); every refusal is a 4xx naming the field.

Example:
    >>> import tempfile
    >>> from pathlib import Path
    >>> from fastapi.testclient import TestClient
    >>> from judge.config import load_config
    >>> from judge.service.app import create_app
    >>> from judge.service.db import Role, ServiceDB
    >>> db = ServiceDB(Path(tempfile.mkdtemp()))
    >>> client = TestClient(create_app(db, load_config(None)))
    >>> auth = {"Authorization": "Bearer " + db.create_token("ada", Role.AUTHOR)}
    >>> client.post("/v1/sets", headers=auth, json={"id": "hw1", "title": "Week 1", "problems": ["conv1d"],
    ...                                              "deadline": "2999-01-01T00:00:00Z"}).json()["status"]
    'open'
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ValidationError

from ..export.gradebook import from_service
from .db import Caller, Role, ServiceDB, StoredSet
from .sets import MAX_SET_BODY, SET_FORMATS, SetCreate, SetError, SetIn, render_set_board, set_board, set_document, validate


def register(app: FastAPI, db: ServiceDB, problem_ids: Callable[[], Sequence[str]], caller: Callable[..., Caller]) -> None:
    """Add the set routes to ``app`` (``problem_ids``: the problems a set may name; ``caller``: the
    API's token dependency, which answers 401 without a valid token)."""
    authenticated = Depends(caller)

    def need_author(who: Caller) -> None:
        if who.role not in (Role.AUTHOR, Role.ADMIN):
            raise HTTPException(403, "creating or changing a problem set needs an author or admin token")

    def found(set_id: str) -> StoredSet:
        stored = db.problem_set(set_id)
        if stored is None:
            raise HTTPException(404, "no such problem set")
        return stored

    def stored_from(body: SetIn, set_id: str, who: Caller, now: float) -> StoredSet:
        try:
            problems, rules = validate(body, problem_ids())
        except SetError as exc:
            raise HTTPException(422, str(exc)) from None
        return StoredSet(set_id, body.title, problems, rules.opens_at, rules.deadline, rules.late_allowed, rules.late_penalty,
                         who.user, now, now)

    @app.post("/v1/sets", status_code=201, openapi_extra=_body_schema(SetCreate))
    async def create_set(request: Request, who: Caller = authenticated) -> JSONResponse:
        need_author(who)
        body = await _parse(request, SetCreate)
        now = time.time()
        stored = stored_from(body, body.id, who, now)
        if not await run_in_threadpool(db.save_set, stored, create=True):
            raise HTTPException(409, f"id: a problem set {body.id!r} exists; PUT /v1/sets/{body.id} changes it")
        return JSONResponse(set_document(stored, now), status_code=201)

    @app.put("/v1/sets/{set_id}", openapi_extra=_body_schema(SetIn))
    async def update_set(set_id: str, request: Request, who: Caller = authenticated) -> dict[str, Any]:
        need_author(who)
        body = await _parse(request, SetIn)
        await run_in_threadpool(found, set_id)
        now = time.time()
        stored = stored_from(body, set_id, who, now)
        if not await run_in_threadpool(db.save_set, stored, create=False):
            raise HTTPException(404, "no such problem set")
        return set_document(await run_in_threadpool(found, set_id), now)

    @app.get("/v1/sets")
    def list_sets(who: Caller = authenticated) -> list[dict[str, Any]]:
        now = time.time()
        return [set_document(s, now) for s in db.problem_sets()]

    @app.get("/v1/sets/{set_id}")
    def get_set(set_id: str, who: Caller = authenticated) -> dict[str, Any]:
        return set_document(found(set_id), time.time())

    @app.get("/v1/sets/{set_id}/leaderboard")
    def set_leaderboard(set_id: str, who: Caller = authenticated, format: str = "json") -> Response:  # noqa: A002 - the query name
        stored = found(set_id)
        if format not in SET_FORMATS:
            raise HTTPException(422, f"format: one of {', '.join(SET_FORMATS)}")
        rows = set_board(stored.problems, from_service(db, problem_set=stored))
        media = {"json": "application/json", "csv": "text/csv"}[format]
        return Response(render_set_board(rows, stored.problems, format), media_type=f"{media}; charset=utf-8")


async def _parse(request: Request, model: type[BaseModel]) -> Any:
    """The request's JSON body as ``model``: 413 past :data:`MAX_SET_BODY`, 400 if not JSON, 422 naming the field."""
    body = await request.body()
    if len(body) > MAX_SET_BODY:
        raise HTTPException(413, f"the request body is over {MAX_SET_BODY} bytes")
    try:
        return model.model_validate_json(body)
    except ValidationError as exc:
        # The app's handler words it as for every other body: 400 for broken JSON, else 422 naming the field.
        raise RequestValidationError(exc.errors()) from None


def _body_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The OpenAPI request body of a route that reads its body itself (to apply its own size limit),
    with the model's nested definitions inlined (a ``$defs`` reference would dangle in the document)."""
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return inline(definitions[ref.removeprefix("#/$defs/")])
            return {k: inline(v) for k, v in node.items()}
        if isinstance(node, list):
            return [inline(v) for v in node]
        return node

    return {"requestBody": {"required": True, "content": {"application/json": {"schema": inline(schema)}}}}

"""Problem sets over the /v1 API: who may create them, bad bodies, opening and deadline rules, the
late flag, the set leaderboard, gradebook exports from the database, and the schema migration.

No grading runs here: results are written into the database as the graders would write them.
"""

from __future__ import annotations

import csv
import io
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from judge.config import load_config
from judge.export.gradebook import Pick, from_records, from_service, pick, render_csv
from judge.record import ResultRecord
from judge.service.app import create_app
from judge.service.db import MIGRATIONS, SCHEMA_VERSION, Role, ServiceDB
from judge.service.sets import MAX_SET_BODY, iso
from judge.verdict import CaseResult, SubmissionResult, Verdict

REPO = Path(__file__).resolve().parent.parent
SOURCE = "def solve(x, kernel):\n    return x\n"
FAR = "2999-01-01T00:00:00Z"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class Sets:
    """An app over a fresh database (no graders), with a token per role."""

    def __init__(self, data: Path) -> None:
        self.db = ServiceDB(data)
        config = load_config(REPO / "config.yaml", overrides={"cache_dir": str(data / "cache")})
        self.client = TestClient(create_app(self.db, config), raise_server_exceptions=False)
        self.ann = self.db.create_token("ann", Role.LEARNER)
        self.bob = self.db.create_token("bob", Role.LEARNER)
        self.author = self.db.create_token("ada", Role.AUTHOR)
        self.admin = self.db.create_token("root", Role.ADMIN)

    def create(self, token: str | None = None, **body: Any) -> Any:
        return self.client.post("/v1/sets", headers=bearer(token or self.author), json=body)

    def submit(self, token: str, **body: Any) -> Any:
        return self.client.post("/v1/submissions", headers=bearer(token), json={"source": SOURCE, **body})


@pytest.fixture
def sets(tmp_path: Path) -> Sets:
    return Sets(tmp_path / "data")


def grade_next(db: ServiceDB, passed: int, total: int = 4) -> None:
    """Finish the oldest queued job with ``passed`` of ``total`` cases accepted."""
    job = db.claim("test", lease_s=60)
    assert job is not None
    cases = tuple(CaseResult(f"c{i}", False, Verdict.ACCEPTED if i < passed else Verdict.WRONG_ANSWER) for i in range(total))
    verdict = Verdict.ACCEPTED if passed == total else Verdict.WRONG_ANSWER
    record = ResultRecord(job.user, job.name, job.sha256, SubmissionResult(job.problem, job.name, verdict, cases), job.submitted_at)
    assert db.finish(job, "test", record)


def test_every_set_route_needs_a_token(sets: Sets) -> None:
    routes = [("POST", "/v1/sets"), ("PUT", "/v1/sets/hw1"), ("GET", "/v1/sets"), ("GET", "/v1/sets/hw1"),
              ("GET", "/v1/sets/hw1/leaderboard")]
    for method, path in routes:
        for headers in ({}, {"Authorization": "Bearer jdg_nope"}, {"Authorization": sets.author}):
            response = sets.client.request(method, path, headers=headers, json={"id": "hw1", "title": "t", "problems": ["conv1d"]})
            assert response.status_code == 401, (method, path, headers, response.text)
    assert sets.db.problem_sets() == []


def test_only_authors_and_admins_create_or_change_sets(sets: Sets) -> None:
    body = {"id": "hw1", "title": "Week 1", "problems": ["conv1d"]}
    assert sets.create(sets.ann, **body).status_code == 403
    assert sets.client.put("/v1/sets/hw1", headers=bearer(sets.ann), json={"title": "x", "problems": ["conv1d"]}).status_code == 403
    assert sets.db.problem_sets() == []
    created = sets.create(sets.author, **body)
    assert created.status_code == 201, created.text
    assert created.json() == {"id": "hw1", "title": "Week 1", "problems": ["conv1d"], "opens_at": None, "deadline": None,
                              "late": {"allowed": True, "penalty": 0.0}, "status": "open", "created_by": "ada"}
    assert sets.create(sets.admin, **body).status_code == 409  # the id is taken
    # A learner still may not change it; an admin may.
    change = {"title": "Week 1 (extended)", "problems": ["conv1d", "layernorm"], "opens_at": "2026-12-01T09:00:00+01:00",
              "deadline": FAR, "late": {"allowed": False, "penalty": 0}}
    assert sets.client.put("/v1/sets/hw1", headers=bearer(sets.ann), json=change).status_code == 403
    updated = sets.client.put("/v1/sets/hw1", headers=bearer(sets.admin), json=change)
    assert updated.status_code == 200, updated.text
    assert updated.json()["opens_at"] == "2026-12-01T08:00:00Z" and updated.json()["late"] == {"allowed": False, "penalty": 0.0}
    # Every token reads sets.
    for token in (sets.ann, sets.author):
        assert [s["id"] for s in sets.client.get("/v1/sets", headers=bearer(token)).json()] == ["hw1"]
        assert sets.client.get("/v1/sets/hw1", headers=bearer(token)).json()["problems"] == ["conv1d", "layernorm"]


def test_the_set_bodies_are_in_the_openapi_document(sets: Sets) -> None:
    document = sets.client.get("/openapi.json").json()
    schema = document["paths"]["/v1/sets"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert {"id", "title", "problems", "opens_at", "deadline", "late"} <= set(schema["properties"])
    assert schema["properties"]["late"]["properties"]["penalty"]["maximum"] == 1.0
    assert "$ref" not in str(document["paths"]["/v1/sets/{set_id}"]["put"]["requestBody"])
    assert "set" in document["components"]["schemas"]["SubmissionIn"]["properties"]


def test_garbage_on_set_routes_never_gets_a_500(sets: Sets) -> None:
    assert sets.create(id="hw1", title="t", problems=["conv1d"]).status_code == 201
    requests = [("GET", "/v1/sets/%00"), ("GET", "/v1/sets/" + "a" * 5000), ("GET", "/v1/sets/hw1/leaderboard?format="),
                ("GET", "/v1/sets/hw1/leaderboard?format=%ff"), ("PUT", "/v1/sets/%00"), ("PUT", "/v1/sets/hw1"), ("POST", "/v1/sets"),
                ("DELETE", "/v1/sets/hw1"), ("POST", "/v1/sets/hw1")]
    for method, path in requests:
        for token in (sets.ann, sets.admin):
            response = sets.client.request(method, path, headers={**bearer(token), "Content-Type": "application/json"}, content=b"\xff\xfe")
            assert response.status_code < 500, (method, path, response.status_code, response.text)
    assert sets.client.get("/v1/sets/hw1", headers=bearer(sets.ann)).json()["title"] == "t"


def test_unknown_sets_are_404(sets: Sets) -> None:
    for method, path in [("GET", "/v1/sets/nope"), ("GET", "/v1/sets/nope/leaderboard"), ("PUT", "/v1/sets/nope")]:
        response = sets.client.request(method, path, headers=bearer(sets.admin), json={"title": "t", "problems": ["conv1d"]})
        assert response.status_code == 404, (method, path, response.text)
    refused = sets.submit(sets.ann, problem="conv1d", set="nope")
    assert refused.status_code == 422 and refused.json()["detail"].startswith("set:")


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        (b"{not json", 400, None),
        (b"\xff\xfe", 400, None),
        (b"[]", 422, None),
        (b"null", 422, None),
        (b'{"title": "t", "problems": ["conv1d"]}', 422, "id"),
        (b'{"id": "Bad Id!", "title": "t", "problems": ["conv1d"]}', 422, "id"),
        (b'{"id": "hw1", "problems": ["conv1d"]}', 422, "title"),
        (b'{"id": "hw1", "title": "t", "problems": []}', 422, "problems"),
        (b'{"id": "hw1", "title": "t", "problems": "conv1d"}', 422, "problems"),
        (b'{"id": "hw1", "title": "t", "problems": ["nope"]}', 422, "problems[0]"),
        (b'{"id": "hw1", "title": "t", "problems": ["conv1d", "../etc"]}', 422, "problems[1]"),
        (b'{"id": "hw1", "title": "t", "problems": ["conv1d", "conv1d"]}', 422, "problems"),
        (b'{"id": "hw1", "title": "t", "problems": ["conv1d"], "extra": 1}', 422, "extra"),
        (b'{"id": "hw1", "title": "t", "problems": ["conv1d"], "deadline": "next friday"}', 422, "deadline"),
        (b'{"id": "hw1", "title": "t", "problems": ["conv1d"], "opens_at": "2026-13-45T00:00:00Z"}', 422, "opens_at"),
        (b'{"id": "hw1", "title": "t", "problems": ["conv1d"], "opens_at": "2026-12-01T09:00:00"}', 422, "opens_at"),
        (b'{"id": "hw1", "title": "t", "problems": ["conv1d"], "deadline": 1733000000}', 422, "deadline"),
        (b'{"id": "hw1", "title": "t", "problems": ["conv1d"], "opens_at": "2026-12-08T00:00:00Z", "deadline": "2026-12-01T00:00:00Z"}',
         422, "deadline"),
        (b'{"id": "hw1", "title": "t", "problems": ["conv1d"], "opens_at": "2026-12-08T00:00:00Z", "deadline": "2026-12-08T00:00:00Z"}',
         422, "deadline"),
        (b'{"id": "hw1", "title": "t", "problems": ["conv1d"], "late": {"penalty": 1.5}}', 422, "late.penalty"),
        (b'{"id": "hw1", "title": "t", "problems": ["conv1d"], "late": {"penalty": -0.1}}', 422, "late.penalty"),
        (b'{"id": "hw1", "title": "t", "problems": ["conv1d"], "late": {"allowed": "yes"}}', 422, "late.allowed"),
        (b'{"id": "hw1", "title": "t", "problems": ["conv1d"], "late": true}', 422, "late"),
    ],
)
def test_bad_set_bodies_get_a_4xx_naming_the_field(sets: Sets, body: bytes, status: int, field: str | None) -> None:
    response = sets.client.post("/v1/sets", headers={**bearer(sets.author), "Content-Type": "application/json"}, content=body)
    assert response.status_code == status, response.text
    if field is not None:
        assert response.json()["detail"].startswith(f"{field}:") or f"{field}: " in response.json()["detail"], response.json()
    assert sets.db.problem_sets() == []
    if field == "id":
        return  # PUT takes the id from its path
    # The same body (less the id) on an existing set is refused alike, and leaves the set as it was.
    assert sets.create(id="hw2", title="t", problems=["conv1d"]).status_code == 201
    response = sets.client.put("/v1/sets/hw2", headers={**bearer(sets.author), "Content-Type": "application/json"},
                               content=body.replace(b'"id": "hw1", ', b""))
    assert 400 <= response.status_code < 500 and sets.client.get("/v1/sets/hw2", headers=bearer(sets.ann)).json()["title"] == "t"


def test_an_oversized_set_body_is_413(sets: Sets) -> None:
    body = b'{"id": "hw1", "title": "' + b"x" * MAX_SET_BODY + b'", "problems": ["conv1d"]}'
    response = sets.client.post("/v1/sets", headers={**bearer(sets.author), "Content-Type": "application/json"}, content=body)
    assert response.status_code == 413 and str(MAX_SET_BODY) in response.json()["detail"]
    assert sets.db.problem_sets() == []


def test_a_set_refuses_submissions_before_it_opens_and_when_closed(sets: Sets) -> None:
    assert sets.create(id="soon", title="t", problems=["conv1d"], opens_at=FAR).status_code == 201
    early = sets.submit(sets.ann, problem="conv1d", set="soon")
    assert early.status_code == 403
    assert early.json()["detail"] == "set: 'soon' opens at 2999-01-01T00:00:00Z; submissions to it before then are refused"
    assert sets.db.queue_depth() == 0
    assert sets.submit(sets.ann, problem="conv1d").status_code == 202  # practice, outside the set: always taken
    past = iso(time.time() - 3600)
    assert sets.create(id="shut", title="t", problems=["conv1d"], deadline=past, late={"allowed": False}).status_code == 201
    closed = sets.submit(sets.ann, problem="conv1d", set="shut")
    assert closed.status_code == 403 and closed.json()["detail"] == f"set: 'shut' closed at {past} and takes no late submissions"
    assert sets.client.get("/v1/sets/shut", headers=bearer(sets.ann)).json()["status"] == "closed"
    other = sets.submit(sets.ann, problem="layernorm", set="soon")
    assert other.status_code == 422 and other.json()["detail"] == "set: problem 'layernorm' is not in set 'soon'"
    assert sets.submit(sets.ann, problem="conv1d", set="").status_code == 422
    assert sets.db.queue_depth() == 1


def test_a_late_submission_is_graded_and_marked_late_and_the_mark_follows_the_deadline(sets: Sets) -> None:
    assert sets.create(id="hw1", title="t", problems=["conv1d"], deadline=iso(time.time() - 60), late={"penalty": 0.5}).status_code == 201
    assert sets.client.get("/v1/sets/hw1", headers=bearer(sets.ann)).json()["status"] == "late"
    sent = sets.submit(sets.ann, problem="conv1d", set="hw1")
    assert sent.status_code == 202 and sent.json()["set"] == "hw1" and sent.json()["late"] is True
    grade_next(sets.db, 4)
    done = sets.client.get(f"/v1/submissions/{sent.json()['id']}", headers=bearer(sets.ann)).json()
    # The verdict and score are the submission's own; only the set's total takes the penalty.
    assert done["late"] is True and done["result"]["verdict"] == "accepted" and done["result"]["score"] == 1.0
    assert sets.client.get("/v1/submissions", headers=bearer(sets.ann)).json()[0]["late"] is True
    board = sets.client.get("/v1/sets/hw1/leaderboard", headers=bearer(sets.bob)).json()
    assert board == [{"rank": 1, "user": "ann", "total": 0.5, "problems": {"conv1d": {
        "score": 1.0, "counted": 0.5, "verdict": "accepted", "late": True, "submission": sent.json()["id"],
        "submitted_at": done["submitted_at"]}}}]
    # Someone else's set submission stays invisible to a learner, also when listing a set's submissions.
    assert sets.client.get(f"/v1/submissions/{sent.json()['id']}", headers=bearer(sets.bob)).status_code == 404
    assert sets.client.get("/v1/submissions?set=hw1", headers=bearer(sets.bob)).json() == []
    assert [s["id"] for s in sets.client.get("/v1/submissions?set=hw1", headers=bearer(sets.author)).json()] == [sent.json()["id"]]
    practice = sets.submit(sets.ann, problem="conv1d")
    assert practice.status_code == 202 and practice.json()["set"] is None and practice.json()["late"] is False
    assert [s["id"] for s in sets.client.get("/v1/submissions?set=hw1", headers=bearer(sets.ann)).json()] == [sent.json()["id"]]
    assert len(sets.client.get("/v1/submissions", headers=bearer(sets.ann)).json()) == 2
    # The deadline moved later: the submission is no longer late, anywhere.
    moved = sets.client.put("/v1/sets/hw1", headers=bearer(sets.author), json={"title": "t", "problems": ["conv1d"], "deadline": FAR,
                                                                              "late": {"penalty": 0.5}})
    assert moved.status_code == 200 and moved.json()["status"] == "open"
    assert sets.client.get(f"/v1/submissions/{sent.json()['id']}", headers=bearer(sets.ann)).json()["late"] is False
    assert sets.client.get("/v1/sets/hw1/leaderboard", headers=bearer(sets.ann)).json()[0]["total"] == 1.0


def test_the_set_leaderboard_sums_each_users_best_and_counts_only_set_submissions(sets: Sets) -> None:
    db = sets.db
    now = time.time()
    db.save_set(_stored("hw1", ("conv1d", "layernorm"), deadline=now - 100, penalty=0.25), create=True)
    token = {t.user: t.id for t in db.tokens()}
    # ann: conv1d 4/4 on time, layernorm 2/4 on time then 4/4 late (counted 0.75 > 0.5).
    for user, problem, created, passed, set_id in [
        ("ann", "conv1d", now - 1000, 4, "hw1"), ("ann", "layernorm", now - 900, 2, "hw1"), ("ann", "layernorm", now - 50, 4, "hw1"),
        # bob: everything right, but outside the set (practice): counts nothing; 1/4 in the set.
        ("bob", "conv1d", now - 800, 4, None), ("bob", "layernorm", now - 800, 4, None), ("bob", "conv1d", now - 700, 1, "hw1"),
        # "-cy" (a name a spreadsheet would read as a formula): 4/4 conv1d on time.
        ("-cy", "conv1d", now - 600, 4, "hw1"),
    ]:
        if user not in token:
            db.create_token(user, Role.LEARNER)
            token = {t.user: t.id for t in db.tokens()}
        db.add_submission(user, token[user], problem, SOURCE.encode(), f"{problem}.py", None, now=created, set_id=set_id)
        grade_next(db, passed)
    board = sets.client.get("/v1/sets/hw1/leaderboard", headers=bearer(sets.ann)).json()
    assert [(r["rank"], r["user"], r["total"]) for r in board] == [(1, "ann", 1.75), (2, "-cy", 1.0), (3, "bob", 0.25)]
    assert board[0]["problems"]["layernorm"]["late"] is True and board[0]["problems"]["layernorm"]["counted"] == 0.75
    assert board[1]["problems"]["layernorm"] is None
    text = sets.client.get("/v1/sets/hw1/leaderboard?format=csv", headers=bearer(sets.ann))
    assert text.headers["content-type"].startswith("text/csv")
    assert list(csv.reader(io.StringIO(text.text))) == [
        ["rank", "user", "total", "conv1d", "conv1d late", "layernorm", "layernorm late"],
        ["1", "ann", "1.75", "1.0", "false", "0.75", "true"],
        ["2", "'-cy", "1.0", "1.0", "false", "", ""],
        ["3", "bob", "0.25", "0.25", "false", "", ""],
    ]
    assert sets.client.get("/v1/sets/hw1/leaderboard?format=html", headers=bearer(sets.ann)).status_code == 422
    # The gradebook of the set: one row per user and problem, penalty applied, late flag, set column.
    stored = db.problem_set("hw1")
    assert stored is not None
    rows = list(csv.DictReader(io.StringIO(render_csv(pick(from_service(db, problem_set=stored)), max_score=10, with_set=True))))
    assert [(r["user"], r["problem"], r["score"], r["late"], r["set"]) for r in rows] == [
        ("'-cy", "conv1d", "10", "false", "hw1"), ("ann", "conv1d", "10", "false", "hw1"), ("ann", "layernorm", "7.5", "true", "hw1"),
        ("bob", "conv1d", "2.5", "false", "hw1")]
    # The latest instead of the best; and the whole database (practice included, raw scores).
    latest = pick(from_service(db, problem_set=stored), Pick.LATEST)
    assert [(e.user, e.problem, e.score) for e in latest if e.user == "ann"] == [("ann", "conv1d", 1.0), ("ann", "layernorm", 1.0)]
    everything = pick(from_service(db))
    assert [(e.user, e.problem, e.score) for e in everything if e.user == "bob"] == [("bob", "conv1d", 1.0), ("bob", "layernorm", 1.0)]


def test_gradebook_cells_never_start_a_formula() -> None:
    cases = (CaseResult("c", False, Verdict.ACCEPTED),)
    names = ["=HYPERLINK(\"http://x\")", "+1+2", "-3", "@SUM(A1)", "\t=1", "ok"]
    records = [ResultRecord(n, f"{n}/{n}.py", "0", SubmissionResult("conv1d", f"{n}.py", Verdict.ACCEPTED, cases), f"t{i}")
               for i, n in enumerate(names)]
    rows = list(csv.DictReader(io.StringIO(render_csv(pick(from_records(records))))))
    assert len(rows) == len(names)
    for row in rows:
        for column in ("user", "submission"):
            assert not row[column].lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r")), row
    assert {r["user"] for r in rows} == {"'=HYPERLINK(\"http://x\")", "'+1+2", "'-3", "'@SUM(A1)", "'\\t=1", "ok"}


def test_a_version_1_database_upgrades_in_place(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "judge.db") as conn:
        conn.executescript(MIGRATIONS[1])
        conn.execute("PRAGMA user_version = 1")
        conn.execute("INSERT INTO tokens(user, role, token_hash, created_at) VALUES ('ann', 'learner', 'h', 0)")
        conn.execute("INSERT INTO submissions(id, user, token_id, problem, sha256, name, submitted_at, created) "
                     "VALUES ('s_old', 'ann', 1, 'conv1d', 'abc', 'a.py', '2026-11-01T00:00:00+00:00', 0)")
        conn.execute("INSERT INTO jobs(submission_id, status) VALUES ('s_old', 'queued')")
    db = ServiceDB(tmp_path)
    assert SCHEMA_VERSION == 2
    with sqlite3.connect(tmp_path / "judge.db") as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    old = db.submission("s_old")
    assert old is not None and old.set_id is None and old.late is False and old.user == "ann"
    assert db.save_set(_stored("hw1", ("conv1d",)), create=True) and db.problem_set("hw1") is not None
    ServiceDB(tmp_path)  # opening it again migrates nothing
    with sqlite3.connect(tmp_path / "judge.db") as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2


def _stored(set_id: str, problems: tuple[str, ...], *, deadline: float | None = None, penalty: float = 0.0) -> Any:
    from judge.service.db import StoredSet

    return StoredSet(set_id, set_id, problems, None, deadline, True, penalty, "ada", 0.0, 0.0)


def test_judge_submit_names_the_set_and_says_why_a_submission_is_refused(sets: Sets, tmp_path: Path) -> None:
    import socket
    import threading

    import uvicorn
    from click.testing import CliRunner

    from judge.cli import main
    from judge.service.client import Client, ServiceError

    assert sets.create(id="soon", title="t", problems=["conv1d"], opens_at=FAR).status_code == 201
    assert sets.create(id="hw1", title="t", problems=["conv1d"], deadline=iso(time.time() - 60)).status_code == 201
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(sets.client.app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        client = Client(url, sets.ann)
        with pytest.raises(ServiceError, match="HTTP 403: set: 'soon' opens at 2999-01-01T00:00:00Z"):
            client.submit("conv1d", SOURCE, set_id="soon")
        late = client.submit("conv1d", SOURCE, filename="mine.py", set_id="hw1")
        assert (late["set"], late["late"], late["status"]) == ("hw1", True, "queued")
        assert client.submit("conv1d", SOURCE)["set"] is None
        mine = tmp_path / "mine.py"
        mine.write_text(SOURCE)
        refused = CliRunner().invoke(main, ["submit", str(mine), "-p", "conv1d", "--set", "soon", "--server", url, "--token", sets.ann])
        assert refused.exit_code == 2 and "set: 'soon' opens at" in refused.output and "Traceback" not in refused.output
    finally:
        server.should_exit = True
        thread.join(timeout=30)
    assert [row.set_id for row in sets.db.submissions(user="ann")] == [None, "hw1"]

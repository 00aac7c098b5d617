"""The /v1 API in-process: the access and bad-input matrix, what a problem reveals, and real gradings.

Every refusal a client can provoke is a 4xx naming the field, never a 500; a learner never learns
that someone else's submission exists.
"""

from __future__ import annotations

import hashlib
import hmac
import http.server
import json
import shutil
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from judge.config import Config
from judge.job import run_job
from judge.record import Job
from judge.service.app import create_app
from judge.service.db import Role, ServiceDB
from judge.service.queue import Graders

REPO = Path(__file__).resolve().parent.parent
CONV1D = REPO / "problems" / "conv1d"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class Service:
    """An app over a fresh database, with one token per role."""

    def __init__(self, data: Path, config: Config, graders: int = 0) -> None:
        self.db = ServiceDB(data)
        self.config = config
        self.graders = Graders(self.db, config, workers=graders, lease_s=config.service.lease_s) if graders else None
        self.client = TestClient(create_app(self.db, config, self.graders), raise_server_exceptions=False)
        self.ann = self.db.create_token("ann", Role.LEARNER)
        self.bob = self.db.create_token("bob", Role.LEARNER)
        self.author = self.db.create_token("ada", Role.AUTHOR)
        self.admin = self.db.create_token("root", Role.ADMIN)

    def post(self, token: str, **body: Any) -> Any:
        return self.client.post("/v1/submissions", headers=bearer(token), json=body)


@pytest.fixture
def service(tmp_path: Path, config: Config) -> Service:
    return Service(tmp_path / "data", config.with_overrides(service={"max_source_bytes": 4096, "submissions_per_minute": 5,
                                                                      "queue_max": 8, "webhook_hosts": ["hooks.example.org"]}))


SOURCE = "def solve(x, kernel):\n    return x\n"


def test_no_unknown_or_revoked_token_is_401(service: Service) -> None:
    for headers in ({}, {"Authorization": "Bearer jdg_nope"}, {"Authorization": "Basic " + service.ann}, {"Authorization": service.ann}):
        response = service.client.get("/v1/problems", headers=headers)
        assert response.status_code == 401 and response.headers["WWW-Authenticate"] == "Bearer", headers
    token_id = next(t.id for t in service.db.tokens() if t.user == "bob")
    assert service.db.revoke_token(token_id)
    assert service.client.get("/v1/problems", headers=bearer(service.bob)).status_code == 401
    assert service.client.get("/v1/problems", headers=bearer(service.ann)).status_code == 200
    assert service.client.get("/healthz").status_code == 200  # the only unauthenticated routes
    assert service.client.get("/openapi.json").json()["info"]["title"] == "judge"


def test_a_learner_never_sees_anyone_elses_submission(service: Service) -> None:
    mine = service.post(service.ann, problem="conv1d", source=SOURCE).json()["id"]
    theirs = service.client.get(f"/v1/submissions/{mine}", headers=bearer(service.bob))
    missing = service.client.get("/v1/submissions/s_doesnotexist", headers=bearer(service.bob))
    assert theirs.status_code == missing.status_code == 404 and theirs.json() == missing.json()
    assert service.client.get(f"/v1/submissions/{mine}/events", headers=bearer(service.bob)).status_code == 404
    assert service.client.get("/v1/submissions", headers=bearer(service.bob)).json() == []
    assert service.client.get("/v1/submissions?user=ann", headers=bearer(service.bob)).json() == []
    assert [s["id"] for s in service.client.get("/v1/submissions", headers=bearer(service.ann)).json()] == [mine]
    # Authors and admins see everyone's.
    for token in (service.author, service.admin):
        assert service.client.get(f"/v1/submissions/{mine}", headers=bearer(token)).json()["user"] == "ann"
        assert [s["id"] for s in service.client.get("/v1/submissions?user=ann", headers=bearer(token)).json()] == [mine]


def test_rejudge_needs_an_admin(service: Service) -> None:
    for token in (service.ann, service.author):
        assert service.client.post("/v1/problems/conv1d/rejudge", headers=bearer(token)).status_code == 403
        assert service.client.get("/v1/problems/conv1d/rejudge/r_x", headers=bearer(token)).status_code == 403
    started = service.client.post("/v1/problems/conv1d/rejudge", headers=bearer(service.admin))
    assert started.status_code == 202 and started.json()["jobs"] == 0
    assert service.client.get("/v1/problems/conv1d/rejudge/r_nope", headers=bearer(service.admin)).status_code == 404


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        (b"{not json", 400, None),
        (b'{"source": "x"}', 422, "problem"),
        (b'{"problem": "conv1d"}', 422, "source"),
        (b'{"problem": 7, "source": "x"}', 422, "problem"),
        (b'{"problem": "conv1d", "source": ["x"]}', 422, "source"),
        (b'{"problem": "conv1d", "source": "x", "extra": 1}', 422, "extra"),
        (b'{"problem": "nope", "source": "x"}', 422, "problem"),
        (b'{"problem": "../conv1d", "source": "x"}', 422, "problem"),
        (b'{"problem": "/etc", "source": "x"}', 422, "problem"),
        (b'{"problem": "conv1d", "source": "x", "filename": "../../x.py"}', 422, "filename"),
        (b'{"problem": "conv1d", "source": "x", "filename": "a.sh"}', 422, "filename"),
        (b'{"problem": "conv1d", "source": "x", "callback_url": "http://169.254.169.254/latest"}', 422, "callback_url"),
        (b'{"problem": "conv1d", "source": "x", "callback_url": "http://hooks.example.org@127.0.0.1/"}', 422, "callback_url"),
        (b"[]", 422, None),
        (b"null", 422, None),
    ],
)
def test_bad_submissions_get_a_4xx_naming_the_field(service: Service, body: bytes, status: int, field: str | None) -> None:
    response = service.client.post("/v1/submissions", headers={**bearer(service.ann), "Content-Type": "application/json"}, content=body)
    assert response.status_code == status, response.text
    if field is not None:
        assert field in response.json()["detail"], response.json()
    assert service.db.queue_depth() == 0  # nothing refused was queued


def test_size_rate_and_queue_limits(service: Service) -> None:
    too_big = service.post(service.ann, problem="conv1d", source="#" * 4097)
    assert too_big.status_code == 413 and "4096" in too_big.json()["detail"]
    # A body far over the limit is refused before it is read, declared or not.
    huge = service.client.post("/v1/submissions", headers={**bearer(service.ann), "Content-Type": "application/json"},
                               content=b'{"problem": "conv1d", "source": "' + b"x" * 200_000 + b'"}')
    assert huge.status_code == 413

    def chunks() -> Iterator[bytes]:
        yield b'{"problem": "conv1d", "source": "'
        for _ in range(100):
            yield b"x" * 10_000
        yield b'"}'

    streamed = service.client.post("/v1/submissions", headers={**bearer(service.ann), "Content-Type": "application/json"}, content=chunks())
    assert streamed.status_code == 413
    # Five a minute per user; the sixth gets 429 with Retry-After, another user is not affected.
    assert all(service.post(service.ann, problem="conv1d", source=SOURCE).status_code == 202 for _ in range(5))
    limited = service.post(service.ann, problem="conv1d", source=SOURCE)
    assert limited.status_code == 429 and 1 <= int(limited.headers["Retry-After"]) <= 60
    # The queue holds 8: bob fills the rest, the author finds it full.
    assert [service.post(service.bob, problem="conv1d", source=SOURCE).status_code for _ in range(3)] == [202, 202, 202]
    full = service.post(service.author, problem="conv1d", source=SOURCE)
    assert full.status_code == 503 and full.headers["Retry-After"]


def test_wait_and_limit_are_bounded(service: Service) -> None:
    sid = service.post(service.ann, problem="conv1d", source=SOURCE).json()["id"]
    assert service.client.get(f"/v1/submissions/{sid}?wait=61", headers=bearer(service.ann)).status_code == 422
    assert service.client.get(f"/v1/submissions/{sid}?wait=abc", headers=bearer(service.ann)).status_code == 422
    assert service.client.get("/v1/submissions?limit=0", headers=bearer(service.ann)).status_code == 422
    assert service.client.get("/v1/submissions?limit=201", headers=bearer(service.ann)).status_code == 422
    queued = service.client.get(f"/v1/submissions/{sid}?wait=0.3", headers=bearer(service.ann)).json()
    assert queued["status"] == "queued" and queued["result"] is None


def test_a_problem_reveals_only_what_learners_may_know(service: Service) -> None:
    listed = service.client.get("/v1/problems", headers=bearer(service.ann)).json()
    assert {"conv1d", "conv2d", "layernorm"} <= {p["id"] for p in listed}
    doc = service.client.get("/v1/problems/conv1d", headers=bearer(service.ann)).json()
    assert doc["statement"] == (CONV1D / "statement.md").read_text()
    assert doc["template"] == (CONV1D / "template.py").read_text()
    from judge.cases import load_cases
    from judge.problem import load_problem

    cases = load_cases(load_problem(CONV1D))
    assert [c["id"] for c in doc["public_cases"]] == [c.id for c in cases if not c.hidden]
    text = json.dumps(doc)
    assert not any(f'"{c.id}"' in text for c in cases if c.hidden)
    public = (CONV1D / "statement.md").read_text() + (CONV1D / "template.py").read_text()
    own_lines = [line.strip() for line in (CONV1D / "reference.py").read_text().splitlines() if len(line.strip()) > 20 and line.strip() not in public]
    assert own_lines and not any(line in text for line in own_lines)  # nothing of the reference
    assert "solutions/" not in text and str(REPO) not in text  # no file of the problem's, no host path
    for path in ("/v1/problems/nope", "/v1/problems/..%2Fconv1d", "/v1/problems/conv1d/leaderboard?format=exe"):
        assert service.client.get(path, headers=bearer(service.ann)).status_code in (404, 422), path


def test_garbage_never_gets_a_500(service: Service) -> None:
    requests = [
        ("GET", "/v1/submissions/%00"), ("GET", "/v1/submissions/" + "a" * 5000), ("POST", "/v1/problems/x/rejudge"),
        ("GET", "/v1/submissions?problem=%ff%fe"), ("DELETE", "/v1/submissions"), ("GET", "/v1/problems/conv1d/leaderboard?format="),
        ("POST", "/v1/submissions"), ("PUT", "/v1/problems"),
    ]
    for method, path in requests:
        for token in (service.ann, service.admin):
            response = service.client.request(method, path, headers={**bearer(token), "Content-Type": "application/json"}, content=b"\xff\xfe")
            assert response.status_code < 500, (method, path, response.status_code, response.text)


def test_metrics_and_health(service: Service) -> None:
    service.post(service.ann, problem="conv1d", source=SOURCE)
    assert service.client.get("/healthz").json() == {"status": "ok", "queue": 1, "workers": 0}
    metrics = service.client.get("/metrics").text
    assert "judge_queue_depth 1.0" in metrics and "judge_grading_seconds_bucket" in metrics


# -- real gradings -------------------------------------------------------------------------------


def small_problem(root: Path) -> Path:
    """The scaffold's example problem (small dense layer): fast to grade."""
    from judge.authoring.scaffold import scaffold

    return scaffold("dense", root)


@pytest.fixture
def graded_service(tmp_path: Path, config: Config) -> Iterator[Service]:
    problems = tmp_path / "problems"
    small_problem(problems)
    service = Service(tmp_path / "data", config.with_overrides(problems_dir=str(problems),
                                                               service={"submissions_per_minute": 100, "queue_max": 1000}), graders=2)
    assert service.graders is not None
    service.graders.start()
    try:
        yield service
    finally:
        service.graders.stop()


def wait_done(service: Service, token: str, ids: list[str], timeout: float = 900) -> dict[str, dict[str, Any]]:
    deadline = time.monotonic() + timeout
    done: dict[str, dict[str, Any]] = {}
    while len(done) < len(ids) and time.monotonic() < deadline:
        for sid in ids:
            if sid not in done:
                doc = service.client.get(f"/v1/submissions/{sid}?wait=5", headers=bearer(token)).json()
                if doc["status"] == "done":
                    done[sid] = doc
    assert len(done) == len(ids), f"{len(ids) - len(done)} submissions not graded in time"
    return done


def test_fifty_submissions_from_five_users_each_graded_once_as_judge_grade_grades_them(graded_service: Service) -> None:
    service = graded_service
    root = service.config.problems_dir / "dense"
    files = sorted((root / "solutions").glob("*/*.py")) + [REPO / "submissions" / "dave_syntax.py"]
    expected = {f: run_job(Job(f.read_bytes(), str(root)), service.config).verdict.value for f in files}
    users = {name: service.db.create_token(name, Role.LEARNER) for name in ("u1", "u2", "u3", "u4", "u5")}
    plan = [(user, files[i % len(files)]) for user in users for i in range(10)]

    def send(item: tuple[str, Path]) -> tuple[str, Path, str]:
        user, path = item
        response = service.post(users[user], problem="dense", source=path.read_text(), filename=path.name)
        assert response.status_code == 202, response.text
        return user, path, response.json()["id"]

    with ThreadPoolExecutor(max_workers=10) as pool:
        sent = list(pool.map(send, plan))
    done = wait_done(service, service.admin, [sid for _, _, sid in sent])
    for user, path, sid in sent:
        doc = done[sid]
        assert doc["user"] == user and doc["result"]["verdict"] == expected[path], (path.name, doc["result"]["verdict"])
        assert doc["result"]["submission"] == path.name and "/tmp" not in json.dumps(doc)
    counts = service.db._read("SELECT submission_id, COUNT(*) AS n FROM results GROUP BY submission_id")
    assert len(counts) == 50 and all(row["n"] == 1 for row in counts)  # each graded exactly once


def test_events_stream_cases_then_the_result_and_rejudge_reports_changes(graded_service: Service) -> None:
    service = graded_service
    root = service.config.problems_dir / "dense"
    accepted = sorted((root / "solutions" / "accepted").glob("*.py"))[0]
    sid = service.post(service.ann, problem="dense", source=accepted.read_text(), filename="mine.py").json()["id"]
    with service.client.stream("GET", f"/v1/submissions/{sid}/events", headers=bearer(service.ann)) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        events = [(block.split("\n")[0], block) for block in response.read().decode().split("\n\n") if block.startswith("event:")]
    kinds = [kind for kind, _ in events]
    final = json.loads(events[-1][1].split("data: ", 1)[1])
    assert kinds[-1] == "event: result" and kinds.count("event: result") == 1
    assert len(kinds) - 1 == final["result"]["total"] and set(kinds[:-1]) == {"event: case"}
    assert final == service.client.get(f"/v1/submissions/{sid}", headers=bearer(service.ann)).json()
    # A rejudge keeps the old result beside the new one and lists what changed (here: nothing).
    rid = service.client.post("/v1/problems/dense/rejudge", headers=bearer(service.admin)).json()["id"]
    deadline = time.monotonic() + 300
    report: dict[str, Any] = {}
    while time.monotonic() < deadline:
        report = service.client.get(f"/v1/problems/dense/rejudge/{rid}", headers=bearer(service.admin)).json()
        if report["done"] == report["total"]:
            break
        time.sleep(0.5)
    assert report["total"] == report["done"] == 1 and report["changes"] == []  # same cases: same verdict
    rows = service.db._read("SELECT COUNT(*) AS n, SUM(current) AS c FROM results WHERE submission_id = ?", (sid,))
    assert rows[0]["n"] == 2 and rows[0]["c"] == 1  # the old result is kept, one is current
    board = service.client.get("/v1/problems/dense/leaderboard?format=csv", headers=bearer(service.ann))
    assert board.status_code == 200 and "ann" in board.text and "mine.py" in board.text


class Receiver(http.server.ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Hook)
        self.received: list[tuple[dict[str, str], bytes]] = []


class _Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - the handler protocol's name
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.received.append((dict(self.headers), body))  # type: ignore[attr-defined]
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_a_webhook_is_signed_and_only_allow_listed_hosts_are_called(tmp_path: Path, config: Config) -> None:
    receiver = Receiver()
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    port = receiver.server_address[1]
    problems = tmp_path / "problems"
    small_problem(problems)
    from judge.service.webhooks import WebhookSender, verify

    sender = WebhookSender(allowed_hosts=[f"127.0.0.1:{port}"], backoff_s=0.05)
    service = Service(tmp_path / "data", config.with_overrides(problems_dir=str(problems), service={"webhook_hosts": [f"127.0.0.1:{port}"]}),
                      graders=1)
    assert service.graders is not None
    from judge.service.app import status_document

    def finished(job: Any, record: Any) -> None:
        row = service.db.submission(job.submission_id)
        assert row is not None and row.callback_url
        sender.send(row.callback_url, status_document(row), service.db.webhook_key(row.token_id))

    service.graders.on_finished = finished
    sender.start()
    service.graders.start()
    try:
        refused = service.post(service.ann, problem="dense", source=SOURCE, callback_url=f"http://127.0.0.1:{port + 1}/x")
        assert refused.status_code == 422 and "callback_url" in refused.json()["detail"]
        sid = service.post(service.ann, problem="dense", source="syntax error (", callback_url=f"http://127.0.0.1:{port}/hook").json()["id"]
        deadline = time.monotonic() + 300
        while not receiver.received and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        service.graders.stop()
        sender.stop()
        receiver.shutdown()
    assert len(receiver.received) == 1
    headers, body = receiver.received[0]
    key = hashlib.sha256(service.ann.encode()).hexdigest().encode()
    assert verify(body, key, headers["X-Judge-Signature"])
    assert headers["X-Judge-Signature"] == "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()
    document = json.loads(body)
    assert document["id"] == sid and document["status"] == "done" and document["result"]["verdict"] == "compile_error"


def test_a_database_from_a_newer_judge_is_refused(tmp_path: Path) -> None:
    import sqlite3

    from judge.errors import JudgeError

    ServiceDB(tmp_path)
    with sqlite3.connect(tmp_path / "judge.db") as conn:
        conn.execute("PRAGMA user_version = 99")
    with pytest.raises(JudgeError, match="newer judge"):
        ServiceDB(tmp_path)


def test_the_source_store_is_content_addressed(tmp_path: Path) -> None:
    db = ServiceDB(tmp_path)
    a = db.add_submission("ann", 1, "conv1d", b"same", "a.py", None)
    b = db.add_submission("bob", 2, "conv1d", b"same", "b.py", None)
    assert a.sha256 == b.sha256 == hashlib.sha256(b"same").hexdigest() and a.id != b.id
    assert [p.name for p in (tmp_path / "sources").rglob("*.py")] == [f"{a.sha256}.py"]
    shutil.rmtree(tmp_path / "sources")
    with pytest.raises(OSError):
        db.source(a.sha256)


def test_a_new_attempt_is_marked_in_the_event_stream_never_renumbered(service: Service) -> None:
    """A job claimed again (its worker died) keeps its earlier events; a restart marker separates them."""
    sid = service.post(service.ann, problem="conv1d", source=SOURCE).json()["id"]
    job = service.db.claim("w1", lease_s=0.01)
    assert job is not None
    service.db.add_case_event(job.id, {"id": "worked-example", "hidden": False, "verdict": "accepted", "message": "", "time_s": 0.1})
    time.sleep(0.05)  # the lease runs out
    again = service.db.claim("w2", lease_s=60)
    assert again is not None and again.id == job.id and again.claims == 2
    service.db.add_case_event(job.id, {"id": "worked-example", "hidden": False, "verdict": "accepted", "message": "", "time_s": 0.2})
    assert [seq for seq, _ in service.db.case_events(job.id)] == [1, 2, 3]
    from judge.record import ResultRecord

    record = ResultRecord.fault(Job(SOURCE.encode(), "conv1d", user="ann", name="submission.py"), "test")
    assert not service.db.finish(job, "w1", record)  # the first worker lost the job: its result is not kept
    assert service.db.finish(again, "w2", record)
    with service.client.stream("GET", f"/v1/submissions/{sid}/events", headers=bearer(service.ann)) as response:
        kinds = [block.split("\n")[0] for block in response.read().decode().split("\n\n") if block.startswith("event:")]
    assert kinds == ["event: case", "event: restart", "event: case", "event: result"]

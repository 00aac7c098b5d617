"""``judge serve`` as a real process: crash recovery, live events, the ``judge submit`` client, Dask.

Each test drives ``python -m judge serve`` on a free loopback port with a fresh ``--data`` folder,
over real HTTP, and compares what the service answers with what ``judge grade`` prints for the
same file. The problems are a scaffolded ``tiny`` (``judge new``: three cases, fast to grade) and
``conv1d`` cut down to five of its cases (its expected outputs are shared with the rest of the
suite through the session cache: the cache key is the case and the problem's files, not the
folder). Every wait has a deadline of minutes; no assertion depends on how fast this machine is.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from judge.cases import load_cases
from judge.problem import load_problem
from judge.sandbox import bwrap_usable

REPO = Path(__file__).resolve().parent.parent
HOSTILE = REPO / "tests" / "hostile"
# Fast hostile programs (a start-up exit or a bad return: no time limit has to run out).
HOSTILE_PROGRAMS = ("import_exit_97", "import_os_exit", "return_none")
# conv1d cut down: two public cases, a hidden one and the two benchmark cases problem.yaml names.
CONV1D_CASES = ("worked-example", "small-multichannel", "length-one", "long-sequence", "many-channels")
DEADLINE_S = 360.0  # for anything that waits on gradings (the machine is shared and slow)
START_S = 120.0  # for a server to answer /healthz
# What differs between two gradings of the same file: its name, and what the clock and memory say.
TIMING_FIELDS = ("wall_s",)
RUN_TIMING_FIELDS = ("peak_memory_mib",)
CASE_TIMING_FIELDS = ("time_s",)

SANDBOX = bwrap_usable()
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not SANDBOX[0], reason=f"sandbox unusable: {SANDBOX[1]}"),
]


# -- helpers -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def judge_cli(env: dict[str, str], *args: str, timeout: float = DEADLINE_S) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "judge", *args], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


def _stat(pid: int | str) -> list[str]:
    """The fields of /proc/PID/stat after the command name (state, ppid, ...); [] if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return []
    return text[text.rindex(")") + 2:].split()


def descendants(root: int) -> dict[int, str]:
    """Every process below ``root`` (host pids, from /proc), with its start time."""
    children: dict[int, list[int]] = {}
    starts: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and len(fields := _stat(entry.name)) > 19:
            children.setdefault(int(fields[1]), []).append(int(entry.name))
            starts[int(entry.name)] = fields[19]
    found: dict[int, str] = {}
    todo = [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found[child] = starts[child]
                todo.append(child)
    return found


def alive(pid: int, start: str) -> bool:
    """True while the process ``pid`` that started at ``start`` exists and is not a zombie."""
    fields = _stat(pid)
    return len(fields) > 19 and fields[19] == start and fields[0] not in ("Z", "X")


def comparable(document: dict[str, Any]) -> dict[str, Any]:
    """A result document without its submission name and its timing and memory figures."""
    doc = json.loads(json.dumps(document))
    doc.pop("submission", None)
    for key in TIMING_FIELDS:
        doc.pop(key, None)
    for key in RUN_TIMING_FIELDS:
        (doc.get("run") or {}).pop(key, None)
    for case in doc.get("cases", []):
        for key in CASE_TIMING_FIELDS:
            case.pop(key, None)
    return doc


def sse_events(client: httpx.Client, url: str, token: str) -> list[tuple[str, Any]]:
    """The whole event stream of ``url`` (it ends after its ``result`` event), parsed."""
    events: list[tuple[str, Any]] = []
    timeout = httpx.Timeout(30.0, read=DEADLINE_S)
    with client.stream("GET", url, headers=auth(token), timeout=timeout) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        event, data = "message", list[str]()
        for line in response.iter_lines():
            if not line:
                if data:
                    events.append((event, json.loads("\n".join(data))))
                event, data = "message", []
            elif line.startswith(":"):
                continue
            elif line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].strip())
    return events


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Server:
    """One ``judge serve`` process (its own process group) and what it needs to be found again."""

    proc: subprocess.Popen[bytes]
    url: str
    port: int
    data: Path
    log: Path

    def log_tail(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, sig)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=60)

    def stop(self) -> None:
        """SIGTERM (uvicorn's graceful stop), SIGKILL if it lingers."""
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
        self.kill()


def start_server(data: Path, env: dict[str, str], *, port: int | None = None, workers: int = 2, extra: tuple[str, ...] = ()) -> Server:
    port = port or free_port()
    log = data.parent / f"{data.name}-serve.log"
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "judge", "serve", "--data", str(data), "--port", str(port), "--workers", str(workers), *extra],
            cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    server = Server(proc, f"http://127.0.0.1:{port}", port, data, log)
    deadline = time.monotonic() + START_S
    try:
        while True:
            assert proc.poll() is None, f"judge serve exited with {proc.returncode}:\n{server.log_tail()}"
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{server.url}/healthz", timeout=5).status_code == 200:
                    return server
            assert time.monotonic() < deadline, f"judge serve did not answer within {START_S:.0f} s:\n{server.log_tail()}"
            time.sleep(0.3)
    except BaseException:
        server.kill()
        raise


@dataclass
class World:
    """The problems, the files submitted, and ``judge grade``'s result for each (graded in the background)."""

    env: dict[str, str]
    problems: Path
    files: dict[str, Path]
    tmp: Path
    pool: concurrent.futures.ThreadPoolExecutor
    _graded: dict[tuple[Path, str], concurrent.futures.Future[dict[str, Any]]] = field(default_factory=dict)

    def grade_soon(self, path: Path, problem: str) -> concurrent.futures.Future[dict[str, Any]]:
        key = (path, problem)
        if key not in self._graded:
            self._graded[key] = self.pool.submit(self._grade, path, problem)
        return self._graded[key]

    def expected(self, path: Path, problem: str) -> dict[str, Any]:
        """``judge grade PATH -p PROBLEM --format json``, parsed."""
        return self.grade_soon(path, problem).result(timeout=DEADLINE_S)

    def _grade(self, path: Path, problem: str) -> dict[str, Any]:
        done = judge_cli(self.env, "grade", str(path), "-p", problem, "--format", "json")
        assert done.stdout.strip(), f"judge grade printed nothing (rc {done.returncode}): {done.stderr[-2000:]}"
        return dict(json.loads(done.stdout))

    def token(self, data: Path, user: str, role: str = "learner") -> str:
        made = judge_cli(self.env, "token", "create", user, "--role", role, "--data", str(data), timeout=120)
        assert made.returncode == 0, made.stderr
        return made.stdout.strip().splitlines()[-1]

    def case_ids(self, problem: str) -> list[str]:
        return [case.id for case in load_cases(load_problem(problem, self.problems))]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, session_cache: Path) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("service-live")
    problems = tmp / "problems"
    problems.mkdir()
    env = {key: value for key, value in os.environ.items() if key not in ("JUDGE_CONFIG", "JUDGE_SERVER", "JUDGE_TOKEN")}
    env.update(JUDGE_CACHE_DIR=str(session_cache), JUDGE_PROBLEMS_DIR=str(problems), PYTHONUNBUFFERED="1")
    made = judge_cli(env, "new", "tiny", timeout=120)
    assert made.returncode == 0, made.stderr
    conv1d = problems / "conv1d"
    conv1d.mkdir()
    source = REPO / "problems" / "conv1d"
    for name in ("problem.yaml", "reference.py", "statement.md", "template.py"):
        (conv1d / name).write_bytes((source / name).read_bytes())
    head, *blocks = (source / "cases.yaml").read_text().split("\n  - id: ")
    kept = [b for b in blocks if b.split("\n", 1)[0].strip() in CONV1D_CASES]
    assert len(kept) == len(CONV1D_CASES)
    (conv1d / "cases.yaml").write_text("\n  - id: ".join([head, *kept]))

    subs = tmp / "subs"
    subs.mkdir()
    tiny = problems / "tiny" / "solutions"
    files = {
        "accepted": tiny / "accepted" / "example_accepted.py",
        "wrong": tiny / "wrong" / "example_wrong.py",
        "syntax": subs / "syntax.py",
        "import_error": subs / "import_error.py",
        "raises": subs / "raises.py",
    }
    files["syntax"].write_text("def solve(seed, x, features)\n    return x\n")
    files["import_error"].write_text("import no_such_module_in_the_sandbox\n\n\ndef solve(seed, x, features):\n    return x\n")
    files["raises"].write_text("def solve(seed, x, features):\n    raise ValueError('no answer')\n")
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="judge-grade")
    try:
        yield World(env, problems, files, tmp, pool)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@dataclass
class Live:
    server: Server
    alice: str
    bob: str
    ann: str  # an author


@pytest.fixture(scope="module")
def live(world: World) -> Iterator[Live]:
    """One server shared by the tests that do not kill it."""
    data = world.tmp / "shared-data"
    tokens = [world.token(data, "alice"), world.token(data, "bob"), world.token(data, "ann", "author")]
    server = start_server(data, world.env)
    try:
        yield Live(server, *tokens)
    finally:
        server.stop()


def post(client: httpx.Client, url: str, token: str, problem: str, path: Path) -> dict[str, Any]:
    response = client.post(f"{url}/v1/submissions", headers=auth(token),
                           json={"problem": problem, "source": path.read_text(), "filename": path.name})
    assert response.status_code == 202, response.text
    return dict(response.json())


def wait_done(client: httpx.Client, url: str, token: str, submission_id: str) -> dict[str, Any]:
    """Long-poll until the submission is done; every early answer must have waited its full ``wait``."""
    deadline = time.monotonic() + DEADLINE_S
    while True:
        started = time.monotonic()
        response = client.get(f"{url}/v1/submissions/{submission_id}", params={"wait": 60}, headers=auth(token),
                              timeout=120)
        assert response.status_code == 200, response.text
        doc = dict(response.json())
        if doc["status"] == "done":
            return doc
        assert time.monotonic() - started >= 55, f"wait=60 answered {doc['status']!r} after {time.monotonic() - started:.1f} s"
        assert time.monotonic() < deadline, f"{submission_id} still {doc['status']} after {DEADLINE_S:.0f} s"


def db_rows(data: Path, sql: str) -> list[tuple[Any, ...]]:
    with contextlib.closing(sqlite3.connect(data / "judge.db", timeout=60)) as conn:
        return [tuple(row) for row in conn.execute(sql).fetchall()]


# -- 1. SIGKILL mid-flight ---------------------------------------------------------------------


def test_sigkill_mid_flight_loses_nothing_and_grades_once(world: World) -> None:
    files = world.files
    plan = [  # (user, file): compile errors (fast) and real gradings, from two users, one file twice
        ("alice", "accepted"), ("alice", "syntax"), ("alice", "wrong"),
        ("bob", "raises"), ("bob", "import_error"), ("bob", "accepted"),
    ]
    for name in {name for _, name in plan}:
        world.grade_soon(files[name], "tiny")
    data = world.tmp / "crash-data"
    tokens = {"alice": world.token(data, "alice"), "bob": world.token(data, "bob")}
    server = start_server(data, world.env)
    second: Server | None = None
    try:
        submitted: dict[str, tuple[str, str]] = {}  # submission id -> (user, file name)
        with httpx.Client(timeout=60) as client:
            for user, name in plan:
                submitted[post(client, server.url, tokens[user], "tiny", files[name])["id"]] = (user, name)
        # Mid-flight: a job is being graded (a case decided, or a result stored), and not all are done.
        deadline = time.monotonic() + DEADLINE_S
        while not (db_rows(data, "SELECT 1 FROM jobs WHERE status = 'running'")
                   and db_rows(data, "SELECT 1 FROM case_events UNION ALL SELECT 1 FROM results")):
            assert server.proc.poll() is None, server.log_tail()
            assert time.monotonic() < deadline, f"no job started within {DEADLINE_S:.0f} s:\n{server.log_tail()}"
            time.sleep(0.1)
        below = descendants(server.proc.pid)
        os.killpg(server.proc.pid, signal.SIGKILL)
        server.proc.wait(timeout=60)
        unfinished = db_rows(data, "SELECT id FROM jobs WHERE status != 'done'")
        assert unfinished, "every job was done before the kill: nothing was interrupted"
        interrupted = {row[0] for row in db_rows(data, "SELECT id FROM jobs WHERE status = 'running'")}
        assert interrupted, "no job was running when the service was killed"

        # Nothing the dead service started goes on running learner code.
        deadline = time.monotonic() + 60
        while survivors := sorted(pid for pid, start in below.items() if alive(pid, start)):
            assert time.monotonic() < deadline, f"processes of the killed service still alive 60 s later: {survivors}"
            time.sleep(0.5)

        second = start_server(data, world.env, port=server.port)
        deadline = time.monotonic() + DEADLINE_S
        while db_rows(data, "SELECT 1 FROM jobs WHERE status != 'done'"):
            assert second.proc.poll() is None, second.log_tail()
            assert time.monotonic() < deadline, f"jobs not done {DEADLINE_S:.0f} s after the restart:\n{second.log_tail()}"
            time.sleep(0.5)

        current = dict(db_rows(data, "SELECT submission_id, COUNT(*) FROM results WHERE current = 1 GROUP BY submission_id"))
        assert current == {sid: 1 for sid in submitted}
        per_job = db_rows(data, "SELECT j.id, j.status, j.claims, COUNT(r.id) FROM jobs j LEFT JOIN results r ON r.job_id = j.id GROUP BY j.id")
        assert len(per_job) == len(plan)
        assert all(status == "done" and results == 1 for _, status, _, results in per_job), per_job
        # The interrupted jobs were claimed again (by the new service), not recorded as faults.
        assert all(claims == 2 for job, _, claims, _ in per_job if job in interrupted), per_job

        with httpx.Client(timeout=60) as client:
            for sid, (user, name) in submitted.items():
                doc = client.get(f"{second.url}/v1/submissions/{sid}", headers=auth(tokens[user])).json()
                expected = world.expected(files[name], "tiny")
                assert doc["status"] == "done" and doc["result"] is not None, doc
                got = doc["result"]
                assert got["verdict"] == expected["verdict"], (name, got, expected)
                assert [(c["id"], c["verdict"]) for c in got["cases"]] == [(c["id"], c["verdict"]) for c in expected["cases"]], name
                assert got["verdict"] != "internal_error", got
    finally:
        server.kill()
        if second is not None:
            second.stop()


# -- 2. events and long-poll -------------------------------------------------------------------


def test_events_stream_each_case_then_the_result(world: World, live: Live) -> None:
    url = live.server.url
    path = world.files["accepted"]
    world.grade_soon(path, "tiny")
    with httpx.Client(timeout=60) as client:
        queued = post(client, url, live.alice, "tiny", path)
        assert queued["status"] == "queued" and queued["result"] is None
        events = sse_events(client, f"{url}/v1/submissions/{queued['id']}/events", live.alice)
        names = [name for name, _ in events]
        assert names == ["case"] * (len(names) - 1) + ["result"], names
        cases = [data for name, data in events if name == "case"]
        assert [c["id"] for c in cases] == world.case_ids("tiny")
        result_doc = events[-1][1]
        now = client.get(f"{url}/v1/submissions/{queued['id']}", headers=auth(live.alice))
        assert now.status_code == 200 and result_doc == now.json()
        assert result_doc["status"] == "done" and result_doc["id"] == queued["id"]
        result = result_doc["result"]
        assert cases == result["cases"]  # each event is the case's entry in the result, as decided
        assert result["verdict"] == world.expected(path, "tiny")["verdict"] == "accepted"
        # A follower that comes after the grading sees the same story, at once.
        again = sse_events(client, f"{url}/v1/submissions/{queued['id']}/events", live.alice)
        assert [n for n, _ in again] == names and again[-1][1] == result_doc
        assert [d["id"] for n, d in again if n == "case"] == [c["id"] for c in cases]


def test_long_poll_waits_for_the_result(world: World, live: Live) -> None:
    url = live.server.url
    path = world.files["wrong"]
    world.grade_soon(path, "tiny")
    with httpx.Client(timeout=60) as client:
        queued = post(client, url, live.bob, "tiny", path)
        at_once = client.get(f"{url}/v1/submissions/{queued['id']}", params={"wait": 0}, headers=auth(live.bob))
        assert at_once.status_code == 200
        assert at_once.json()["status"] in ("queued", "running") and at_once.json()["result"] is None, at_once.json()
        done = wait_done(client, url, live.bob, queued["id"])
    assert done["result"] is not None
    assert comparable(done["result"]) == comparable(world.expected(path, "tiny"))


# -- 3. judge submit, the hostile programs through the service ---------------------------------


def test_judge_submit_prints_what_judge_grade_prints(world: World, live: Live) -> None:
    jobs = [(world.files["accepted"], "tiny"), (world.files["wrong"], "tiny"), (world.files["syntax"], "tiny")]
    jobs += [(HOSTILE / f"{name}.py", "conv1d") for name in HOSTILE_PROGRAMS]
    for path, problem in jobs:
        world.grade_soon(path, problem)
    running = []
    for path, problem in jobs:
        proc = subprocess.Popen(
            [sys.executable, "-m", "judge", "submit", str(path), "-p", problem, "--server", live.server.url,
             "--token", live.alice, "--format", "json"],
            cwd=REPO, env=world.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        )
        running.append((path, problem, proc))
    try:
        printed = {}
        for path, _, proc in running:
            out, err = proc.communicate(timeout=DEADLINE_S)
            assert out.strip(), f"judge submit {path.name} printed nothing (rc {proc.returncode}): {err[-2000:]}"
            printed[path] = json.loads(out)
    finally:
        for _, _, proc in running:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    for path, problem, _ in running:
        got, expected = printed[path], world.expected(path, problem)
        assert got["submission"] == path.name
        assert comparable(got) == comparable(expected), path.name
        if path.parent == HOSTILE:
            declared = path.read_text().split("\n", 1)[0].removeprefix("# expect: ").strip()
            assert got["verdict"] == declared, (path.name, got["verdict"], got["message"])


# -- 4. the Dask executor ----------------------------------------------------------------------


def test_dask_executor_grades_like_judge_grade(world: World) -> None:
    distributed = pytest.importorskip("dask.distributed")
    path = world.files["wrong"]
    world.grade_soon(path, "tiny")
    data = world.tmp / "dask-data"
    token = world.token(data, "alice")
    cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None,
                                       scheduler_port=0, host="127.0.0.1")
    server = None
    try:
        server = start_server(data, world.env, workers=1, extra=("--executor", "dask", "--scheduler", cluster.scheduler_address))
        with httpx.Client(timeout=60) as client:
            queued = post(client, server.url, token, "tiny", path)
            done = wait_done(client, server.url, token, queued["id"])
        assert "run_job" in cluster.scheduler.task_prefixes, "the grading did not run on the Dask cluster"
    finally:
        if server is not None:
            server.stop()
        cluster.close()
    expected = world.expected(path, "tiny")
    assert done["result"]["verdict"] == expected["verdict"] == "wrong_answer"
    assert comparable(done["result"]) == comparable(expected)


# -- 5. the HTTP stack's access checks ---------------------------------------------------------


def test_token_needed_and_learners_see_only_their_own(world: World, live: Live) -> None:
    url = live.server.url
    with httpx.Client(timeout=60) as client:
        mine = post(client, url, live.alice, "tiny", world.files["syntax"])
        path = f"{url}/v1/submissions/{mine['id']}"
        source = world.files["syntax"].read_text()
        for response in (
            client.get(path),
            client.get(path, headers={"Authorization": "Bearer jdg_not_a_token"}),
            client.post(f"{url}/v1/submissions", json={"problem": "tiny", "source": source}),
        ):
            assert response.status_code == 401, response.text
            assert response.headers["www-authenticate"] == "Bearer"
        for response in (client.get(path, headers=auth(live.bob)), client.get(f"{path}/events", headers=auth(live.bob))):
            assert response.status_code == 404, response.text
            assert mine["id"] not in response.text
        assert client.get(f"{url}/v1/submissions/missing", headers=auth(live.bob)).json() == \
            client.get(path, headers=auth(live.bob)).json()  # the same answer as for a missing one
        assert [s["id"] for s in client.get(f"{url}/v1/submissions", headers=auth(live.bob)).json()].count(mine["id"]) == 0
        assert client.get(path, headers=auth(live.alice)).status_code == 200
        assert client.get(path, headers=auth(live.ann)).status_code == 200  # an author sees everyone's


def test_sigterm_stops_promptly_and_leaves_unfinished_jobs_for_the_next_start(world: World) -> None:
    """A graceful stop kills running gradings (no result stored) instead of grading on during shutdown."""
    data = world.tmp / "term-data"
    token = world.token(data, "carol")
    server = start_server(data, world.env, workers=1)
    try:
        with httpx.Client(timeout=60) as client:
            ids = [post(client, server.url, token, "tiny", world.files["accepted"])["id"] for _ in range(3)]
        deadline = time.monotonic() + DEADLINE_S
        while not db_rows(data, "SELECT 1 FROM jobs WHERE status = 'running'"):
            assert time.monotonic() < deadline, server.log_tail()
            time.sleep(0.1)
        os.kill(server.proc.pid, signal.SIGTERM)
        server.proc.wait(timeout=60)  # uvicorn drains for at most 5 s; nothing else may hold it
        assert db_rows(data, "SELECT COUNT(*) FROM jobs WHERE status != 'done'")[0][0] >= 2
    finally:
        server.kill()
    second = start_server(data, world.env, workers=1)
    try:
        with httpx.Client(timeout=60) as client:
            for sid in ids:
                assert wait_done(client, second.url, token, sid)["result"]["verdict"] == "accepted"
        assert db_rows(data, "SELECT COUNT(*) FROM results")[0][0] == 3  # one result each, none from the stopped run
    finally:
        second.kill()

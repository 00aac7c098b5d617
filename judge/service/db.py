"""The service's store: one SQLite database in WAL mode, plus the submissions' sources on disk.

Everything the service owns lives in its data folder: ``judge.db`` and ``sources/``, where each
source is stored once under its SHA-256. Every change is one transaction, so a reader never sees
half of one, and a submission is committed (``synchronous=FULL``) before the service answers 202.

Jobs are claimed with a lease: a worker holds a job until ``lease_until`` and extends the lease
while it grades. A job whose lease ran out (its worker died) is claimed again; a job claimed more
than :data:`MAX_CLAIMS` times is recorded as ``internal_error`` instead of being run again, so one
submission that kills its worker cannot stall the queue.

The schema version is ``PRAGMA user_version``: older databases are migrated on open, and one
written by a newer judge is refused.

Example:
    >>> import tempfile
    >>> db = ServiceDB(Path(tempfile.mkdtemp()))
    >>> token = db.create_token("ann", Role.LEARNER)
    >>> db.authenticate(token).user, db.authenticate("jdg_wrong")
    ('ann', None)
    >>> sub = db.add_submission("ann", 1, "conv1d", b"def solve(x):\\n    return x\\n", "solution.py", None, now=0.0)
    >>> db.claim("w1", lease_s=60).submission_id == sub.id
    True
"""

from __future__ import annotations

import enum
import hashlib
import json
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import JudgeError
from ..record import ResultRecord, iso_now
from ..verdict import RecordError

SCHEMA_VERSION = 2  # 1: the first schema; 2: problem sets (problem_sets, submissions.set_id)
MAX_CLAIMS = 3  # a job whose worker died this many times is recorded as a judge fault
DB_FILE = "judge.db"
RESTART = "restart"  # the key of the case-event marker that starts a new attempt

_SCHEMA = """
CREATE TABLE tokens (
    id INTEGER PRIMARY KEY,
    user TEXT NOT NULL,
    role TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at REAL NOT NULL,
    revoked_at REAL
);
CREATE TABLE submissions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    user TEXT NOT NULL,
    token_id INTEGER NOT NULL,
    problem TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    name TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    created REAL NOT NULL,
    callback_url TEXT
);
CREATE INDEX submissions_by_user ON submissions(user, seq);
CREATE INDEX submissions_by_problem ON submissions(problem, seq);
CREATE INDEX submissions_by_time ON submissions(user, created);
CREATE TABLE rejudges (
    id TEXT PRIMARY KEY,
    problem TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    submission_id TEXT NOT NULL REFERENCES submissions(id),
    rejudge_id TEXT REFERENCES rejudges(id),
    status TEXT NOT NULL,
    claims INTEGER NOT NULL DEFAULT 0,
    worker TEXT,
    lease_until REAL,
    previous_result INTEGER
);
CREATE INDEX jobs_by_status ON jobs(status, id);
CREATE INDEX jobs_by_submission ON jobs(submission_id, id);
CREATE TABLE results (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    submission_id TEXT NOT NULL REFERENCES submissions(id),
    job_id INTEGER NOT NULL UNIQUE REFERENCES jobs(id),
    record TEXT NOT NULL,
    current INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL
);
CREATE UNIQUE INDEX one_current_result ON results(submission_id) WHERE current = 1;
CREATE TABLE case_events (
    job_id INTEGER NOT NULL REFERENCES jobs(id),
    seq INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (job_id, seq)
);
"""


# Version 2: problem sets. Times are seconds since the epoch (UTC); NULL: no limit.
_MIGRATION_2 = """
CREATE TABLE problem_sets (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    problems TEXT NOT NULL,
    opens_at REAL,
    deadline REAL,
    late_allowed INTEGER NOT NULL DEFAULT 1,
    late_penalty REAL NOT NULL DEFAULT 0,
    created_by TEXT NOT NULL,
    created REAL NOT NULL,
    updated REAL NOT NULL
);
ALTER TABLE submissions ADD COLUMN set_id TEXT;
CREATE INDEX submissions_by_set ON submissions(set_id, seq);
"""
MIGRATIONS = {1: _SCHEMA, 2: _MIGRATION_2}  # version -> the statements that bring the one before to it


class Role(str, enum.Enum):
    """What a token may do: learners see their own submissions; authors everyone's; admins also rejudge."""

    LEARNER = "learner"
    AUTHOR = "author"
    ADMIN = "admin"


class JobStatus(str, enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"


@dataclass(frozen=True)
class Caller:
    """Who a valid token belongs to."""

    token_id: int
    user: str
    role: Role
    webhook_key: bytes  # the HMAC key of this token's webhooks: the hex SHA-256 of the token


@dataclass(frozen=True)
class TokenInfo:
    id: int
    user: str
    role: Role
    created_at: float
    revoked: bool


@dataclass(frozen=True)
class SubmissionRow:
    id: str
    user: str
    problem: str
    sha256: str
    name: str
    submitted_at: str
    callback_url: str | None
    token_id: int
    status: JobStatus
    result: ResultRecord | None
    set_id: str | None = None  # the problem set it was submitted to, if any
    late: bool = False  # submitted to a set after its deadline (read against the set's current deadline)


@dataclass(frozen=True)
class StoredSet:
    """A problem set as stored (see :mod:`judge.service.sets` for its rules and JSON form)."""

    id: str
    title: str
    problems: tuple[str, ...]
    opens_at: float | None
    deadline: float | None
    late_allowed: bool
    late_penalty: float
    created_by: str
    created: float
    updated: float


@dataclass(frozen=True)
class Graded:
    """A submission with its current result, as gradebooks and set leaderboards read it."""

    seq: int  # the order the service received submissions in
    submission_id: str
    user: str
    problem: str
    name: str
    submitted_at: str
    set_id: str | None
    late: bool
    record: ResultRecord


@dataclass(frozen=True)
class ActiveJob:
    """A job queued or running, as the operator's view lists it."""

    id: int
    submission_id: str
    user: str
    problem: str
    status: JobStatus
    worker: str | None
    claims: int
    rejudge_id: str | None
    submitted_at: str


@dataclass(frozen=True)
class ClaimedJob:
    id: int
    submission_id: str
    rejudge_id: str | None
    claims: int
    user: str
    problem: str
    sha256: str
    name: str
    submitted_at: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ServiceDB:
    """The service's database and source store (one per data folder; safe to share between threads)."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.sources_dir = data_dir / "sources"
        self.sources_dir.mkdir(parents=True, exist_ok=True)
        self.path = data_dir / DB_FILE
        self._local = threading.local()
        self._migrate()

    # -- connections and transactions ------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=True)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")  # a 202 means the submission survives a power cut
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA busy_timeout=30000")
            self._local.conn = conn
        return conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once (BEGIN IMMEDIATE: no upgrade deadlocks)."""
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        return self._connection().execute(sql, params).fetchall()

    def _migrate(self) -> None:
        conn = self._connection()
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise JudgeError(
                f"this database was written by a newer judge (schema {version}; this judge knows {SCHEMA_VERSION}): "
                "upgrade the judge or use another --data folder",
                file=self.path,
            )
        # Each step in its own transaction: a database stopped between two is at a known version.
        for target in range(version + 1, SCHEMA_VERSION + 1):
            with self._write() as c:
                if c.execute("PRAGMA user_version").fetchone()[0] >= target:
                    continue  # another process opening the same database migrated it first
                for statement in MIGRATIONS[target].split(";"):
                    if statement.strip():
                        c.execute(statement)
                c.execute(f"PRAGMA user_version = {target}")

    # -- tokens ------------------------------------------------------------------------------

    def create_token(self, user: str, role: Role) -> str:
        """A new token for ``user``: returned once, only its hash is kept."""
        if not user or len(user) > 64 or not all(ch.isalnum() or ch in "-_." for ch in user):
            raise JudgeError(f"invalid user name {user!r}: use 1-64 letters, digits, '-', '_' or '.'")
        token = "jdg_" + secrets.token_urlsafe(32)
        with self._write() as c:
            c.execute("INSERT INTO tokens(user, role, token_hash, created_at) VALUES (?, ?, ?, ?)",
                      (user, role.value, token_hash(token), time.time()))
        return token

    def authenticate(self, token: str) -> Caller | None:
        rows = self._read("SELECT id, user, role, token_hash FROM tokens WHERE token_hash = ? AND revoked_at IS NULL",
                          (token_hash(token),))
        if not rows:
            return None
        row = rows[0]
        return Caller(row["id"], row["user"], Role(row["role"]), row["token_hash"].encode())

    def tokens(self) -> list[TokenInfo]:
        return [TokenInfo(r["id"], r["user"], Role(r["role"]), r["created_at"], r["revoked_at"] is not None)
                for r in self._read("SELECT * FROM tokens ORDER BY id")]

    def revoke_token(self, token_id: int) -> bool:
        with self._write() as c:
            return c.execute("UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                             (time.time(), token_id)).rowcount == 1

    def webhook_key(self, token_id: int) -> bytes:
        rows = self._read("SELECT token_hash FROM tokens WHERE id = ?", (token_id,))
        return rows[0]["token_hash"].encode() if rows else b""

    # -- sources -----------------------------------------------------------------------------

    def _source_path(self, sha256: str) -> Path:
        return self.sources_dir / sha256[:2] / f"{sha256}.py"

    def _store_source(self, source: bytes) -> str:
        digest = hashlib.sha256(source).hexdigest()
        path = self._source_path(digest)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{digest}.{secrets.token_hex(4)}.tmp")
            with open(tmp, "wb") as handle:
                handle.write(source)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        return digest

    def source(self, sha256: str) -> bytes:
        data = self._source_path(sha256).read_bytes()
        if hashlib.sha256(data).hexdigest() != sha256:
            raise JudgeError("a stored source does not match its hash", file=self._source_path(sha256))
        return data

    # -- submissions and jobs ----------------------------------------------------------------

    def add_submission(self, user: str, token_id: int, problem: str, source: bytes, name: str, callback_url: str | None,
                       *, now: float | None = None, set_id: str | None = None) -> SubmissionRow:
        """Store the source, then the submission and its job in one transaction (durable on return)."""
        digest = self._store_source(source)
        created = time.time() if now is None else now
        submission_id = "s_" + secrets.token_urlsafe(18)
        submitted_at = iso_now()
        with self._write() as c:
            c.execute(
                "INSERT INTO submissions(id, user, token_id, problem, sha256, name, submitted_at, created, callback_url, set_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (submission_id, user, token_id, problem, digest, name, submitted_at, created, callback_url, set_id),
            )
            c.execute("INSERT INTO jobs(submission_id, status) VALUES (?, ?)", (submission_id, JobStatus.QUEUED.value))
        late = self._late(set_id, created)
        return SubmissionRow(submission_id, user, problem, digest, name, submitted_at, callback_url, token_id, JobStatus.QUEUED, None,
                             set_id, late)

    def submissions_since(self, user: str, since: float) -> tuple[int, float | None]:
        """How many submissions ``user`` made since ``since``, and the time of the oldest of them."""
        row = self._read("SELECT COUNT(*) AS n, MIN(created) AS oldest FROM submissions WHERE user = ? AND created >= ?",
                         (user, since))[0]
        return int(row["n"]), row["oldest"]

    def queue_depth(self) -> int:
        return int(self._read("SELECT COUNT(*) AS n FROM jobs WHERE status != ?", (JobStatus.DONE.value,))[0]["n"])

    def active_jobs(self, limit: int = 100) -> list[ActiveJob]:
        """The oldest ``limit`` jobs not done, running ones first (the operator's queue view)."""
        rows = self._read(
            "SELECT j.id, j.submission_id, s.user, s.problem, j.status, j.worker, j.claims, j.rejudge_id, s.submitted_at "
            "FROM jobs j JOIN submissions s ON s.id = j.submission_id WHERE j.status != ? "
            "ORDER BY j.status = ? DESC, j.id LIMIT ?", (JobStatus.DONE.value, JobStatus.RUNNING.value, limit))
        return [ActiveJob(r["id"], r["submission_id"], r["user"], r["problem"], JobStatus(r["status"]), r["worker"], r["claims"],
                          r["rejudge_id"], r["submitted_at"]) for r in rows]

    def submission(self, submission_id: str) -> SubmissionRow | None:
        rows = self._read("SELECT * FROM submissions WHERE id = ?", (submission_id,))
        return self._row(rows[0]) if rows else None

    def submissions(self, *, user: str | None = None, problem: str | None = None, limit: int = 50,
                    set_id: str | None = None) -> list[SubmissionRow]:
        where, params = [], []
        if user is not None:
            where.append("user = ?")
            params.append(user)
        if problem is not None:
            where.append("problem = ?")
            params.append(problem)
        if set_id is not None:
            where.append("set_id = ?")
            params.append(set_id)
        sql = "SELECT * FROM submissions" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY seq DESC LIMIT ?"
        return [self._row(r) for r in self._read(sql, [*params, limit])]

    def _row(self, row: sqlite3.Row) -> SubmissionRow:
        first = self._read("SELECT status FROM jobs WHERE submission_id = ? ORDER BY id LIMIT 1", (row["id"],))
        status = JobStatus(first[0]["status"]) if first else JobStatus.DONE
        return SubmissionRow(row["id"], row["user"], row["problem"], row["sha256"], row["name"], row["submitted_at"],
                             row["callback_url"], row["token_id"], status, self.current_result(row["id"]),
                             row["set_id"], self._late(row["set_id"], row["created"]))

    def _late(self, set_id: str | None, created: float) -> bool:
        """Whether a submission received at ``created`` is late for the set's deadline as it is now
        (so a deadline moved later un-marks submissions made before it)."""
        if set_id is None:
            return False
        rows = self._read("SELECT deadline FROM problem_sets WHERE id = ?", (set_id,))
        return bool(rows) and rows[0]["deadline"] is not None and created > rows[0]["deadline"]

    # -- problem sets ------------------------------------------------------------------------

    def save_set(self, problem_set: StoredSet, *, create: bool) -> bool:
        """Store a new set (``create``: False if the id is taken) or replace one (False if there is none)."""
        values = (problem_set.title, json.dumps(list(problem_set.problems)), problem_set.opens_at, problem_set.deadline,
                  int(problem_set.late_allowed), problem_set.late_penalty)
        with self._write() as c:
            exists = c.execute("SELECT 1 FROM problem_sets WHERE id = ?", (problem_set.id,)).fetchone() is not None
            if exists == create:
                return False
            if create:
                c.execute("INSERT INTO problem_sets(title, problems, opens_at, deadline, late_allowed, late_penalty, id, created_by, "
                          "created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                          (*values, problem_set.id, problem_set.created_by, problem_set.created, problem_set.updated))
            else:
                c.execute("UPDATE problem_sets SET title = ?, problems = ?, opens_at = ?, deadline = ?, late_allowed = ?, "
                          "late_penalty = ?, updated = ? WHERE id = ?", (*values, problem_set.updated, problem_set.id))
        return True

    def problem_set(self, set_id: str) -> StoredSet | None:
        rows = self._read("SELECT * FROM problem_sets WHERE id = ?", (set_id,))
        return _stored_set(rows[0]) if rows else None

    def problem_sets(self) -> list[StoredSet]:
        return [_stored_set(r) for r in self._read("SELECT * FROM problem_sets ORDER BY created, id")]

    def graded(self, *, problem: str | None = None, set_id: str | None = None) -> list[Graded]:
        """Every submission with a current result (of ``problem``, of the set ``set_id``), oldest first."""
        where, params = ["r.current = 1"], []
        if problem is not None:
            where.append("s.problem = ?")
            params.append(problem)
        if set_id is not None:
            where.append("s.set_id = ?")
            params.append(set_id)
        rows = self._read(
            "SELECT s.seq, s.id, s.user, s.problem, s.name, s.submitted_at, s.set_id, s.created, p.deadline, r.record "
            "FROM submissions s JOIN results r ON r.submission_id = s.id LEFT JOIN problem_sets p ON p.id = s.set_id "
            f"WHERE {' AND '.join(where)} ORDER BY s.seq", params)
        return [Graded(r["seq"], r["id"], r["user"], r["problem"], r["name"], r["submitted_at"], r["set_id"],
                       r["deadline"] is not None and r["created"] > r["deadline"], _record(r["record"])) for r in rows]

    def current_result(self, submission_id: str) -> ResultRecord | None:
        rows = self._read("SELECT record FROM results WHERE submission_id = ? AND current = 1", (submission_id,))
        return _record(rows[0]["record"]) if rows else None

    def current_results(self, problem: str) -> list[ResultRecord]:
        rows = self._read("SELECT r.record FROM results r JOIN submissions s ON s.id = r.submission_id "
                          "WHERE s.problem = ? AND r.current = 1 ORDER BY s.seq", (problem,))
        return [_record(r["record"]) for r in rows]

    def first_job(self, submission_id: str) -> int | None:
        rows = self._read("SELECT id FROM jobs WHERE submission_id = ? ORDER BY id LIMIT 1", (submission_id,))
        return int(rows[0]["id"]) if rows else None

    def reset_running(self) -> int:
        """At start-up of the only writer: jobs left running by a dead process are queued again."""
        with self._write() as c:
            return c.execute("UPDATE jobs SET status = ?, worker = NULL, lease_until = NULL WHERE status = ?",
                             (JobStatus.QUEUED.value, JobStatus.RUNNING.value)).rowcount

    def claim(self, worker: str, *, lease_s: float) -> ClaimedJob | None:
        """The oldest job that is queued or whose lease ran out, now leased to ``worker``."""
        now = time.time()
        with self._write() as c:
            row = c.execute(
                "SELECT j.id, j.submission_id, j.rejudge_id, j.claims, s.user, s.problem, s.sha256, s.name, s.submitted_at "
                "FROM jobs j JOIN submissions s ON s.id = j.submission_id "
                "WHERE j.status = ? OR (j.status = ? AND j.lease_until < ?) ORDER BY j.id LIMIT 1",
                (JobStatus.QUEUED.value, JobStatus.RUNNING.value, now),
            ).fetchone()
            if row is None:
                return None
            c.execute("UPDATE jobs SET status = ?, worker = ?, lease_until = ?, claims = claims + 1 WHERE id = ?",
                      (JobStatus.RUNNING.value, worker, now + lease_s, row["id"]))
            if c.execute("SELECT 1 FROM case_events WHERE job_id = ?", (row["id"],)).fetchone():
                # Followers keep their place in the stream: a marker, not a deletion, says that the
                # cases after it come from a new attempt.
                _append_event(c, row["id"], {RESTART: "the grading was interrupted and starts again"})
        return ClaimedJob(row["id"], row["submission_id"], row["rejudge_id"], row["claims"] + 1, row["user"], row["problem"],
                          row["sha256"], row["name"], row["submitted_at"])

    def extend_leases(self, worker: str, *, lease_s: float) -> None:
        with self._write() as c:
            c.execute("UPDATE jobs SET lease_until = ? WHERE worker = ? AND status = ?",
                      (time.time() + lease_s, worker, JobStatus.RUNNING.value))

    def add_case_event(self, job_id: int, data: dict[str, Any]) -> None:
        with self._write() as c:
            _append_event(c, job_id, data)

    def restart_events(self, job_id: int, reason: str) -> None:
        """Mark that the job's grading starts again (its earlier case events are superseded)."""
        with self._write() as c:
            _append_event(c, job_id, {RESTART: reason})

    def case_events(self, job_id: int, after: int = 0) -> list[tuple[int, dict[str, Any]]]:
        rows = self._read("SELECT seq, data FROM case_events WHERE job_id = ? AND seq > ? ORDER BY seq", (job_id, after))
        return [(int(r["seq"]), json.loads(r["data"])) for r in rows]

    def finish(self, job: ClaimedJob, worker: str, record: ResultRecord) -> bool:
        """Store the job's record as the submission's current result, once.

        False (and nothing written) when the job is no longer this worker's: its lease ran out and
        another worker took it, so that worker's result will be the one kept.
        """
        with self._write() as c:
            held = c.execute("SELECT 1 FROM jobs WHERE id = ? AND worker = ? AND status = ?",
                             (job.id, worker, JobStatus.RUNNING.value)).fetchone()
            if held is None:
                return False
            previous = c.execute("SELECT id FROM results WHERE submission_id = ? AND current = 1", (job.submission_id,)).fetchone()
            c.execute("UPDATE results SET current = 0 WHERE submission_id = ? AND current = 1", (job.submission_id,))
            c.execute("INSERT INTO results(submission_id, job_id, record, current, created) VALUES (?, ?, ?, 1, ?)",
                      (job.submission_id, job.id, json.dumps(record.to_json(), sort_keys=True), time.time()))
            c.execute("UPDATE jobs SET status = ?, lease_until = NULL, previous_result = ? WHERE id = ?",
                      (JobStatus.DONE.value, previous["id"] if previous else None, job.id))
        return True

    def job_done(self, job_id: int) -> bool:
        rows = self._read("SELECT status FROM jobs WHERE id = ?", (job_id,))
        return bool(rows) and rows[0]["status"] == JobStatus.DONE.value

    # -- rejudge -----------------------------------------------------------------------------

    def add_rejudge(self, problem: str, by: str) -> tuple[str, int]:
        """A new job for every submission of ``problem``; returns the rejudge id and the job count."""
        rejudge_id = "r_" + secrets.token_urlsafe(12)
        with self._write() as c:
            c.execute("INSERT INTO rejudges(id, problem, created_by, created) VALUES (?, ?, ?, ?)", (rejudge_id, problem, by, time.time()))
            count = c.execute(
                "INSERT INTO jobs(submission_id, rejudge_id, status) SELECT id, ?, ? FROM submissions WHERE problem = ? ORDER BY seq",
                (rejudge_id, JobStatus.QUEUED.value, problem),
            ).rowcount
        return rejudge_id, count

    def rejudge(self, rejudge_id: str) -> tuple[str, int, int, list[tuple[ResultRecord | None, ResultRecord]]] | None:
        """(problem, total, done, [(result before, result after) for each finished job])."""
        head = self._read("SELECT problem FROM rejudges WHERE id = ?", (rejudge_id,))
        if not head:
            return None
        jobs = self._read("SELECT id, status, previous_result FROM jobs WHERE rejudge_id = ?", (rejudge_id,))
        pairs: list[tuple[ResultRecord | None, ResultRecord]] = []
        for job in jobs:
            if job["status"] != JobStatus.DONE.value:
                continue
            after = self._read("SELECT record FROM results WHERE job_id = ?", (job["id"],))
            before = self._read("SELECT record FROM results WHERE id = ?", (job["previous_result"],)) if job["previous_result"] else []
            if after:
                pairs.append((_record(before[0]["record"]) if before else None, _record(after[0]["record"])))
        done = sum(1 for j in jobs if j["status"] == JobStatus.DONE.value)
        return head[0]["problem"], len(jobs), done, pairs


def _append_event(c: sqlite3.Connection, job_id: int, data: dict[str, Any]) -> None:
    seq = c.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM case_events WHERE job_id = ?", (job_id,)).fetchone()[0]
    c.execute("INSERT INTO case_events(job_id, seq, data) VALUES (?, ?, ?)", (job_id, seq, json.dumps(data)))


def _stored_set(row: sqlite3.Row) -> StoredSet:
    return StoredSet(row["id"], row["title"], tuple(json.loads(row["problems"])), row["opens_at"], row["deadline"],
                     bool(row["late_allowed"]), float(row["late_penalty"]), row["created_by"], row["created"], row["updated"])


def _record(text: str) -> ResultRecord:
    try:
        return ResultRecord.from_json(json.loads(text))
    except (ValueError, RecordError) as exc:
        raise JudgeError(f"a stored result cannot be read: {exc}") from None

"""Workers that take jobs from the database and grade them through :func:`judge.job.run_job`.

Each worker is a thread of the service process (the only writer of the database). It claims the
oldest job with a lease, extends the lease while it grades (a heartbeat thread), writes each case
result as an event for live followers, and stores the record as the submission's current result.
With an executor (a Dask client's), the grading itself runs on the cluster; the service still
writes every row.

Example:
    >>> import tempfile
    >>> from pathlib import Path
    >>> from judge.config import load_config
    >>> from judge.service.db import ServiceDB
    >>> graders = Graders(ServiceDB(Path(tempfile.mkdtemp())), load_config(None), workers=0)
    >>> graders.start(); graders.stop()
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor

from ..config import Config
from ..errors import JudgeError
from ..expected import package_versions
from ..job import run_job
from ..plan import RunPlan
from ..problem import load_problem
from ..record import Job, ResultRecord
from ..runner import RunGroup, WorkerPool
from ..verdict import CaseResult
from .db import MAX_CLAIMS, ClaimedJob, ServiceDB

log = logging.getLogger(__name__)

IDLE_POLL_S = 0.5  # a worker with nothing to do looks again this often (or when woken)

Finished = Callable[[ClaimedJob, ResultRecord], None]


class Graders:
    """``workers`` grading threads over one :class:`ServiceDB`."""

    def __init__(
        self,
        db: ServiceDB,
        config: Config,
        *,
        workers: int,
        lease_s: float = 120.0,
        executor: Executor | None = None,
        on_finished: Finished | None = None,
    ) -> None:
        self.db = db
        self.config = config
        self.workers = workers
        self.lease_s = lease_s
        self.executor = executor
        self.on_finished = on_finished
        self.name = f"{os.uname().nodename}:{os.getpid()}:{id(self):x}"
        warm = config.service.warm_workers
        warm = workers if warm is None else warm
        # A remote executor's workers start their own sandboxes; warm ones are for local graders.
        self.group = RunGroup(WorkerPool(size=warm) if warm and executor is None else None)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._busy_lock = threading.Lock()
        self.busy = 0  # workers grading right now (for metrics)

    def start(self) -> None:
        requeued = self.db.reset_running()
        if requeued:
            log.warning("%d job(s) left running by a stopped service are queued again", requeued)
        if self.group.pool is not None and self.workers:
            threading.Thread(target=self._prestart, name="judge-prestart", daemon=True).start()
        for number in range(self.workers):
            thread = threading.Thread(target=self._work, args=(f"{self.name}/{number}",), name=f"judge-grader-{number}", daemon=True)
            thread.start()
            self._threads.append(thread)
        if self.workers:
            beat = threading.Thread(target=self._heartbeat, name="judge-heartbeat", daemon=True)
            beat.start()
            self._threads.append(beat)

    def _prestart(self) -> None:
        """Boot the warm workers every problem's gradings will take (most share one kind)."""
        assert self.group.pool is not None
        root = self.config.problems_dir
        for problem_file in sorted(root.glob("*/problem.yaml")) if root.is_dir() else []:
            if self._stop.is_set():
                return
            try:
                RunPlan.learner(load_problem(problem_file.parent.name, root), self.config).prestart(self.group.pool)
            except JudgeError as exc:  # a broken problem or no sandbox: its gradings will say so
                log.warning("no warm workers for %s: %s", problem_file.parent.name, exc)

    def wake(self) -> None:
        """A job was queued: a waiting worker takes it now rather than at its next poll."""
        self._wake.set()

    def halt(self) -> None:
        """Stop taking jobs and kill running gradings, without waiting (safe in a signal handler).

        The killed gradings store nothing: their jobs are graded again when a service starts.
        """
        self._stop.set()
        self._wake.set()
        self.group.abort()

    def stop(self, timeout: float = 10.0) -> None:
        """:meth:`halt`, then wait for the workers to end."""
        self.halt()
        for thread in self._threads:
            thread.join(timeout)

    def _heartbeat(self) -> None:
        while not self._stop.wait(self.lease_s / 3):
            for number in range(self.workers):
                try:
                    self.db.extend_leases(f"{self.name}/{number}", lease_s=self.lease_s)
                except Exception:  # noqa: BLE001 - a missed beat only shortens a lease
                    log.exception("heartbeat failed")

    def _work(self, worker: str) -> None:
        while not self._stop.is_set():
            try:
                job = self.db.claim(worker, lease_s=self.lease_s)
            except Exception:  # noqa: BLE001 - a busy or broken database: try again shortly
                log.exception("cannot claim a job")
                job = None
            if job is None:
                self._wake.wait(IDLE_POLL_S)
                self._wake.clear()
                continue
            with self._busy_lock:
                self.busy += 1
            try:
                self._grade(worker, job)
            finally:
                with self._busy_lock:
                    self.busy -= 1

    def _grade(self, worker: str, job: ClaimedJob) -> None:
        started = time.monotonic()
        identity = Job(b"", job.problem, user=job.user, name=job.name, submitted_at=job.submitted_at, sha256=job.sha256)
        if job.claims > MAX_CLAIMS:
            record = ResultRecord.fault(identity, f"grading was interrupted {job.claims - 1} times (the worker died)",
                                        attempts=job.claims, environment=package_versions())
        else:
            record = self._run(worker, job, identity)
        if self._stop.is_set() and self.group.aborted:
            return  # killed by stop(): not a result; the job is graded again after a restart
        if self.db.finish(job, worker, record):
            log.info("graded %s: %s in %.1fs", job.submission_id, record.verdict.value, time.monotonic() - started)
            if self.on_finished is not None:
                try:
                    self.on_finished(job, record)
                except Exception:  # noqa: BLE001 - metrics and webhooks never undo a stored result
                    log.exception("after-grading hook failed for %s", job.submission_id)

    def _run(self, worker: str, job: ClaimedJob, identity: Job) -> ResultRecord:
        try:
            source = self.db.source(job.sha256)
        except (OSError, JudgeError) as exc:
            return ResultRecord.fault(identity, f"the stored source cannot be read: {exc}", environment=package_versions())
        graded = Job(source, job.problem, user=job.user, name=job.name, submitted_at=job.submitted_at)
        try:
            if self.executor is not None:
                return self.executor.submit(run_job, graded, self.config, measure=True).result()

            def on_case(case: CaseResult) -> None:
                self.db.add_case_event(job.id, case.to_json())

            def on_retry(reason: str) -> None:
                self.db.restart_events(job.id, reason)

            return run_job(graded, self.config, measure=True, on_case=on_case, on_retry=on_retry, group=self.group)
        except JudgeError as exc:  # systemic (no sandbox, broken problem): the job fails, the service goes on
            log.error("cannot grade %s: %s", job.submission_id, exc)
            return ResultRecord.fault(identity, str(exc), environment=package_versions())
        except Exception as exc:  # noqa: BLE001 - a remote worker lost, a pickling error...
            log.exception("grading %s failed", job.submission_id)
            return ResultRecord.fault(identity, f"{type(exc).__name__}: {exc}", environment=package_versions())

"""Prometheus metrics of ``judge serve`` (``GET /metrics``): queue depth, workers, gradings, durations.

Each service has its own registry, so two services in one process (the tests) never mix counts.

Example:
    >>> import tempfile
    >>> from pathlib import Path
    >>> from judge.service.db import ServiceDB
    >>> body, _ = Metrics(ServiceDB(Path(tempfile.mkdtemp())), None).render()
    >>> b"judge_queue_depth 0.0" in body
    True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from ..record import ResultRecord
from .db import ServiceDB

if TYPE_CHECKING:
    from .queue import Graders

class Metrics:
    """The service's counters; :meth:`graded` is called once per stored result."""

    def __init__(self, db: ServiceDB, graders: Graders | None) -> None:
        self.registry = CollectorRegistry()
        queue = Gauge("judge_queue_depth", "Jobs queued or running", registry=self.registry)
        queue.set_function(lambda: float(db.queue_depth()))
        workers = Gauge("judge_workers", "Grading workers of this service", registry=self.registry)
        workers.set_function(lambda: float(graders.workers if graders else 0))
        busy = Gauge("judge_workers_busy", "Workers grading right now", registry=self.registry)
        busy.set_function(lambda: float(graders.busy if graders else 0))
        self.gradings = Counter("judge_gradings", "Gradings stored, by verdict", ["verdict"], registry=self.registry)
        self.duration = Histogram(
            "judge_grading_seconds", "Wall time of one grading", registry=self.registry,
            buckets=(0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300),
        )

    def graded(self, record: ResultRecord) -> None:
        self.gradings.labels(record.verdict.value).inc()
        if record.result.wall_s is not None:
            self.duration.observe(record.result.wall_s)

    def render(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_LATEST

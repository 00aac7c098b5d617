"""A :class:`~judge.record.Job` -> a :class:`~judge.record.ResultRecord`, under the judge's fault policy.

This is the one entry point every front end grades through. The fault policy:

- a bad submission is never an exception: it is a verdict (see :mod:`judge.grade`);
- a fault of the judge on one job (a worker that died before it started, an unexpected exception)
  is retried once, then recorded as ``internal_error`` with the reason; nothing is raised;
- a fault that would fail every job alike (no sandbox, no backend, a broken problem or config)
  is raised as the :class:`~judge.errors.JudgeError` it is, so the caller stops and says why.

The graded bytes are exactly the job's: they are written to a private folder and graded there.

Example:
    >>> from judge.config import load_config
    >>> job = read_job(Path("submissions/dave_syntax.py"), "conv1d")
    >>> job.user, job.name
    ('dave_syntax', 'submissions/dave_syntax.py')
    >>> record = run_job(job, load_config(None))
    >>> record.verdict, record.attempts, record.to_json()["submission"]
    (<Verdict.COMPILE_ERROR: 'compile_error'>, 1, 'submissions/dave_syntax.py')
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from pathlib import Path

from .config import Config
from .errors import BackendUnavailable, ConfigError, JudgeError, ProblemSpecError, SandboxUnavailable, SubmissionNotFound
from .expected import package_versions
from .grade import grade
from .problem import Problem, load_problem
from .record import Job, ResultRecord, iso_now
from .runner import RunGroup
from .safe_text import is_safe_name, visible
from .sandbox import SandboxPolicy
from .verdict import CaseResult, Verdict

log = logging.getLogger(__name__)

RETRIES = 1  # a judge fault is retried this many times before it is recorded
# Faults of the environment or of the problem: every job would fail the same way.
SYSTEMIC = (SandboxUnavailable, BackendUnavailable, ProblemSpecError, ConfigError)
MAX_MESSAGE_CHARS = 500  # of a fault's own message in the record


def read_job(path: Path, problem: str, *, user: str = "", name: str = "", submitted_at: str = "") -> Job:
    """A job for the file at ``path`` (read now: later changes to the file are not graded).

    The user defaults to the file's stem and the name to the path as given.
    """
    if not path.is_file():
        raise SubmissionNotFound("submission not found (or not a file)", file=path)
    return Job(path.read_bytes(), problem, user=user or path.stem, name=name or str(path), submitted_at=submitted_at or iso_now())


def run_job(
    job: Job,
    config: Config,
    *,
    problem: Problem | None = None,
    policy: SandboxPolicy | None = None,
    measure: bool = False,
    hints: bool = True,
    on_case: Callable[[CaseResult], None] | None = None,
    on_retry: Callable[[str], None] | None = None,
    group: RunGroup | None = None,
) -> ResultRecord:
    """Grade ``job`` into its record (see the module doc for what is retried, recorded or raised).

    ``problem`` saves loading ``job.problem`` again when the caller has it; ``measure`` adds a
    ranking time to an accepted result; ``on_case`` sees each case result as it is decided;
    ``on_retry`` is told (with the reason) before a retry, whose cases ``on_case`` then sees again;
    ``group`` lets the caller stop the job's workers. An aborted group's job is not retried.
    """
    problem = problem or load_problem(job.problem, config.problems_dir)
    attempt = 1
    while True:
        record = _attempt(job, problem, config, policy, measure, hints, on_case, group, attempt)
        if record.verdict is not Verdict.INTERNAL_ERROR or attempt > RETRIES or (group is not None and group.aborted):
            return record
        log.warning("internal error grading %s (%s); retrying", visible(job.name), visible(record.message))
        if on_retry is not None:
            on_retry(record.message)
        attempt += 1


def _attempt(
    job: Job,
    problem: Problem,
    config: Config,
    policy: SandboxPolicy | None,
    measure: bool,
    hints: bool,
    on_case: Callable[[CaseResult], None] | None,
    group: RunGroup | None,
    attempt: int,
) -> ResultRecord:
    started = iso_now()
    with tempfile.TemporaryDirectory(prefix="judge-job-") as tmp:
        # The file keeps its name (tracebacks show it) unless the name is unsafe to pass on.
        base = Path(job.name).name
        copy = Path(tmp) / (base if base.endswith(".py") and is_safe_name(base) else "submission.py")
        copy.write_bytes(job.source)
        try:
            result = grade(copy, problem, config, policy=policy, measure=measure, hints=hints, on_case=on_case, group=group)
        except SYSTEMIC:
            raise
        except JudgeError as exc:
            return ResultRecord.fault(job, str(exc)[:MAX_MESSAGE_CHARS], attempts=attempt, environment=package_versions())
        except Exception as exc:  # noqa: BLE001 - one bad grading never stops the judge
            log.exception("internal error grading %s", visible(job.name))
            message = f"{type(exc).__name__}: {exc}"[:MAX_MESSAGE_CHARS]
            return ResultRecord.fault(job, message, attempts=attempt, environment=package_versions())
    return ResultRecord.of(job, result, started_at=started, attempts=attempt)

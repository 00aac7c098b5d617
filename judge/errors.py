"""Errors the judge raises for problems of *its own inputs*.

A learner's bad submission is never an exception: it becomes a verdict. These errors are for
malformed problems, configs and command lines, and for an environment that cannot grade at all.
The CLI turns every :class:`JudgeError` into one clean line and exit status 2.

Example:
    >>> err = ProblemSpecError("kernel_size must be an integer", file="cases.yaml", line=12,
    ...                        field="kernel_size", case="long-seq")
    >>> str(err)
    "cases.yaml:12: case 'long-seq': field 'kernel_size': kernel_size must be an integer"
"""

from __future__ import annotations

from pathlib import Path


class JudgeError(Exception):
    """Base class: a problem with the judge's inputs or environment, reported as one line."""

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
        case: str | None = None,
    ) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.field = field
        self.case = case
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file + (f":{self.line}" if self.line else "") + ": "
        if self.case:
            where += f"case {self.case!r}: "
        if self.field:
            where += f"field {self.field!r}: "
        return where + self.message


class ConfigError(JudgeError):
    """config.yaml, a CLI flag or an environment variable holds an invalid value."""


class ProblemSpecError(JudgeError):
    """A problem folder (problem.yaml, cases.yaml, reference) is missing or malformed."""


class SubmissionNotFound(JudgeError):
    """The submission path given to the judge does not exist or is not a file."""


class SandboxUnavailable(JudgeError):
    """Isolation was required but cannot be set up on this machine."""


class BackendUnavailable(JudgeError):
    """The configured JAX backend (cpu/gpu/tpu) is not present."""


class ReferenceFailed(JudgeError):
    """The trusted reference crashed or misbehaved: the problem, not the learner, is at fault."""


class AuthoringError(JudgeError):
    """A request of an authoring command cannot be carried out (existing folder, bad flag...)."""

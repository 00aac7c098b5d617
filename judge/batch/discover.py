"""A folder of users' submissions -> the :class:`Submission` files to grade, and those refused.

The user is the first directory under the folder (``alice/attempt3.py`` is alice's), or the file's
stem for files directly in it. Symbolic links are never followed (a link could point the judge at
any file on the host), and files whose path cannot be shown safely (control characters, newlines,
bidi overrides, bytes that are not UTF-8) are refused: the path names the user and the submission
in every report and leaderboard.

Example:
    >>> found = scan(Path("submissions"))
    >>> [(s.user, s.relpath) for s in found.submissions][:2]
    [('alice_correct', 'alice_correct.py'), ('bob_flipped', 'bob_flipped.py')]
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import JudgeError
from ..record import Job
from ..safe_text import is_safe_name, visible

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Submission:
    """One file to grade: who submitted it, where, and its content hash."""

    user: str
    relpath: str
    path: Path
    sha256: str
    # When the judge first saw this (relpath, sha256), ISO 8601 UTC with microseconds: "earlier
    # submission" in the ranking. Deliberately NOT the file's mtime: the submitter sets that
    # (touch -d 2000-01-01). scan() gives the scan time; a batch replaces it with the time
    # recorded when this exact submission was first discovered.
    submitted_at: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.relpath, self.sha256)

    def job(self, problem: str) -> Job:
        """The job that grades exactly the bytes that were hashed; JudgeError if the file changed."""
        content = self.path.read_bytes()
        job = Job(content, problem, user=self.user, name=self.relpath, submitted_at=self.submitted_at)
        if job.sha256 != self.sha256:
            raise JudgeError("the file changed while the batch ran", file=self.path)
        return job


@dataclass(frozen=True)
class Scan:
    """What :func:`scan` found: the files to grade and those refused (shown escaped, with why)."""

    submissions: list[Submission]
    refused: list[str]


def discover(root: Path) -> list[Submission]:
    """All ``*.py`` under ``root``; the user is the first directory, or the stem for top-level files."""
    return scan(root).submissions


def scan(root: Path) -> Scan:
    """Like :func:`discover`, also listing the files refused (symbolic links, unsafe names)."""
    if not root.is_dir():
        raise JudgeError("submissions directory not found", file=root)
    root = root.resolve()
    seen_at = iso_us(time.time())  # one time per scan: files found together tie on it
    found: list[Submission] = []
    refused: list[str] = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if not path.is_file() or any(part.startswith(".") for part in rel.parts):
            continue
        reason = _refusal(path, rel.as_posix())
        if reason:
            # Shown escaped: the name itself may hold the terminal escapes it is refused for.
            log.warning("skipping %s: %s", visible(str(path)), reason)
            refused.append(f"{visible(rel.as_posix())}: {reason}")
            continue
        user = rel.parts[0] if len(rel.parts) > 1 else path.stem
        found.append(
            Submission(
                user=user,
                relpath=rel.as_posix(),
                path=path,
                sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
                submitted_at=seen_at,
            )
        )
    return Scan(found, refused)


def _refusal(path: Path, relpath: str) -> str:
    """Why ``path`` is not graded, or "" when it is."""
    if path.is_symlink():
        # A link could point the judge (often root) at any file on the host: never follow one.
        return "symbolic links are not graded"
    if not is_safe_name(relpath):
        # The path names the user and the submission in every report and leaderboard; a newline
        # or an escape sequence in it could forge rows or drive a terminal there.
        return "the path has control, bidi or non-UTF-8 characters; rename it to grade it"
    return ""


def iso_us(timestamp: float) -> str:
    """ISO 8601 UTC with microseconds, so that two scans within one second still order."""
    return dt.datetime.fromtimestamp(timestamp, dt.timezone.utc).isoformat(timespec="microseconds")

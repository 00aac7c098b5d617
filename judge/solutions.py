"""A problem's known solutions: the files of ``solutions/accepted/`` and ``solutions/wrong/``.

Each file declares, on its first line, the verdict it must get (``# expect: wrong_answer``) and,
for a wrong solution, on its second line the hint a learner who makes the same mistake should read
(``# hint: ...``). The golden tests grade every file and check its declared verdict;
:mod:`judge.hints` turns the wrong answers and runtime errors into feedback.

Example:
    >>> read_header(Path("problems/conv1d/solutions/wrong/valid_padding.py")).expect
    <Verdict.WRONG_ANSWER: 'wrong_answer'>
    >>> from judge.problem import load_problem
    >>> [p.name for p in load_pitfalls(load_problem("problems/conv1d"))][:2]
    ['bias_before_kernel', 'channel_major_flatten']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .problem import Problem
from .verdict import Verdict

EXPECT_LINE = re.compile(r"^#\s*expect:\s*([a-z_]+)\s*$")
HINT_LINE = re.compile(r"^#\s*hint:\s*(.*?)\s*$")


@dataclass(frozen=True)
class Pitfall:
    """A file of ``solutions/wrong/`` (or ``accepted/``): its declared verdict and hint."""

    path: Path
    expect: Verdict | None  # None when the first line is missing or malformed
    hint: str = ""
    header_error: str = ""

    @property
    def name(self) -> str:
        return self.path.stem


def read_header(path: Path) -> Pitfall:
    """Parse ``# expect: <verdict>`` (line 1) and ``# hint: <text>`` (line 2) of a solution file.

    Example:
        >>> read_header(Path("problems/conv1d/solutions/wrong/flipped_kernel.py")).hint[:40]
        'Neural-network "convolution" is a cross-'

    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        return Pitfall(path, None, header_error=f"cannot read: {exc}")
    match = EXPECT_LINE.match(lines[0]) if lines else None
    if not match:
        return Pitfall(path, None, header_error="line 1 must be '# expect: <verdict>'")
    try:
        verdict = Verdict.parse(match.group(1))
    except ValueError as exc:
        return Pitfall(path, None, header_error=f"line 1: {exc}")
    hint_match = HINT_LINE.match(lines[1]) if len(lines) > 1 else None
    hint = hint_match.group(1) if hint_match else ""
    return Pitfall(path, verdict, "" if hint == "-" else hint)


def solution_files(problem: Problem, kind: str) -> list[Path]:
    """The ``*.py`` files of ``solutions/<kind>/`` in name order (kind: accepted | wrong)."""
    folder = problem.solutions_dir / kind
    return sorted(p for p in folder.glob("*.py") if p.is_file()) if folder.is_dir() else []


PITFALL_VERDICTS = (Verdict.WRONG_ANSWER, Verdict.RUNTIME_ERROR)


def load_pitfalls(problem: Problem) -> tuple[Pitfall, ...]:
    """The wrong solutions that can teach: declared ``wrong_answer`` or ``runtime_error``, with a hint.

    A wrong answer teaches by its output (a learner's output that matches it), a runtime error by
    the class of the exception it raises (see :mod:`judge.hints`).
    """
    pitfalls = (read_header(p) for p in solution_files(problem, "wrong"))
    return tuple(p for p in pitfalls if p.expect in PITFALL_VERDICTS and p.hint)

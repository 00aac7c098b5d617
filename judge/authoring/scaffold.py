"""``judge new``: a new problem folder with every file the judge expects, as a working example."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..errors import AuthoringError
from ..problem import ID_PATTERN


def scaffold(problem_id: str, problems_dir: Path) -> Path:
    """Create ``problems_dir/problem_id/`` with every file the judge expects; return its path.

    The files form a small working example (a dense layer) with ``TODO(author)`` notes that
    ``judge check`` refuses until they are gone. Never overwrites anything.

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     root = scaffold("my-layer", Path(tmp) / "problems")
        ...     root.name, (root / "solutions" / "wrong" / "example_wrong.py").is_file()
        ('my-layer', True)
    """
    if not ID_PATTERN.match(problem_id):
        raise AuthoringError(
            f"invalid problem id {problem_id!r}: use lowercase letters, digits, '-' or '_', starting with a letter or digit"
        )
    root = problems_dir / problem_id
    if root.exists():
        raise AuthoringError(f"{root} already exists; refusing to overwrite it (pick another id or remove it)")
    from . import scaffold_files

    files = scaffold_files.files(problem_id)
    problems_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".new-{problem_id}-", dir=problems_dir))
    try:
        for rel, text in files.items():
            path = staging / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        os.rename(staging, root)  # atomic: a half-written problem never appears
    except BaseException:
        import shutil

        shutil.rmtree(staging, ignore_errors=True)
        raise
    return root

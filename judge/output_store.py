"""A directory of outputs (arrays, or trees of them) keyed by content hash: the on-disk cache of trusted outputs.

Expected outputs (:mod:`judge.expected`) and the outputs of known wrong solutions
(:mod:`judge.hints`) are stored here. Every entry has a checksum beside it; an entry whose
checksum does not match is reported as absent (and so rebuilt), never trusted. Writes are atomic,
and :meth:`OutputStore.lock` serialises filling across processes and machines sharing the folder.

Example:
    >>> import tempfile
    >>> store = OutputStore(Path(tempfile.mkdtemp()))
    >>> import numpy as np
    >>> store.save("ab12", OutputTree.of(np.arange(3, dtype=np.float32)))
    >>> store.load("ab12").single, store.load("cd34")
    (array([0., 1., 2.], dtype=float32), None)
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .output_tree import OutputTree, TreeError

log = logging.getLogger(__name__)


class OutputStore:
    """A directory of ``<key>.npy`` files, each with a ``<key>.sha256`` checksum beside it.

    A single array is stored as a plain ``.npy`` file; a tree in :meth:`OutputTree.to_bytes`'s form.
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    @contextlib.contextmanager
    def lock(self, name: str) -> Iterator[None]:
        """An exclusive lock on ``name`` in this store, held across processes (``flock``).

        A store that cannot hold a lock file (unwritable, or not a directory) is not locked:
        the cache is an optimisation, so grading goes on and at worst computes twice.
        """
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            handle = open(self.root / f".lock-{name}", "a")  # closed by the with-block below
        except OSError as exc:
            log.warning("cannot lock cache %s (%s); going on without the lock", self.root, exc)
            yield
            return
        with handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def _paths(self, key: str) -> tuple[Path, Path]:
        folder = self.root / key[:2]
        return folder / f"{key}.npy", folder / f"{key}.sha256"

    def load(self, key: str) -> OutputTree | None:
        data_path, sum_path = self._paths(key)
        try:
            blob = data_path.read_bytes()
            if hashlib.sha256(blob).hexdigest() != sum_path.read_text().strip():
                log.warning("expected-output cache entry %s is corrupt; rebuilding it", data_path)
                return None
            return OutputTree.from_bytes(blob)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TreeError) as exc:
            log.warning("expected-output cache entry %s unreadable (%s); rebuilding it", data_path, exc)
            return None

    def save(self, key: str, value: OutputTree) -> None:
        data_path, sum_path = self._paths(key)
        blob = value.to_bytes()
        try:
            data_path.parent.mkdir(parents=True, exist_ok=True)
            _atomic_write(data_path, blob)
            _atomic_write(sum_path, hashlib.sha256(blob).hexdigest().encode())
        except OSError as exc:
            log.warning("cannot write expected-output cache %s: %s", data_path, exc)


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise

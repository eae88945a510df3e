"""File locks that let one writer at a time change a store, and readers see one version.

Two locks per store, each a file beside the store's folder (the folder itself
is replaced by a rename on every write, so a lock inside it would not hold):

* the **write lock**, exclusive, held by a writer for its whole
  read-merge-write, so a second ``reelgraph load`` waits and then merges onto
  what the first wrote instead of overwriting it (two concurrent loads used to
  lose one source);
* the **swap lock**, held shared by readers while they read the tables and
  exclusively by a writer only for the renames that swap the new folder in,
  so a reader never mixes the old films with the new credits, and readers
  wait milliseconds, not for a whole load.

``fcntl.flock`` locks belong to an open file, so they vanish with a killed
process (no stale lock to clean).  Within one process the locks are
re-entrant (a ``cluster`` that holds the write lock calls ``write``, which
takes it again).  Where ``fcntl`` is missing (Windows) locking is skipped.
"""

from __future__ import annotations

import logging
import os
import threading
from contextlib import contextmanager
from pathlib import Path

from reelgraph.errors import StoreError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

__all__ = ["store_lock"]

log = logging.getLogger(__name__)

# lock file -> [fd, depth, mode]: re-entrancy within this process.
_held: dict[str, list] = {}
_guard = threading.RLock()


def _lock_file(store: Path, name: str) -> Path:
    return store.parent / f".{store.name}.{name}.lock"


@contextmanager
def store_lock(store: Path, name: str, *, shared: bool = False, waiting_message: str | None = None,
               wait: bool = True):
    """Hold lock ``name`` ("write" or "swap") of the store folder ``store``.

    ``waiting_message`` is logged once (a warning) when another process
    holds the lock, before waiting for it.  With ``wait=False`` a lock held
    by another process is a :class:`~reelgraph.errors.StoreError` at once.
    """
    if fcntl is None:
        yield
        return
    path = str(_lock_file(Path(store), name))
    with _guard:
        entry = _held.get(path)
        if entry is not None and (shared or entry[2] == "exclusive"):
            entry[1] += 1  # held already by this process, strongly enough
        else:
            entry = None
    if entry is not None:
        try:
            yield
        finally:
            with _guard:
                entry[1] -= 1
        return
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
    try:
        try:
            fcntl.flock(fd, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                raise StoreError(f"{store}: another reelgraph is writing to this store; not waiting (--no-wait)") from None
            if waiting_message:
                log.warning(waiting_message)
            fcntl.flock(fd, mode)
    except BaseException:
        os.close(fd)
        raise
    entry = [fd, 1, "shared" if shared else "exclusive"]
    with _guard:
        _held[path] = entry
    try:
        yield
    finally:
        with _guard:
            entry[1] -= 1
            if entry[1] == 0:
                _held.pop(path, None)
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)

"""Make written files and renames survive a crash: ``fsync`` of files, folders and trees; and files shared by link.

A rename is atomic, but without ``fsync`` a machine that stops right after it
may come back with the new name pointing at files whose data never reached
the disk (empty or short Parquet files).  A new version of a store or of its
graph index is therefore synced, files and folders, before the rename that
makes it current, and the folder holding the renamed entries after it.

Written here because the standard library has ``os.fsync`` but no tree-wide
form of it.  A version's files are never changed in place once written, so
a new version shares the unchanged ones with the old by hard links (:func:`link`).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

__all__ = ["link", "sync_folder_entries", "sync_tree"]


def link(source: Path, target: Path) -> None:
    """``target`` as a second name of ``source`` (a copy on a file system without hard links).

    Files are never changed in place once written, so two names may share one
    (the graph index's credit arrays grow in place, but only while they have
    one name: :meth:`reelgraph.graph_index._IndexWriter.extend`).
    """
    try:
        os.link(source, target)
    except OSError:  # a file system without hard links
        shutil.copy2(source, target)


def sync_tree(folder: Path) -> None:
    """``fsync`` every file under ``folder`` and every folder in it, ``folder`` included.

    Files already on disk (hard links to an earlier version's files) cost
    almost nothing: only dirty pages are written.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> (folder / "part").mkdir()
    >>> _ = (folder / "part" / "films.parquet").write_bytes(b"PAR1")
    >>> sync_tree(folder)
    """
    for parent, _, files in os.walk(folder):
        for name in files:
            descriptor = os.open(os.path.join(parent, name), os.O_RDONLY)
            try:
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
        sync_folder_entries(Path(parent))


def sync_folder_entries(folder: Path) -> None:
    """``fsync`` the folder itself: its entries (names created, renamed or removed) reach the disk."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    except OSError:  # pragma: no cover - file systems that cannot sync a folder (some network mounts)
        pass
    finally:
        os.close(descriptor)

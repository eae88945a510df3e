"""A source's label keys: each film's or person's slug hash and whether its id is IMDb's, kept beside its tables.

Merging resolves a derived key (``name:carey-mulligan``, a person a saved
page names without an IMDb id) to the IMDb id whose name has the same slug,
so a load of a page asks every stored source which of its rows have a
derived id and which have a label with a wanted slug
(``reelgraph.store._resolution_maps``).  For the whole IMDb's source that is
29M ids and labels read and hashed at every page, about 4 s.  What a row
gives for it depends on that row alone, and a source's folder is never
changed once written (a source loaded again gets a new folder), so it is
worked out once, at the first load that needs it, and written beside the
source's table (``parts/<source>/films.labels.arrow``): a hash and flags a
row, memory-mapped by the later loads.  It is trusted only while the
table's files are those it was made from (names, sizes and modification
times: hard links keep them) and it has a row for each of their rows.

Examples
--------
>>> keys = pa.table({"id": ["nm0000001", "name:zoe-kravitz", "nm0000002"], "name": ["Zoë Kravitz", "Zoe Kravitz", None]})
>>> label_keys = LabelKeys.of(keys, "people")
>>> label_keys.derived().tolist()
[False, True, False]
>>> label_keys.candidates({"zoe-kravitz"}).tolist()
[True, True, False]
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pyarrow as pa

from reelgraph._imdb_ids import imdb_id_mask
from reelgraph._parquet_table import ParquetTable, table_paths
from reelgraph._slugs import hashes_wanted, slug_hashes
from reelgraph.model import IMDB_FILM_PREFIX, IMDB_PERSON_PREFIX

__all__ = ["LABEL_COLUMN", "LabelKeys", "is_imdb_id"]

log = logging.getLogger(__name__)

#: The column whose slug resolves a derived key, per table.
LABEL_COLUMN = {"films": "title", "people": "name"}
_PREFIX = {"films": IMDB_FILM_PREFIX, "people": IMDB_PERSON_PREFIX}
_IMDB, _UNDECIDED, _NULL = 1, 2, 4  # flag bits
_FORMAT = 1


class LabelKeys:
    """Per row of a films or people table: its label's slug hash (:func:`reelgraph._slugs.slug_hashes`) and flags."""

    def __init__(self, hashes: np.ndarray, flags: np.ndarray):
        self.hashes, self.flags = hashes, flags

    def __len__(self) -> int:
        return len(self.hashes)

    @classmethod
    def of(cls, keys: pa.Table, table: str) -> "LabelKeys":
        """Worked out from a table's ``id`` and label columns (Arrow)."""
        hashes, undecided, valid = slug_hashes(keys[LABEL_COLUMN[table]])
        flags = (is_imdb_id(keys["id"], table) * _IMDB + undecided * _UNDECIDED
                 + ~valid * _NULL).astype(np.uint8)
        return cls(hashes, flags)

    def derived(self) -> np.ndarray:
        """Rows whose id is not an IMDb id (a null id counts as derived, as merge_graphs tells them)."""
        return (self.flags & _IMDB) == 0

    def candidates(self, slugs: set) -> np.ndarray:
        """Rows whose label may have one of ``slugs``: its hash is wanted, or cannot tell; check them with slugify."""
        labelled = (self.flags & _NULL) == 0
        return labelled & (((self.flags & _UNDECIDED) != 0) | hashes_wanted(self.hashes, slugs))

    @classmethod
    def read(cls, folder: Path, table: str) -> "LabelKeys | None":
        """The label keys stored beside ``table`` in ``folder``, or None when missing or not made from its files."""
        from reelgraph.graph_index import _one_array
        path = _path(folder, table)
        try:
            reader = pa.ipc.open_file(pa.memory_map(str(path)))
            stored = json.loads(reader.schema.metadata[b"reelgraph"])
            if stored != {"format": _FORMAT, "files": _fingerprint(folder, table)}:
                log.debug("%s: made from other files than the table's; worked out again", path)
                return None
            arrow = reader.read_all()
            if arrow.num_rows != ParquetTable(folder, table).num_rows:
                log.debug("%s: not a row for each of the table's rows; worked out again", path)
                return None
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, pa.ArrowException) as exc:  # damaged: never trusted
            log.debug("%s: unreadable (%s); worked out again", path, exc)
            return None
        # (mapped, not copied: the datasets' 29M keys are 260 MB that every page of the whole IMDb reads)
        hashes, flags = (_one_array(arrow.column(name)).to_numpy() for name in ("hash", "flags"))
        return cls(hashes, flags)

    def write(self, folder: Path, table: str, made_from: Path) -> None:
        """Store beside ``table`` in ``folder``, as made from the files of ``table`` in ``made_from`` (their links)."""
        metadata = {"reelgraph": json.dumps({"format": _FORMAT, "files": _fingerprint(made_from, table)})}
        arrow = pa.table({"hash": self.hashes, "flags": self.flags}).replace_schema_metadata(metadata)
        path = _path(folder, table)
        path.unlink(missing_ok=True)  # a stale one linked from the store's version: never written through
        with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, arrow.schema) as writer:
            writer.write_table(arrow)


def is_imdb_id(ids: pa.ChunkedArray, table: str) -> np.ndarray:
    """Which ``ids`` of ``films`` (or ``people``) are IMDb ids, as merge_graphs tells them from derived keys."""
    return imdb_id_mask(ids, _PREFIX[table])


def _path(folder: Path, table: str) -> Path:
    return Path(folder) / f"{table}.labels.arrow"


def _fingerprint(folder: Path, table: str) -> list:
    """Name, size and modification time of each file of ``table`` in ``folder``."""
    return [[path.name, stat.st_size, stat.st_mtime_ns]
            for path in table_paths(folder, table) for stat in [path.stat()]]

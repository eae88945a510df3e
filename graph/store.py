"""The local store: the canonical tables on disk, as Parquet, read by every command.

With no Neo4j configured, this is where ``reelgraph load`` puts the graph.  A
store is a folder holding ``films.parquet``, ``people.parquet``,
``credits.parquet``, ``similar.parquet`` and ``manifest.json`` (counts and the
sources loaded).  Its location is, in order: the ``--store`` option, the
environment variable ``REELGRAPH_STORE``, or :data:`DEFAULT_STORE`.

Writes are atomic: the new tables go to a sibling folder that replaces the old
one only when complete, so a failed load never leaves a half-written store.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from graph.errors import StoreError
from graph.model import FilmGraph, merge_graphs

__all__ = ["DEFAULT_STORE", "LocalStore", "store_path"]

#: Where the store lives when neither ``--store`` nor ``REELGRAPH_STORE`` says.
DEFAULT_STORE = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "reelgraph" / "store"


def store_path(path=None) -> Path:
    """The store folder: ``path``, else ``$REELGRAPH_STORE``, else :data:`DEFAULT_STORE`."""
    return Path(path or os.environ.get("REELGRAPH_STORE") or DEFAULT_STORE).expanduser()


class LocalStore:
    """The canonical tables of one graph, kept as Parquet files in a folder.

    Examples
    --------
    >>> import tempfile
    >>> store = LocalStore(tempfile.mkdtemp())
    >>> store.exists()
    False
    >>> store.write(FilmGraph.from_records(films=[{"id": "tt1334260", "title": "Never Let Me Go"}]))
    >>> store.read().counts()["films"]
    1
    """

    def __init__(self, path=None):
        self.path = store_path(path)

    def __repr__(self):
        return f"LocalStore({str(self.path)!r})"

    def exists(self) -> bool:
        return (self.path / "manifest.json").is_file()

    def manifest(self) -> dict:
        if not self.exists():
            return {}
        return json.loads((self.path / "manifest.json").read_text())

    def read(self) -> FilmGraph:
        """The stored graph; :class:`StoreError` if there is none yet."""
        if not self.exists():
            raise StoreError(f"{self.path}: no graph stored here yet; run 'reelgraph load SOURCE' or 'reelgraph demo'")
        try:
            frames = {name: pd.read_parquet(self.path / f"{name}.parquet") for name in FilmGraph.TABLES}
        except (OSError, ValueError) as exc:
            raise StoreError(f"{self.path}: the store is damaged ({exc}); load your sources again") from None
        for df in frames.values():
            for column in df.columns:
                if df[column].dtype == object and len(df) and hasattr(df[column].iloc[0], "tolist"):
                    df[column] = [list(v) if v is not None else [] for v in df[column]]
        return FilmGraph(**frames)

    def write(self, graph: FilmGraph, sources=()) -> None:
        """Replace the stored graph with ``graph``, atomically."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{self.path.name}.new-", dir=self.path.parent))
        try:
            for name, df in graph.tables().items():
                df.to_parquet(staging / f"{name}.parquet", index=False)
            previous = self.manifest().get("sources", [])
            manifest = {
                "written": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "counts": graph.counts(),
                "sources": list(dict.fromkeys([*previous, *map(str, sources)])),
            }
            (staging / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
            old = None
            if self.path.exists():
                old = self.path.with_name(f".{self.path.name}.old-{os.getpid()}")
                self.path.rename(old)
            staging.rename(self.path)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise

    def merge(self, graph: FilmGraph, sources=()) -> FilmGraph:
        """Merge ``graph`` into what is stored, write the result and return it."""
        merged = merge_graphs(self.read(), graph) if self.exists() else merge_graphs(graph)
        self.write(merged, sources)
        return merged

    def clear(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)

"""DuckDB, set up once for reelgraph's out-of-core work (whole-IMDb loads, change reports).

Why DuckDB: it reads and writes Parquet, joins and groups tables larger than
memory by spilling to disk under a memory limit it keeps, and uses every
core; benchmarks/README.md ("Out-of-core engines") has the measurements
that chose it over Polars and over pandas.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

__all__ = ["DEFAULT_MEMORY_LIMIT", "connect", "sql_literal"]


def sql_literal(text) -> str:
    """``text`` (or a path) as a SQL string literal, for what DuckDB takes no parameter for (file names in a FROM)."""
    return "'" + os.fspath(text).replace("'", "''") + "'"

#: DuckDB's memory limit for reelgraph's work, unless ``REELGRAPH_DUCKDB_MEMORY`` says (e.g. ``"2GB"``): it
#: leaves room under issue #13's 6 GB for what Python holds beside it.
DEFAULT_MEMORY_LIMIT = "3GB"


@contextmanager
def connect(*, temp_directory=None, memory_limit: str | None = None):
    """An in-memory DuckDB connection with reelgraph's settings, closed on exit.

    Parameters
    ----------
    temp_directory : path, optional
        Where DuckDB spills what does not fit (a fresh folder is made inside
        it and removed after); default: the system's temporary folder.
    memory_limit : str, optional
        Default :data:`DEFAULT_MEMORY_LIMIT` or ``$REELGRAPH_DUCKDB_MEMORY``.

    Examples
    --------
    >>> with connect() as db:
    ...     db.execute("SELECT 40 + 2").fetchone()
    (42,)
    """
    import duckdb  # only loads and reports use it: commands do not pay for importing it

    limit = memory_limit or os.environ.get("REELGRAPH_DUCKDB_MEMORY") or DEFAULT_MEMORY_LIMIT
    with tempfile.TemporaryDirectory(prefix=".reelgraph-duckdb-", dir=temp_directory) as spill:
        db = duckdb.connect(config={"memory_limit": limit, "temp_directory": str(Path(spill)),
                                    "preserve_insertion_order": False, "threads": os.cpu_count() or 1})
        _quiet_progress_bar(db)
        try:
            yield db
        except duckdb.OutOfMemoryException as error:  # a traceback of DuckDB's would not say what to change
            from reelgraph.errors import TooBigError

            raise TooBigError(f"DuckDB's work outgrew its memory limit ({limit}): set REELGRAPH_DUCKDB_MEMORY "
                              "higher (e.g. 6GB) if the machine has that much free") from error
        finally:
            db.close()


def _quiet_progress_bar(db) -> None:
    """Turn DuckDB's own progress bar off: reelgraph's bars say what runs.

    In Jupyter DuckDB starts with it off and refuses to change the setting
    without ipywidgets, so it is only changed where it is on.
    """
    if db.execute("SELECT current_setting('enable_progress_bar')").fetchall()[0][0]:
        db.execute("SET enable_progress_bar = false")

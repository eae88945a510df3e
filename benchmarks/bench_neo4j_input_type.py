#!/usr/bin/env python
"""Benchmark: the import tool reading CSV (what reelgraph writes) against Parquet, on the same tables.

Neo4j 5.26's ``neo4j-admin database import full`` also reads Parquet
(``--input-type=parquet``, a public beta since 5.25). Parquet would spare the
CSV quoting, the array delimiter and the slower multi-line parser, so this
measures whether the import itself gets faster. Each round writes the import
files from the same canonical tables with DuckDB
(:func:`reelgraph.neo4j.bulk.write_import_files_from_parquet`; for Parquet the
same rows and columns, named by their typed headers, lists as lists) and runs
the import tool into a home of its own (stopped). The two input types take turns.

Usage (heavy: run it alone)::

    python benchmarks/bench_neo4j_input_type.py --tables STORE --home /tmp/neo4j-input --rounds 2

Writes ``benchmarks/results/neo4j_input_type.json`` (``--out`` to change).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import sys
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from reelgraph._duckdb import sql_literal  # noqa: E402
from reelgraph.neo4j import bulk, server  # noqa: E402
from reelgraph.store import TableFiles  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
_csv_field = bulk._sql_field  # the CSV route's field SQL, which the Parquet one extends


def _parquet_field(kind: str, column: str, delimiter: str) -> str:
    """As bulk._sql_field, but a list stays a list (an empty one or one with a null item still missing)."""
    if kind in ("string[]", "long[]"):
        items = f"CAST({column} AS {'VARCHAR[]' if kind == 'string[]' else 'BIGINT[]'})"
        return f"CASE WHEN len({items}) > 0 AND list_count({items}) = len({items}) THEN {items} END"
    return _csv_field(kind, column, delimiter)


def _copy_parquet(db, folder, name, headers, fields, quoted, query_tail):
    """As bulk._copy_csv, into one Parquet file whose column names are the typed headers."""
    path = folder / (name.removesuffix(".csv") + ".parquet")
    select = ", ".join(f'{field} AS "{header}"' for field, header in zip(fields, headers))
    rows = db.execute(f"COPY (SELECT {select} {query_tail}) TO {sql_literal(str(path))} (FORMAT parquet)").fetchone()[0]
    return [path], int(rows)



def one_round(tables: Path, home: Path, input_type: str) -> dict:
    folder = home / "import" / f"bench-{input_type}"
    shutil.rmtree(folder, ignore_errors=True)
    patches = []
    if input_type == "parquet":
        patches = [mock.patch.object(bulk, "_sql_field", _parquet_field),
                   mock.patch.object(bulk, "_copy_csv", _copy_parquet),
                   mock.patch.object(bulk, "_import_args", lambda delimiter, multiline: [
                       "--id-type=integer", "--input-type=parquet"])]
    for patch in patches:
        patch.start()
    try:
        began = time.monotonic()
        files = bulk.write_import_files_from_parquet(TableFiles(tables), folder)
        write = time.monotonic() - began
    finally:
        for patch in patches:
            patch.stop()
    size = sum(p.stat().st_size for p in folder.iterdir())
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.monotonic()
    run = server.bulk_import(files.nodes, files.relationships, home=home, overwrite=True, heap="2g",
                             extra_args=[*files.extra_args, f"--max-off-heap-memory={bulk.IMPORT_OFF_HEAP}"])
    seconds = time.monotonic() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    shutil.rmtree(folder, ignore_errors=True)
    imported = run.stdout.rsplit("Imported:", 1)[-1].split("Peak memory")[0].split()
    return {"input_type": input_type, "write_seconds": round(write, 1), "import_seconds": round(seconds, 1),
            "import_cpu_seconds": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 1),
            "files_gb": round(size / 1e9, 2), "imported": " ".join(imported),
            "load": [round(x, 2) for x in os.getloadavg()]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=Path, required=True, help="canonical tables (a store's folder)")
    parser.add_argument("--home", type=Path, required=True, help="a Neo4j home of the benchmark's own")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", type=Path, default=RESULTS / "neo4j_input_type.json")
    args = parser.parse_args()
    server.install(args.home)
    load_before = [round(x, 2) for x in os.getloadavg()]
    runs = []
    for _ in range(args.rounds):
        for input_type in ("csv", "parquet"):
            runs.append(one_round(args.tables, args.home, input_type))
            print(json.dumps(runs[-1]), flush=True)
    median = {t: sorted(r["import_seconds"] for r in runs if r["input_type"] == t)[args.rounds // 2]
              for t in ("csv", "parquet")}
    report = {"benchmark": "benchmarks/bench_neo4j_input_type.py", "when": time.strftime("%Y-%m-%d %H:%M:%S"),
              "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load_before": load_before},
              "tables": str(args.tables), "neo4j": server.NEO4J_VERSION, "runs": runs,
              "import_seconds_upper_median": median,
              "parquet_over_csv": round(median["parquet"] / median["csv"], 2)}
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(f"import: csv {median['csv']} s, parquet {median['parquet']} s -> {args.out}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python
"""Benchmark: the whole IMDb into the managed Neo4j through the import tool, from Parquet (a script, not a test).

One run takes a folder of canonical Parquet tables (a store, or the tables a
whole-IMDb load writes: :class:`reelgraph.store.TableFiles`) and fills the
empty database of a managed Neo4j home with
:func:`reelgraph.neo4j.bulk.bulk_load`, the path ``reelgraph load`` takes
for a first load over 1.5M relationships:

1. the import CSV files written from the Parquet files by DuckDB
   (:func:`reelgraph.neo4j.bulk.write_import_files_from_parquet`), beside
   the server stopping;
2. ``neo4j-admin database import full`` (``--import-heap``,
   ``--import-off-heap``);
3. the server started again (``--heap``, ``--pagecache``);
4. the schema: uniqueness constraints, range and full-text indexes, awaited.

It records each step's wall time, relationships per second (import alone
and end to end), the peak resident memory of this process (DuckDB runs in
it), of the import tool and of the server (sampled from /proc every 0.2 s;
this process's own peak also from getrusage), the CSV files' size and the
database's size on disk, with the load average before and after.

A database that holds data is emptied first by importing nothing (stop,
empty import, start): deleting a hundred million relationships by Cypher
would take longer than the load.

Usage (heavy: run it alone, e.g. under ``flock /tmp/reelgraph-bench.lock``)::

    python benchmarks/bench_neo4j_whole.py --tables /tmp/imdb-tables --home /tmp/neo4j-whole \\
        --bolt-port 7697 --http-port 7484

Writes ``benchmarks/results/neo4j_whole.json`` (``--out`` to change) and
prints a summary.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from reelgraph.neo4j import server as neo4j_server  # noqa: E402
from reelgraph.neo4j.bulk import _database_size, bulk_load  # noqa: E402
from reelgraph.store import TableFiles  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
#: Issue #13: the whole IMDb into Neo4j in at most 15 minutes end to end.
TARGET_SECONDS = 15 * 60


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def disk_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


class PeakMemory:
    """Peak RSS of this process, the import tool and the server, sampled from /proc while it runs."""

    ROLES = {"import_tool": "AdminTool", "server": "CommunityEntryPoint"}

    def __init__(self, interval: float = 0.2):
        self.interval = interval
        self.peaks = {"this_process": 0, "import_tool": 0, "server": 0}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _rss(pid: str) -> int:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        return 0

    def _sample(self) -> None:
        me = str(os.getpid())
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                if pid == me:
                    role = "this_process"
                else:
                    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
                    if self.home not in cmdline:
                        continue
                    role = next((r for r, mark in self.ROLES.items() if mark.encode() in cmdline), None)
                    if role is None:
                        continue
                self.peaks[role] = max(self.peaks[role], self._rss(pid))
            except (OSError, ValueError):
                continue  # the process ended between listing and reading

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def __call__(self, home: Path) -> "PeakMemory":
        self.home = str(home).encode()
        return self

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        self.peaks["this_process"] = max(self.peaks["this_process"], own)


def ensure_server(args) -> Path:
    """The home's server running with the benchmark's heap and page cache (restarted if they differ)."""
    home = Path(args.home)
    status = neo4j_server.status(home) if (home / "conf" / "neo4j.conf").is_file() else {"running": False}
    if status["running"]:
        conf = neo4j_server._read_conf(home)
        if (conf.get("server.memory.heap.max_size"), conf.get("server.memory.pagecache.size")) == (args.heap,
                                                                                                  args.pagecache):
            return home
        neo4j_server.stop(home)
    neo4j_server.start(home, bolt_port=args.bolt_port, http_port=args.http_port, heap=args.heap,
                       pagecache=args.pagecache, timeout=600)
    return home


def empty_database(home: Path) -> None:
    """Replace the database with an empty one: stop, import nothing, start (as bulk_load does after a failure)."""
    if _database_size(neo4j_server.connection_settings(home)) == (0, 0):
        return
    conf = neo4j_server._read_conf(home)
    bolt, http = neo4j_server._ports(home)
    neo4j_server.stop(home)
    empty = home / "import" / "empty.csv"
    empty.parent.mkdir(parents=True, exist_ok=True)
    empty.write_text("id:ID(Film)\n")
    neo4j_server.bulk_import([("Film", [empty])], home=home, database="neo4j", overwrite=True)
    neo4j_server.start(home, bolt_port=bolt, http_port=http, heap=conf["server.memory.heap.max_size"],
                       pagecache=conf["server.memory.pagecache.size"], timeout=600)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--tables", required=True, help="folder of the films, people, credits and similar tables (a store)")
    parser.add_argument("--home", required=True, help="managed Neo4j home (its database is replaced)")
    parser.add_argument("--bolt-port", type=int, default=7697)
    parser.add_argument("--http-port", type=int, default=7484)
    parser.add_argument("--heap", default="4g", help="server heap (schema creation runs in it)")
    parser.add_argument("--pagecache", default="4g", help="server page cache")
    parser.add_argument("--import-heap", default="2g")
    parser.add_argument("--import-off-heap", default="3g", help="import tool's --max-off-heap-memory")
    parser.add_argument("--duckdb-memory", default=None, help="REELGRAPH_DUCKDB_MEMORY for the CSV writing")
    parser.add_argument("--out", default=str(RESULTS / "neo4j_whole.json"))
    parser.add_argument("--note", default="", help="free text stored with the result")
    args = parser.parse_args(argv)
    if args.duckdb_memory:
        os.environ["REELGRAPH_DUCKDB_MEMORY"] = args.duckdb_memory
    from reelgraph._duckdb import DEFAULT_MEMORY_LIMIT

    tables = TableFiles(args.tables)
    counts = tables.counts()
    print(f"tables {args.tables}: {counts}", flush=True)
    home = ensure_server(args)
    empty_database(home)
    load_before = loadavg()
    began = time.monotonic()
    with PeakMemory()(home) as memory:
        result = bulk_load(tables, home, progress=True, import_heap=args.import_heap,
                           import_off_heap=args.import_off_heap, keep_files=True)
    total = time.monotonic() - began
    load_after = loadavg()
    files = Path(result.pop("files"))
    csv_bytes = disk_bytes(files)
    shutil.rmtree(files, ignore_errors=True)
    database = home / "data" / "databases" / "neo4j"
    transactions = home / "data" / "transactions" / "neo4j"
    rels = sum(result["relationships"].values())
    nodes = sum(result["nodes"].values())
    seconds = result["seconds"]
    java = subprocess.run([neo4j_server._java(), "-version"], capture_output=True, text=True).stderr.splitlines()[0]
    report = {
        "benchmark": "benchmarks/bench_neo4j_whole.py",
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "note": args.note,
        "machine": {"cpus": os.cpu_count(), "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
                                                               / 2**30, 1),
                    "python": platform.python_version(), "java": java, "load_before": load_before,
                    "load_after": load_after},
        "settings": {"server_heap": args.heap, "server_pagecache": args.pagecache, "import_heap": args.import_heap,
                     "import_off_heap": args.import_off_heap,
                     "duckdb_memory_limit": os.environ.get("REELGRAPH_DUCKDB_MEMORY") or DEFAULT_MEMORY_LIMIT},
        "tables": {"folder": str(Path(args.tables).resolve()), "rows": counts},
        "neo4j": {"nodes": result["nodes"], "relationships": result["relationships"], "node_total": nodes,
                  "relationship_total": rels},
        "seconds": {**seconds, "total": round(total, 1)},
        "relationships_per_second": {"import": round(rels / seconds["import"]) if seconds.get("import") else None,
                                     "end_to_end": round(rels / total)},
        "peak_rss_gb": {k: round(v / 2**30, 2) for k, v in memory.peaks.items()},
        "disk_gb": {"csv_files": round(csv_bytes / 2**30, 2), "database": round(disk_bytes(database) / 2**30, 2),
                    "transaction_logs": round(disk_bytes(transactions) / 2**30, 2)},
        "target_seconds": TARGET_SECONDS,
        "within_target": total <= TARGET_SECONDS,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

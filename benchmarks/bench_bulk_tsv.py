#!/usr/bin/env python
"""``write_imdb_tables`` (the out-of-core IMDb reader of issue #13) measured on whole folders (a script, not a test).

Each run is a fresh child process, so its figures are its own: wall time,
CPU time (user + system, all threads) and peak RSS from ``os.wait4``, and
the peak size of DuckDB's spill folder (sampled every 0.25 s).  Runs:

* ``bulk``: ``write_imdb_tables(FOLDER, OUT, title_types=None)`` (every title
  type, adult titles dropped, the default categories; what ``reelgraph load
  DIR --title-types all`` reads) for every ``--folder``;
* ``pandas``: for each ``--compare`` folder, ``read_imdb_datasets`` with the
  same options and the store's ``_write_tables`` of its graph (the same
  four Parquet files, the pandas way); the two outputs are then compared
  column by column (same rows, same order, same schema).

Usage::

    reelgraph synth --titles 2000000 -o /tmp/imdb-2m -q
    reelgraph synth --titles 12000000 -o /tmp/imdb-12m -q      # the whole IMDb's size: ~3.5 min, 13 GB peak
    flock /tmp/reelgraph-bench.lock python benchmarks/bench_bulk_tsv.py \\
        --folder /tmp/imdb-2m --folder /tmp/imdb-12m --compare /tmp/imdb-2m

Writes ``benchmarks/results/bulk_tsv.json`` (``--out``) and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
TABLES = ("films", "people", "credits", "similar")
TARGETS = {"seconds": 180.0, "peak_gb": 4.0}  # issue #13's share for this step: ~3 of the 5 minutes, ~4 of the 6 GB


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), "")
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    found = {"python": platform.python_version()}
    for name in ("duckdb", "pyarrow", "pandas", "numpy", "isal"):
        try:
            found[name] = getattr(__import__(name), "__version__", "?")
        except ImportError:
            found[name] = None
    return {"cpus": os.cpu_count(), "cpu": cpu, "memory_gb": round(memory / 2**30, 1), "platform": platform.platform(), "versions": found}


def folder_bytes(path: Path) -> int:
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:  # DuckDB removed it meanwhile
                pass
    return total


# -- the children -------------------------------------------------------------------


def child(mode: str, folder: str, out: str, spill: str, memory_limit: str) -> None:
    started = time.perf_counter()
    if mode == "bulk":
        from reelgraph.loaders.imdb_bulk import write_imdb_tables

        report = write_imdb_tables(folder, out, title_types=None, progress=False, memory_limit=memory_limit, temp_directory=spill)
    else:
        from reelgraph.loaders.imdb_tsv import read_imdb_datasets
        from reelgraph.store import _write_tables

        graph = read_imdb_datasets(folder, title_types=None, progress=False)
        report = graph.report
        report.seconds["read_imdb_datasets"] = time.perf_counter() - started
        t0 = time.perf_counter()
        _write_tables(graph, Path(out))
        report.seconds["_write_tables"] = time.perf_counter() - t0
    print("RESULT " + json.dumps({"seconds": {k: round(v, 2) for k, v in report.seconds.items()}, "inner_seconds": round(time.perf_counter() - started, 2),
                                  "rows_read": report.rows_read, "rows_kept": report.rows_kept, "dangling_people": report.dangling_people,
                                  "dangling_credits": report.dangling_credits, "crew_credits_added": report.crew_credits_added,
                                  "bad_characters": report.bad_characters}), flush=True)


# -- the parent -------------------------------------------------------------------------


def run(mode: str, folder: Path, work: Path, memory_limit: str) -> dict:
    out, spill = work / f"{mode}-out", work / f"{mode}-spill"
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(spill, ignore_errors=True)
    spill.mkdir(parents=True)
    argv = [sys.executable, __file__, "--child", mode, str(folder), str(out), str(spill), memory_limit]
    load_before = loadavg()
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    spill_peak = [0]
    done = threading.Event()

    def sample():
        while not done.wait(0.25):
            spill_peak[0] = max(spill_peak[0], folder_bytes(spill))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    texts = {}
    readers = [threading.Thread(target=lambda key, pipe: texts.__setitem__(key, pipe.read()), args=(key, pipe), daemon=True)
               for key, pipe in (("stdout", process.stdout), ("stderr", process.stderr))]
    for reader in readers:
        reader.start()
    _, status, usage = os.wait4(process.pid, 0)  # this child's own peak RSS and CPU time
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    done.set()
    for thread in (sampler, *readers):
        thread.join()
    stdout, stderr = texts.get("stdout", ""), texts.get("stderr", "")
    result = next((json.loads(line[7:]) for line in stdout.splitlines() if line.startswith("RESULT ")), None)
    figures = {
        "mode": mode, "folder": str(folder), "memory_limit": memory_limit if mode == "bulk" else None,
        "wall_seconds": round(wall, 2), "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_gb": round(usage.ru_maxrss / 2**20, 3), "spill_peak_gb": round(spill_peak[0] / 2**30, 3),
        "load_before": load_before, "load_after": loadavg(), "ok": result is not None,
    }
    if result is None:
        figures["error"] = stderr[-3000:]
        return figures
    figures.update(result)
    from reelgraph._parquet_table import ParquetTable, table_paths

    figures["output_mb"] = {name: round(sum(p.stat().st_size for p in table_paths(out, name)) / 2**20, 1) for name in TABLES}
    figures["rows"] = {name: ParquetTable(out, name).num_rows for name in TABLES}
    figures["out"] = str(out)
    return figures


def same_output(a: Path, b: Path) -> dict:
    """Whether two folders of the four tables hold the same rows in the same order with the same schema (column by column)."""
    from reelgraph._parquet_table import ParquetTable

    verdict = {}
    for name in TABLES:
        left, right = ParquetTable(a, name), ParquetTable(b, name)
        same = left.schema_arrow.equals(right.schema_arrow, check_metadata=True)
        for column in left.schema_arrow.names:
            if not same:
                break
            same = left.read([column]).column(0).equals(right.read([column]).column(0))
        verdict[name] = same
    return verdict


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--folder", action="append", default=[], help="IMDb folder for write_imdb_tables (repeatable)")
    parser.add_argument("--compare", action="append", default=[], help="also run read_imdb_datasets + _write_tables on this folder")
    parser.add_argument("--memory-limit", default="3GB")
    parser.add_argument("--work", default=None, help="scratch folder for the outputs (default: a temporary one)")
    parser.add_argument("--out", default=str(RESULTS / "bulk_tsv.json"))
    parser.add_argument("--child", nargs=5, metavar=("MODE", "FOLDER", "OUT", "SPILL", "LIMIT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return 0
    runs = []
    work_root = Path(args.work or tempfile.mkdtemp(prefix="bench-bulk-"))
    for folder in dict.fromkeys(args.folder + args.compare):
        folder = Path(folder)
        work = work_root / folder.name
        modes = (["bulk"] if str(folder) in args.folder else []) + (["pandas"] if str(folder) in args.compare else [])
        for mode in modes:
            figures = run(mode, folder, work, args.memory_limit)
            runs.append(figures)
            print(json.dumps({k: v for k, v in figures.items() if k not in ("rows_read", "error")}), flush=True)
            if not figures["ok"]:
                print(figures["error"], file=sys.stderr)
        if modes == ["bulk", "pandas"] and all(r["ok"] for r in runs[-2:]):
            runs[-1]["same_output_as_bulk"] = same_output(work / "bulk-out", work / "pandas-out")
            print("same output:", runs[-1]["same_output_as_bulk"], flush=True)
        shutil.rmtree(work, ignore_errors=True)
    if not args.work:
        shutil.rmtree(work_root, ignore_errors=True)
    result = {"benchmark": "bench_bulk_tsv", "when": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "machine": machine(), "targets": TARGETS,
              "options": {"title_types": None, "include_adult": False, "categories": "default"}, "runs": runs}
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n")
    print(f"{'folder':<12} {'mode':<7} {'wall':>8} {'cpu':>8} {'peak':>8} {'spill':>7}  rows (films / people / credits)")
    for r in runs:
        rows = r.get("rows", {})
        print(f"{Path(r['folder']).name:<12} {r['mode']:<7} {r['wall_seconds']:>7.1f}s {r['cpu_seconds']:>7.1f}s {r['peak_rss_gb']:>6.2f}GB "
              f"{r['spill_peak_gb']:>5.2f}GB  {rows.get('films')} / {rows.get('people')} / {rows.get('credits')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python
"""Writing the graph index of a 500k-movie store: from a pandas FilmGraph against straight from Parquet (a script, not a test).

Every store write ends by writing the graph index (``index/``,
:mod:`reelgraph.graph_index`).  Two writers give the same files:

* ``old``: the store's tables read into a pandas FilmGraph (``store._read_tables``),
  then ``write_index(graph, ...)``, which builds the mirror in pandas and
  converts the tables back to Arrow;
* ``new``: ``write_index_from_tables(tables_folder, ...)``, which reads the
  Parquet tables with pyarrow and builds every array with Arrow, numpy and
  numba, no table in pandas (:mod:`reelgraph._index_build`).

Each run is a whole child process (wall time, CPU time and peak RSS of that
child alone, ``os.wait4`` through ``bench_commands.run_process``) writing
into a scratch folder from the same store's tables; the routes alternate,
three runs each, and the medians are reported.  The child reports its
phases (for ``old``: reading the tables, then writing).  At the end the two
indexes written are compared file by file: they must be equal.

The store is IMDb's 500k movies as the other benchmarks make it
(``bench_tsv_load.prepare(500_000, movie_share=1.0)``: about 490k films,
850k people, 4M credits), loaded with ``reelgraph load``; it is reused
when there.

Usage::

    python benchmarks/bench_index_build.py                       # builds /tmp/reelgraph-bench/... once
    python benchmarks/bench_index_build.py --store /path/to/store --runs 5

Writes ``benchmarks/results/index_build.json`` (whatever it measured, target met or not).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "benchmarks"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from bench_commands import run_process  # noqa: E402
from bench_engines import machine, versions  # noqa: E402
from bench_tsv_load import RESULTS, loadavg, prepare  # noqa: E402

#: What the new writer should take at 500k movies (issue: most of a store write's ~26 s constant was the index).
TARGET_SECONDS = 5.0
ROUTES = ("old", "new")


def child(route: str, store: Path, out: Path, phases: Path) -> None:
    """Write the index of ``store``'s tables into ``out`` by ``route``; the phases' seconds go to ``phases``."""
    from reelgraph.graph_index import store_version, write_index, write_index_from_tables

    version = store_version(json.loads((store / "manifest.json").read_text()))
    began = time.perf_counter()
    if route == "old":
        from reelgraph.store import _read_tables

        graph = _read_tables(store)
        read = time.perf_counter()
        write_index(graph, out, version)
        report = {"read_seconds": read - began, "write_seconds": time.perf_counter() - read}
    else:
        write_index_from_tables(store, out, version)
        report = {}
    report["seconds"] = time.perf_counter() - began
    phases.write_text(json.dumps({k: round(v, 3) for k, v in report.items()}))


def build_store(data_dir: Path) -> Path:
    """The 500k-movie store of the other benchmarks' synthetic folder, loaded once and reused."""
    folder, _ = prepare(500_000, data_dir, seed=0, reuse=True, movie_share=1.0)
    store = data_dir / "store-500k-movies"
    if not (store / "manifest.json").is_file():
        shutil.rmtree(store, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "reelgraph", "load", str(folder), "--store", str(store), "-q"],
                       check=True, env={**os.environ, "NEO4J_URI": ""})
    return store


def same_index(a: Path, b: Path) -> list[str]:
    """The files of two index folders that differ (index.json as text, arrays and Arrow tables by value)."""
    import numpy as np
    import pyarrow as pa

    names = sorted({p.name for p in a.iterdir()} | {p.name for p in b.iterdir()})
    differ = []
    for name in names:
        x, y = a / name, b / name
        if not (x.exists() and y.exists()):
            same = False
        elif name.endswith(".npy"):
            p, q = np.load(x, mmap_mode="r"), np.load(y, mmap_mode="r")
            same = p.dtype == q.dtype and np.array_equal(p, q)
        elif name.endswith(".arrow"):
            p, q = (pa.ipc.open_file(pa.memory_map(str(f))).read_all() for f in (x, y))
            same = p.schema == q.schema and p.equals(q)
        else:
            same = x.read_bytes() == y.read_bytes()
        if not same:
            differ.append(name)
    return differ


def folder_mb(folder: Path) -> float:
    return round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", help="a store folder (default: the 500k-movie store, built once under --data-dir)")
    parser.add_argument("--data-dir", default="/tmp/reelgraph-bench")
    parser.add_argument("--runs", type=int, default=3, help="runs of each route (alternating); medians reported")
    parser.add_argument("--out", default=str(RESULTS / "index_build.json"))
    parser.add_argument("--child", nargs=4, metavar=("ROUTE", "STORE", "OUT", "PHASES"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        route, store, out, phases = args.child
        return child(route, Path(store), Path(out), Path(phases))

    store = Path(args.store) if args.store else build_store(Path(args.data_dir))
    work = Path(tempfile.mkdtemp(prefix="bench-index-build-"))
    report = {
        "machine": {**machine(), "versions": versions(), "loadavg_at_start": loadavg()},
        "store": {"path": str(store), "counts": json.loads((store / "manifest.json").read_text())["counts"],
                  "tables_mb": round(sum((store / f"{t}.parquet").stat().st_size
                                         for t in ("films", "people", "credits", "similar")) / 2**20, 1)},
        "target": {"new_seconds": TARGET_SECONDS},
        "runs": {route: [] for route in ROUTES},
    }
    try:
        for k in range(args.runs):
            for route in ROUTES if k % 2 == 0 else ROUTES[::-1]:  # alternating: a drift in the load hits both
                out, phases = work / route, work / f"{route}.json"
                shutil.rmtree(out, ignore_errors=True)
                result = run_process([sys.executable, __file__, "--child", route, str(store), str(out), str(phases)], work)
                if result["returncode"]:
                    raise SystemExit(f"{route} failed: {result['error']}")
                result.update(json.loads(phases.read_text()), loadavg=loadavg())
                report["runs"][route].append(result)
                print(f"  {route:4} {result['seconds']:7.2f} s  cpu {result['cpu_seconds']:6.2f} s  "
                      f"{result['peak_mb']:6} MB  load {result['loadavg']}", flush=True)
        report["medians"] = {route: {key: statistics.median(run[key] for run in runs)
                                     for key in ("seconds", "cpu_seconds", "peak_mb", *(k for k in runs[0] if k.endswith("_seconds")))}
                             for route, runs in report["runs"].items()}
        differ = same_index(work / "old" / "index", work / "new" / "index")
        report["equal_indexes"] = not differ
        report["differing_files"] = differ
        report["index_mb"] = folder_mb(work / "new" / "index")
        new, old = report["medians"]["new"], report["medians"]["old"]
        report["target"].update(met=new["seconds"] <= TARGET_SECONDS, speedup=round(old["seconds"] / new["seconds"], 1))
        report["machine"]["loadavg_at_end"] = loadavg()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n")
    print(f"old {old['seconds']} s / {old['peak_mb']} MB, new {new['seconds']} s / {new['peak_mb']} MB, "
          f"equal: {report['equal_indexes']}; wrote {out}")


if __name__ == "__main__":
    main()

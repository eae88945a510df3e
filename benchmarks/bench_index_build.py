#!/usr/bin/env python
"""Writing the graph index of a store: from a pandas FilmGraph, from Parquet before and after a change (a script, not a test).

Every store write ends by writing the graph index (``index/``,
:mod:`reelgraph.graph_index`).  The routes give the same files:

* ``old``: the store's tables read into a pandas FilmGraph (``store._read_tables``),
  then ``write_index(graph, ...)``, which builds the mirror in pandas and
  converts the tables back to Arrow (out of reach at IMDb's whole size:
  the FilmGraph alone takes tens of GB);
* ``new``: ``write_index_from_tables(tables_folder, ...)``, which reads the
  Parquet tables with pyarrow and builds every array with Arrow, numpy and
  numba, no table in pandas (:mod:`reelgraph._index_build`);
* ``before``: the same function from another copy of the package
  (``--before-code DIR``, a folder holding a ``reelgraph`` package, put
  first on ``PYTHONPATH``): the code before a change, timed in the same
  session as the code after it.

Each run is a whole child process (wall time, CPU time and peak RSS of that
child alone, ``os.wait4`` through ``bench_commands.run_process``) writing
into a scratch folder from the same store's tables; the routes alternate,
``--runs`` runs each, and the medians are reported.  The child reports its
phases (for ``old``: reading the tables, then writing) and, for the Parquet
routes, each step of the writer (``people``, ``films``, ``names``,
``adjacency``, ``credits``): its seconds and the process's peak RSS when
it ended (``VmHWM``: the step where it jumps is where the peak is).  At the
end the indexes written are compared file by file: they must be equal.

The default store is IMDb's 500k movies as the other benchmarks make it
(``bench_tsv_load.prepare(500_000, movie_share=1.0)``: about 490k films,
850k people, 4M credits), loaded with ``reelgraph load``; it is reused
when there.  Results go under ``stores[--label]`` of the JSON, so the
figures of other stores (``500k``, ``whole``) stay.

Usage::

    python benchmarks/bench_index_build.py                       # builds /tmp/reelgraph-bench/... once
    python benchmarks/bench_index_build.py --store /path/to/store --runs 5
    python benchmarks/bench_index_build.py --store /path/to/whole-store --label whole --runs 1 \\
        --routes before,new --before-code /path/to/copy-of-the-package-before

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

#: What the Parquet writer should take, by store label: at 500k movies most of a store write's ~26 s constant
#: was the index; at IMDb's whole size (issue #13) the whole load must take at most 5 minutes and 6 GB,
#: of which the loader's own ~100 s and 3.4 GB.
TARGETS = {"500k": {"seconds": 5.0}, "whole": {"seconds": 200.0, "peak_mb": 5000}}
ROUTES = ("old", "before", "new")


def child(route: str, store: Path, out: Path, phases: Path) -> None:
    """Write the index of ``store``'s tables into ``out`` by ``route``; the phases' and steps' figures go to ``phases``."""
    import reelgraph
    from reelgraph import graph_index
    from reelgraph.graph_index import store_version, write_index, write_index_from_tables

    steps = []
    step = graph_index._IndexWriter.step

    def timed_step(self, name):  # each step's seconds and the peak RSS so far when it ends
        if steps:
            steps[-1]["peak_mb_by_end"] = _peak_mb()
        steps.append({"step": name, "began": time.perf_counter()})
        return step(self, name)

    graph_index._IndexWriter.step = timed_step
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
    ended = time.perf_counter()
    report["seconds"] = ended - began
    report = {k: round(v, 3) for k, v in report.items()}
    for k, item in enumerate(steps):
        item["seconds"] = round((steps[k + 1]["began"] if k + 1 < len(steps) else ended) - item.pop("began"), 2)
    if steps:
        steps[-1]["peak_mb_by_end"] = _peak_mb()
    report["steps"] = steps
    report["code"] = str(Path(reelgraph.__file__).parent)
    phases.write_text(json.dumps(report))


def _peak_mb() -> int:
    """This process's peak RSS so far (``VmHWM``), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
    return 0


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

    names = sorted({p.relative_to(f).as_posix() for f in (a, b) for p in f.rglob("*") if p.is_file()})
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
    parser.add_argument("--label", default="500k", help="the store's name in the results (other stores' stay)")
    parser.add_argument("--data-dir", default="/tmp/reelgraph-bench")
    parser.add_argument("--runs", type=int, default=3, help="runs of each route (alternating); medians reported")
    parser.add_argument("--routes", default="old,new", help="comma-separated, of: " + ", ".join(ROUTES))
    parser.add_argument("--before-code", help="route 'before': a folder holding the 'reelgraph' package to time")
    parser.add_argument("--out", default=str(RESULTS / "index_build.json"))
    parser.add_argument("--child", nargs=4, metavar=("ROUTE", "STORE", "OUT", "PHASES"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        route, store, out, phases = args.child
        return child(route, Path(store), Path(out), Path(phases))
    routes = [route for route in args.routes.split(",") if route]
    if set(routes) - set(ROUTES) or ("before" in routes and not args.before_code):
        parser.error(f"--routes: some of {', '.join(ROUTES)}; 'before' needs --before-code")

    store = Path(args.store) if args.store else build_store(Path(args.data_dir))
    from reelgraph._index_build import canonical_layout
    from reelgraph._parquet_table import table_paths

    if {"before", "new"} & set(routes) and not canonical_layout(store):
        # write_index_from_tables would go through pandas, which at IMDb's whole size takes tens of GB
        raise SystemExit(f"{store}: its tables are not in this reelgraph's layout (load it again)")
    work = Path(tempfile.mkdtemp(prefix="bench-index-build-"))
    report = {
        "machine": {**machine(), "versions": versions(), "loadavg_at_start": loadavg()},
        "store": {"path": str(store), "counts": json.loads((store / "manifest.json").read_text())["counts"],
                  "tables_mb": round(sum(path.stat().st_size for t in ("films", "people", "credits", "similar")
                                         for path in table_paths(store, t)) / 2**20, 1)},
        "target": dict(TARGETS.get(args.label, {})),
        "runs": {route: [] for route in routes},
    }
    try:
        for k in range(args.runs):
            for route in routes if k % 2 == 0 else routes[::-1]:  # alternating: a drift in the load hits both
                out, phases = work / route, work / f"{route}.json"
                shutil.rmtree(out, ignore_errors=True)
                # route "before": its package first on the path (env execs python: the same process is measured)
                before = ["env", f"PYTHONPATH={args.before_code}"] if route == "before" else []
                result = run_process([*before, sys.executable, __file__, "--child", route, str(store), str(out), str(phases)],
                                     work)
                if result["returncode"]:
                    raise SystemExit(f"{route} failed: {result['error']}")
                result.update(json.loads(phases.read_text()), loadavg=loadavg())
                report["runs"][route].append(result)
                steps = "  ".join(f"{s['step']} {s['seconds']}s/{s['peak_mb_by_end']}MB" for s in result["steps"])
                print(f"  {route:6} {result['seconds']:7.2f} s  cpu {result['cpu_seconds']:6.2f} s  "
                      f"{result['peak_mb']:6} MB  load {result['loadavg']}  {steps}", flush=True)
        report["medians"] = {route: {key: statistics.median(run[key] for run in runs)
                                     for key in ("seconds", "cpu_seconds", "peak_mb", *(k for k in runs[0] if k.endswith("_seconds")))}
                             for route, runs in report["runs"].items()}
        for route, runs in report["runs"].items():  # each step's median seconds and peak so far
            if runs[0]["steps"]:
                report["medians"][route]["steps"] = {
                    step["step"]: {key: statistics.median(run["steps"][k][key] for run in runs)
                                   for key in ("seconds", "peak_mb_by_end")}
                    for k, step in enumerate(runs[0]["steps"])}
        differ = sorted({name for route in routes[1:] for name in same_index(work / routes[0] / "index", work / route / "index")})
        report["equal_indexes"] = not differ
        report["differing_files"] = differ
        report["index_mb"] = folder_mb(work / routes[-1] / "index")
        last = report["medians"][routes[-1]]
        target = report["target"]
        target["met"] = last["seconds"] <= target.get("seconds", float("inf")) and last["peak_mb"] <= target.get("peak_mb", float("inf"))
        if len(routes) > 1:
            first = report["medians"][routes[0]]
            report["target"].update(speedup=round(first["seconds"] / last["seconds"], 1),
                                    memory_ratio=round(first["peak_mb"] / last["peak_mb"], 1))
        report["machine"]["loadavg_at_end"] = loadavg()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    results = json.loads(out.read_text()) if out.is_file() else {}
    if "stores" not in results:  # the layout before stores had labels: its figures were the 500k store's
        results = {"stores": {"500k": results}} if results else {"stores": {}}
    results["stores"][args.label] = report
    out.write_text(json.dumps(results, indent=1) + "\n")
    print(", ".join(f"{route} {m['seconds']} s / {m['peak_mb']} MB" for route, m in report["medians"].items())
          + f", equal: {report['equal_indexes']}; wrote {out} ({args.label})")


if __name__ == "__main__":
    main()

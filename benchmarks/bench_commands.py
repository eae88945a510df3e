#!/usr/bin/env python
"""Everyday commands on a large store: whole ``reelgraph`` processes, timed (a script, not a test).

A user who loaded IMDb's movies runs ``reelgraph path``, ``bacon`` and
``stats`` against that store, each a fresh process that reads the store and
builds what it needs.  This script:

1. makes (or, with ``--reuse``, reuses) a synthetic IMDb folder of
   ``--movies`` titles, all movies (``bench_tsv_load.prepare``: the same
   folder that benchmark's movie-scale run uses);
2. loads it into a fresh store (``reelgraph load``, timed), then loads it
   again (a refresh that finds nothing changed, timed);
3. runs ``path``, ``bacon``, ``stats`` and ``show`` (a neighbourhood view)
   ``--repeats`` times each as a whole process, with its wall
   time, CPU time and peak RSS (``os.wait4``: that process alone); the two
   people are the two with the most credits;
4. times, in this process and in the same run, reading the store
   (``LocalStore.read``) against the route it replaced, ``pd.read_parquet``
   then :class:`~reelgraph.model.FilmGraph`, which gives the same tables.

Usage::

    python benchmarks/bench_commands.py --reuse            # 500k movies
    python benchmarks/bench_commands.py --quick            # 20k movies

Writes ``benchmarks/results/commands.json`` (``commands_quick.json`` with
``--quick``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "benchmarks"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from bench_tsv_load import RESULTS, label, loadavg, prepare  # noqa: E402


def run_process(argv: list[str]) -> dict:
    """Wall time, CPU time and peak RSS of one whole process (and its exit code)."""
    began = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - began
    child.returncode = os.waitstatus_to_exitcode(status)
    error = child.stderr.read().decode("utf-8", "replace").strip().splitlines()[-1:] if child.returncode else []
    child.stderr.close()
    return {"seconds": round(seconds, 2), "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
            "peak_mb": round(usage.ru_maxrss / 1024), "returncode": child.returncode, "error": error}


def most_credited_people(store: Path, n: int = 2) -> list[str]:
    import pyarrow.parquet as pq

    credits = pq.read_table(store / "credits.parquet", columns=["person_id"])
    counts = credits.group_by("person_id").aggregate([("person_id", "count")]).sort_by([("person_id_count", "descending")])
    return counts.column("person_id").to_pylist()[:n]


def time_reads(store: Path, repeats: int) -> dict:
    """Reading the store in this process: LocalStore.read against pd.read_parquet + FilmGraph."""
    import pandas as pd

    from reelgraph.model import FilmGraph
    from reelgraph.store import LocalStore

    def previous_route():
        return FilmGraph(**{name: pd.read_parquet(store / f"{name}.parquet") for name in FilmGraph.TABLES})

    runs = {"local_store_read": [], "read_parquet_then_filmgraph": []}
    for _ in range(repeats):
        for name, read in (("local_store_read", LocalStore(store).read), ("read_parquet_then_filmgraph", previous_route)):
            began = time.perf_counter()
            read()
            runs[name].append(round(time.perf_counter() - began, 2))
    best = {name: min(seconds) for name, seconds in runs.items()}
    return {"seconds": runs, "best": best,
            "speed_up": round(best["read_parquet_then_filmgraph"] / best["local_store_read"], 2)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--movies", type=int, default=500_000)
    parser.add_argument("--data-dir", default=os.path.join(tempfile.gettempdir(), "reelgraph-bench-tsv"))
    parser.add_argument("--reuse", action="store_true", help="reuse a folder generated earlier with the same size and seed")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="20k movies")
    parser.add_argument("--out", help="result file [benchmarks/results/commands(_quick).json]")
    args = parser.parse_args(argv)
    if args.quick:
        args.movies = min(args.movies, 20_000)
    out = Path(args.out) if args.out else RESULTS / ("commands_quick.json" if args.quick else "commands.json")
    reelgraph = [sys.executable, "-m", "reelgraph"]

    folder, generated = prepare(args.movies, Path(args.data_dir), args.seed, args.reuse, movie_share=1.0)
    report = {"benchmark": "benchmarks/bench_commands.py", "when": time.strftime("%Y-%m-%d %H:%M:%S"),
              "machine": {"cpus": os.cpu_count(), "load_at_start": loadavg()},
              "folder": {"path": str(folder), "movies": args.movies, "reused": generated.get("reused", False)}}
    with tempfile.TemporaryDirectory(prefix="reelgraph-bench-commands-") as scratch:
        store = Path(scratch) / "store"
        print(f"loading {label(args.movies)} movies into {store} ...", flush=True)
        report["load"] = run_process([*reelgraph, "load", str(folder), "--store", str(store), "-q"])
        if report["load"]["returncode"]:
            raise SystemExit(f"load failed: {report['load']['error']}")
        report["store_counts"] = json.loads((store / "manifest.json").read_text())["counts"]
        # A refresh: the same folder loaded again into its store (every row compared, nothing changed).
        report["reload"] = run_process([*reelgraph, "load", str(folder), "--store", str(store), "-q"])
        print(f"  load: {report['load']['seconds']} s, peak {report['load']['peak_mb']} MB; "
              f"load again: {report['reload']['seconds']} s, peak {report['reload']['peak_mb']} MB", flush=True)
        first, second = most_credited_people(store)
        commands = {"path": ["path", first, second], "bacon": ["bacon", first], "stats": ["stats"],
                    "show": ["show", first, "-o", str(Path(scratch) / "view.html")]}
        report["people"] = [first, second]
        report["commands"] = {}
        for name, command in commands.items():
            runs = [run_process([*reelgraph, *command, "--store", str(store)]) for _ in range(args.repeats)]
            report["commands"][name] = {"argv": ["reelgraph", *command], "runs": runs,
                                        "best_seconds": min(r["seconds"] for r in runs),
                                        "peak_mb": max(r["peak_mb"] for r in runs)}
            print(f"  reelgraph {' '.join(command)}: {[r['seconds'] for r in runs]} s, "
                  f"peak {report['commands'][name]['peak_mb']} MB", flush=True)
            if any(r["returncode"] for r in runs):
                print(f"    failed: {runs[-1]['error']}", flush=True)
        report["read"] = time_reads(store, args.repeats)
        print(f"  reading the store: {report['read']['best']} ({report['read']['speed_up']}x)", flush=True)
    report["machine"]["load_at_end"] = loadavg()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n")
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

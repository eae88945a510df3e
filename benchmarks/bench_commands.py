#!/usr/bin/env python
"""Cold everyday commands on a large store, this reelgraph against the previous one (a script, not a test).

A user who loaded IMDb's movies runs ``reelgraph path``, ``bacon``,
``similar``, ``stats``, ``show`` and ``export`` against that store, each a
fresh process.  Since the persisted graph index (``graph/graph_index.py``),
such a process memory-maps ``index/`` inside the store instead of reading
the Parquet tables and building the graph.  The issue's target: each
command in at most 1 s and 1 GB at 500k movies.  This script measures it,
against the previous version of reelgraph, in the same run:

1. makes (or, with ``--reuse``, reuses) a synthetic IMDb folder of
   ``--movies`` titles, all movies (``bench_tsv_load.prepare``: the same
   folder that benchmark's movie-scale run uses);
2. loads it into a fresh store (``reelgraph load``, timed: this writes the
   index too), then loads it again (a refresh that finds nothing changed,
   timed); with a baseline, also loads it with the baseline into a store of
   its own (timed, then deleted), which shows what writing the index costs;
3. picks two people (the two with the most credits) and one film (the most
   voted film of the first; in a child process, see below), the same for
   both versions, and runs each
   command ``--repeats`` times as a whole process, the new version and the
   baseline alternately, on the one store (the baseline ignores ``index/``);
   for each run: wall time, CPU time and peak RSS (``os.wait4``: that
   process alone), exit code and a hash of what it printed;
4. re-runs once, at the end, a command whose every new-version run failed
   (``export --around`` may not exist yet while it is being written);
5. last, times in this process reading the store (``LocalStore.read``)
   against the route it replaced (``pd.read_parquet`` then ``FilmGraph``).

This process stays small until the commands have run: on Linux a child's
peak RSS starts at the RSS of the process that started it (exec keeps the
larger of the two), so a launcher holding the store's tables would hide
every peak under its own.  ``launcher_peak_mb`` in the JSON is that floor.

The baseline has no ``export --around``: its whole-graph ``export --format
csv`` is timed in its place and labelled so (``baseline_note``); its ratio
compares different work.

Runs follow a load, so the store's files are in the page cache: "cold"
means a fresh process (interpreter, imports, opening the store), not a cold
disk.  Peak RSS counts the pages of memory-mapped files a process touched.

Usage::

    python benchmarks/bench_commands.py --reuse            # 500k movies
    python benchmarks/bench_commands.py --quick            # 20k movies
    python benchmarks/bench_commands.py --reuse --baseline ""   # no baseline

Writes ``benchmarks/results/commands.json`` (``commands_quick.json`` with
``--quick``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import resource
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "benchmarks"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from bench_engines import machine  # noqa: E402
from bench_tsv_load import RESULTS, label, loadavg, prepare  # noqa: E402

#: The previous version of reelgraph (commit c71a3e0), installed in a venv of its own.
DEFAULT_BASELINE = "/tmp/rg-base-venv/bin/reelgraph"

#: The issue's target for each command at 500k movies: at most 1 s and 1 GB.  ru_maxrss is in
#: KiB, so peaks are MiB and 1 GB is taken as 1024 MiB.
TARGET = {"seconds": 1.0, "peak_mb": 1024}

#: Put in place of a per-run output path (a file or a folder) in a command's arguments.
OUT = "{out}"


def run_process(argv: list[str], scratch: Path) -> dict:
    """Wall time, CPU time and peak RSS of one whole process, its exit code and what it printed.

    stdout goes to a file, not a pipe: a long output cannot block the child,
    and the two versions' outputs can be compared by hash.
    """
    stdout_path = scratch / "stdout.txt"
    with open(stdout_path, "wb") as stdout:
        began = time.perf_counter()
        child = subprocess.Popen(argv, stdout=stdout, stderr=subprocess.PIPE)
        # stderr is only read after the exit: the commands write a few lines there at most.
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - began
    returncode = os.waitstatus_to_exitcode(status)
    error = child.stderr.read().decode("utf-8", "replace").strip().splitlines()[-1:] if returncode else []
    child.stderr.close()
    printed = stdout_path.read_bytes()
    stdout_path.unlink()
    return {"seconds": round(seconds, 3), "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
            "peak_mb": round(usage.ru_maxrss / 1024), "returncode": returncode, "error": error,
            "stdout_lines": printed.count(b"\n"), "stdout_sha256": hashlib.sha256(printed).hexdigest()[:16]}


def remove(path: Path) -> None:
    """Delete a command's output (a file or a folder) so the next run starts from nothing."""
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def most_credited_people(store: Path, n: int = 2) -> list[str]:
    from reelgraph._parquet_table import ParquetTable

    credits = ParquetTable(store, "credits").read(["person_id"])
    counts = credits.group_by("person_id").aggregate([("person_id", "count")]).sort_by([("person_id_count", "descending")])
    return counts.column("person_id").to_pylist()[:n]


def most_voted_film(store: Path, person_id: str) -> dict:
    """The most voted film of one person (ties: the smallest id), read from the tables, not through reelgraph."""
    import pyarrow.compute as pc

    from reelgraph._parquet_table import ParquetTable

    credits = ParquetTable(store, "credits").read(["person_id", "film_id"])
    film_ids = pc.unique(credits.filter(pc.equal(credits["person_id"], person_id))["film_id"])
    films = ParquetTable(store, "films").read(["id", "title", "year", "votes"])
    films = films.filter(pc.is_in(films["id"], value_set=film_ids))
    top = films.sort_by([("votes", "descending"), ("id", "ascending")]).slice(0, 1).to_pylist()[0]
    return {"id": top["id"], "title": top["title"], "year": top["year"], "votes": top["votes"]}


def store_sizes(store: Path) -> dict:
    """Bytes of the store's files, du-style: a file hard-linked twice counts once, where it is met first.

    The merged Parquet tables (and manifest) at the top are counted first,
    then ``index/``, then ``parts/`` (each source's tables: those equal to
    the merged ones are hard links and add nothing).  ``bytes`` is the
    files' length (``du -b``), ``disk_bytes`` the blocks they take (``du``).
    """
    seen: set[tuple[int, int]] = set()
    groups = {"tables": [p for p in store.iterdir() if p.is_file()],
              "index": sorted(p for p in (store / "index").rglob("*") if p.is_file()),
              "parts": sorted(p for p in (store / "parts").rglob("*") if p.is_file())}
    sizes = {}
    for group, files in groups.items():
        total = {"files": 0, "bytes": 0, "disk_bytes": 0}
        for file in files:
            info = file.lstat()
            if (info.st_dev, info.st_ino) in seen:
                continue
            seen.add((info.st_dev, info.st_ino))
            total["files"] += 1
            total["bytes"] += info.st_size
            total["disk_bytes"] += info.st_blocks * 512
        sizes[group] = total
    sizes["total"] = {key: sum(sizes[group][key] for group in groups) for key in ("files", "bytes", "disk_bytes")}
    return sizes


def launcher_peak_mb() -> int:
    """This process's peak RSS: the floor under every child's peak (see the module docstring)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def pick_subjects(store: Path) -> dict:
    """The two people and the film, chosen in a child process so that the tables it reads never weigh on this one."""
    child = subprocess.run([sys.executable, os.path.abspath(__file__), "--pick-from", str(store)],
                           capture_output=True, text=True, check=True)
    return json.loads(child.stdout)


def time_reads(store: Path, repeats: int) -> dict:
    """Reading the store in this process: LocalStore.read against pd.read_parquet + FilmGraph."""
    import pandas as pd

    from reelgraph._parquet_table import table_paths
    from reelgraph.model import FilmGraph
    from reelgraph.store import LocalStore

    def previous_route():  # (pandas reads a table's chunks, in order, as one)
        return FilmGraph(**{name: pd.concat([pd.read_parquet(path) for path in table_paths(store, name)],
                                            ignore_index=True) for name in FilmGraph.TABLES})

    runs = {"local_store_read": [], "read_parquet_then_filmgraph": []}
    for _ in range(repeats):
        for name, read in (("local_store_read", LocalStore(store).read), ("read_parquet_then_filmgraph", previous_route)):
            began = time.perf_counter()
            read()
            runs[name].append(round(time.perf_counter() - began, 2))
    best = {name: min(seconds) for name, seconds in runs.items()}
    return {"seconds": runs, "best": best,
            "speed_up": round(best["read_parquet_then_filmgraph"] / best["local_store_read"], 2)}


def summarise(runs: list[dict]) -> dict:
    """Median wall time, CPU time and peak of the runs that succeeded (None when none did)."""
    ok = [run for run in runs if run["returncode"] == 0]
    if not ok:
        return {"runs": runs, "failed": len(runs), "median_seconds": None, "median_peak_mb": None}
    return {"runs": runs, "failed": len(runs) - len(ok),
            "median_seconds": round(statistics.median(run["seconds"] for run in ok), 3),
            "median_cpu_seconds": round(statistics.median(run["cpu_seconds"] for run in ok), 2),
            "median_peak_mb": round(statistics.median(run["peak_mb"] for run in ok)),
            "max_peak_mb": max(run["peak_mb"] for run in ok)}


def measure_command(spec: dict, new: list[str], baseline: list[str] | None, store: Path, scratch: Path, repeats: int) -> dict:
    """One command ``repeats`` times, the new version and the baseline alternately, each run a fresh process.

    Alternating spreads the shared machine's changes in load over both
    versions alike, instead of giving one version a quiet minute.
    """
    versions = {"new": (new, spec["args"])}
    if baseline:
        versions["baseline"] = (baseline, spec.get("baseline_args", spec["args"]))
    runs = {version: [] for version in versions}
    for repeat in range(repeats):
        for version, (program, args) in versions.items():
            output = scratch / f"out-{version}-{repeat}"
            argv = [*program, *(a.replace(OUT, str(output)) for a in args), "--store", str(store)]
            runs[version].append(run_process(argv, scratch))
            remove(output)
            remove(output.with_suffix(".html"))
    result = {"argv": ["reelgraph", *spec["args"]], "new": summarise(runs["new"])}
    if not baseline:
        result["baseline"] = {"skipped": "no baseline (--baseline missing or empty)"}
        return result
    result["baseline"] = summarise(runs["baseline"])
    if "baseline_args" in spec:
        result["baseline"]["argv"] = ["reelgraph", *spec["baseline_args"]]
        result["baseline_note"] = spec["baseline_note"]
    new_figures, base_figures = result["new"], result["baseline"]
    if new_figures["median_seconds"] and base_figures["median_seconds"]:
        result["ratio_baseline_over_new"] = {
            "seconds": round(base_figures["median_seconds"] / new_figures["median_seconds"], 1),
            "peak_mb": round(base_figures["median_peak_mb"] / new_figures["median_peak_mb"], 1)}
    if OUT not in " ".join(spec["args"]):
        # What was printed, compared by hash (outputs written to a file or folder name their path, which differs).
        result["same_stdout_as_baseline"] = ({r["stdout_sha256"] for r in runs["new"]}
                                             == {r["stdout_sha256"] for r in runs["baseline"]})
    return result


def target_verdict(figures: dict) -> dict:
    """The issue's target for one command: median wall time and largest peak of the new version."""
    if figures["median_seconds"] is None:
        return {"met": False, "why": "every run failed"}
    seconds_met = figures["median_seconds"] <= TARGET["seconds"]
    memory_met = figures["max_peak_mb"] <= TARGET["peak_mb"]
    return {"met": seconds_met and memory_met, "seconds_met": seconds_met, "memory_met": memory_met}


def print_table(commands: dict) -> None:
    print(f"\n{'command':<15} {'new s':>7} {'new MB':>7} {'base s':>7} {'base MB':>8} {'x s':>6} {'x MB':>6}  target")
    for name, result in commands.items():
        new, base = result["new"], result["baseline"]
        ratio = result.get("ratio_baseline_over_new", {})
        print(f"{name:<15} {new['median_seconds'] or 'failed':>7} {new['median_peak_mb'] or '':>7} "
              f"{base.get('median_seconds') or '-':>7} {base.get('median_peak_mb') or '-':>8} "
              f"{ratio.get('seconds', '-'):>6} {ratio.get('peak_mb', '-'):>6}  "
              f"{'met' if result['target']['met'] else 'missed'}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--movies", type=int, default=500_000)
    parser.add_argument("--data-dir", default=os.path.join(tempfile.gettempdir(), "reelgraph-bench-tsv"))
    parser.add_argument("--reuse", action="store_true", help="reuse a folder generated earlier with the same size and seed")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=3, help="runs of each command with each version")
    parser.add_argument("--baseline", default=DEFAULT_BASELINE,
                        help=f"the previous version's reelgraph command [{DEFAULT_BASELINE}]; '' for none")
    parser.add_argument("--baseline-label", default="commit c71a3e0", help="what the baseline is, for the JSON")
    parser.add_argument("--quick", action="store_true", help="20k movies")
    parser.add_argument("--out", help="result file [benchmarks/results/commands(_quick).json]")
    parser.add_argument("--pick-from", help=argparse.SUPPRESS)  # the child of pick_subjects
    args = parser.parse_args(argv)
    if args.pick_from:
        people = most_credited_people(Path(args.pick_from))
        print(json.dumps({"people": people, "film": most_voted_film(Path(args.pick_from), people[0])}))
        return 0
    if args.quick:
        args.movies = min(args.movies, 20_000)
    out = Path(args.out) if args.out else RESULTS / ("commands_quick.json" if args.quick else "commands.json")
    # The interpreter itself rather than the pyenv shim on PATH, which would add about 0.1 s of bash to every run.
    new = [sys.executable, "-m", "reelgraph"]
    baseline = [args.baseline] if args.baseline and os.access(args.baseline, os.X_OK) else None
    if args.baseline and not baseline:
        print(f"no baseline: {args.baseline} is not an executable; the new version only", flush=True)

    folder, generated = prepare(args.movies, Path(args.data_dir), args.seed, args.reuse, movie_share=1.0)
    report = {"benchmark": "benchmarks/bench_commands.py", "when": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
              "machine": {**machine(), "load_at_start": loadavg()},
              "folder": {"path": str(folder), "movies": args.movies, "reused": generated.get("reused", False)},
              "new_version": {"argv": new, "source": str(ROOT)},
              "baseline": ({"argv": baseline, "label": args.baseline_label} if baseline
                           else {"skipped": f"{args.baseline or '(none given)'} is not an executable"}),
              "target": {**TARGET, "definition": "per command at 500k movies: the new version's median wall time "
                         "<= 1 s and its largest peak RSS <= 1024 MiB"},
              "repeats": args.repeats}
    with tempfile.TemporaryDirectory(prefix="reelgraph-bench-commands-") as scratch_name:
        scratch = Path(scratch_name)
        store = scratch / "store"
        print(f"loading {label(args.movies)} movies into {store} ...", flush=True)
        report["load"] = run_process([*new, "load", str(folder), "--store", str(store), "-q"], scratch)
        if report["load"]["returncode"]:
            raise SystemExit(f"load failed: {report['load']['error']}")
        report["store_counts"] = json.loads((store / "manifest.json").read_text())["counts"]
        # A refresh: the same folder loaded again into its store (every row compared, nothing changed).
        report["reload"] = run_process([*new, "load", str(folder), "--store", str(store), "-q"], scratch)
        print(f"  load: {report['load']['seconds']} s, peak {report['load']['peak_mb']} MB; "
              f"load again: {report['reload']['seconds']} s, peak {report['reload']['peak_mb']} MB", flush=True)
        if baseline:
            # What writing the index costs: the same load by the previous version, into a store of its own.
            baseline_store = scratch / "baseline-store"
            report["baseline_load"] = run_process([*baseline, "load", str(folder), "--store", str(baseline_store), "-q"], scratch)
            report["baseline_store_sizes"] = store_sizes(baseline_store) if baseline_store.is_dir() else None
            remove(baseline_store)
            print(f"  baseline load: {report['baseline_load']['seconds']} s, peak {report['baseline_load']['peak_mb']} MB",
                  flush=True)
        report["store_sizes"] = store_sizes(store)
        print(f"  store: {json.dumps({k: v['bytes'] for k, v in report['store_sizes'].items()})} bytes", flush=True)

        subjects = pick_subjects(store)
        (first, second), film = subjects["people"], subjects["film"]
        report["people"], report["film"] = subjects["people"], film
        report["launcher_peak_mb"] = launcher_peak_mb()
        commands = {
            "path": {"args": ["path", first, second]},
            "bacon": {"args": ["bacon", first]},
            "similar": {"args": ["similar", film["id"]]},
            "stats": {"args": ["stats"]},
            "show": {"args": ["show", film["id"], "-o", f"{OUT}.html"]},
            "export_around": {"args": ["export", "--format", "csv", "--around", film["id"], "--depth", "1", "-o", OUT],
                              "baseline_args": ["export", "--format", "csv", "-o", OUT],
                              "baseline_note": "the previous version has no --around: its figures are the whole-graph "
                                               "'export --format csv', different work"},
        }
        report["commands"] = {}
        for name, spec in commands.items():
            result = measure_command(spec, new, baseline, store, scratch, args.repeats)
            report["commands"][name] = result
            print(f"  reelgraph {' '.join(spec['args'])}: new {[r['seconds'] for r in result['new']['runs']]} s, "
                  f"peak {result['new']['median_peak_mb']} MB; baseline "
                  f"{[r['seconds'] for r in result['baseline'].get('runs', [])]} s, "
                  f"peak {result['baseline'].get('median_peak_mb')} MB", flush=True)
            if result["new"]["failed"]:
                print(f"    new version failed: {result['new']['runs'][-1]['error']}", flush=True)
        # Once more, at the end, a command the new version failed every time (an option still being written).
        for name, spec in commands.items():
            if report["commands"][name]["new"]["median_seconds"] is None:
                print(f"  re-running {name}, which failed every time ...", flush=True)
                first_attempt = report["commands"][name]
                report["commands"][name] = measure_command(spec, new, baseline, store, scratch, args.repeats)
                report["commands"][name]["first_attempt"] = first_attempt
        report["launcher_peak_mb_after_commands"] = launcher_peak_mb()
        report["read"] = time_reads(store, args.repeats)
        print(f"  reading the store: {report['read']['best']} ({report['read']['speed_up']}x)", flush=True)
    for result in report["commands"].values():
        result["target"] = target_verdict(result["new"])
    report["machine"]["load_at_end"] = loadavg()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n")
    print_table(report["commands"])
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

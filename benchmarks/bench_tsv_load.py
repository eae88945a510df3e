#!/usr/bin/env python
"""Benchmark of ``loaders.imdb_tsv`` on synthetic IMDb dataset folders (a script, not a test).

For each size (principal rows of ``title.principals``; the folders come from
``loaders.synth`` at IMDb's title-type mix, about ten principals a title) it
measures, each in a fresh subprocess:

1. the floor: ``zcat title.principals.tsv.gz > /dev/null``;
2. the scan: ``scan_principals`` (read, decompress, parse, filter to the
   default movies and categories) plus the conversion of the kept rows to
   the canonical ``credits`` table; rows/s, and as a fraction of the floor
   (floor seconds / scan seconds: 1.0 means as fast as zcat alone);
3. end to end: ``read_imdb_datasets`` with its defaults plus writing the four
   canonical tables to Parquet, against ``imdb-sqlite --only
   people,titles,crew --no-index`` on the same folder and against a naive
   loader (``pandas.read_csv`` of each whole file, then a Python loop over
   the rows building the same tables), both capped to the sizes where they
   finish in reasonable time (``--naive-max``, ``--sqlite-max``);
4. peak memory: the high-water RSS of each subprocess
   (``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` in a wrapper process for
   the external commands, ``RUSAGE_SELF`` in the Python children).

The floor and the scan alternate (``--repeat`` times each) so both see the
same machine; the best of each is compared.  The machine's load average is
recorded with every figure: on a shared machine the figures are only as good
as the quiet they were taken in.

Usage::

    python benchmarks/bench_tsv_load.py                  # 200k, 1M, 20M principal rows
    python benchmarks/bench_tsv_load.py --quick          # a smoke run in seconds
    python benchmarks/bench_tsv_load.py --sizes 200k,2M --repeat 5 --reuse

Writes ``benchmarks/results/tsv_load.json`` (``tsv_load_quick.json`` with
``--quick``) and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "benchmarks" / "results"
TARGETS = {
    "scan_fraction_of_floor": 0.75,
    "end_to_end_vs_imdb_sqlite": 10.0,
    "peak_rss_gb": 4.0,
    "generator_seconds_largest": 120.0,
}
PRINCIPALS_PER_TITLE = 10  # loaders.synth draws 5-15 a title


def parse_size(text: str) -> int:
    text = text.strip().lower().replace("_", "")
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if scale > 1 else text) * scale)


def label(rows: int) -> str:
    if rows >= 1_000_000 and rows % 1_000_000 == 0:
        return f"{rows // 1_000_000}M"
    if rows >= 1_000 and rows % 1_000 == 0:
        return f"{rows // 1_000}k"
    return str(rows)


def loadavg() -> float:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:  # pragma: no cover
        return float("nan")


# -- children: one measured operation each, in a fresh process -----------------


def warm_up():
    """Import pyarrow and run one compute function: its kernel registry loads on first use (0.2-0.5 s), a one-time cost like an import."""
    import pandas  # noqa: F401
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet  # noqa: F401  (DataFrame.to_parquet imports it on first use)

    pc.is_in(pa.array(["a"]), value_set=pa.array(["a"]))


def child_main(op: str, folder: str, out: str | None) -> dict:
    folder = Path(folder)
    started = time.perf_counter()
    result: dict = {}
    if op in ("scan", "stream", "e2e", "e2e-all"):
        warm_up()
    if op == "generate":
        from loaders.synth import write_synthetic_datasets

        spec = json.loads(out)
        summary = write_synthetic_datasets(folder, titles=spec["titles"], seed=spec["seed"], progress=False)
        result = {"principals": summary.principals, "titles": summary.titles, "rows": summary.rows, "bytes": summary.bytes,
                  "movies": summary.movies, "dangling": len(summary.dangling_nconsts)}
    elif op == "scan":
        import loaders.imdb_tsv as imdb_tsv
        from loaders.imdb_tsv import DEFAULT_CATEGORIES, ImdbLoadReport, find_dataset_file, scan_principals

        basics = imdb_tsv._read_basics(find_dataset_file(folder, "title.basics"), ("movie",), False, None, "raise", ImdbLoadReport(str(folder)), False)
        titles = imdb_tsv._numbers(basics["_tconst"])
        times = []
        for _ in range(int(out or 1)):  # the scan alone, best of a few in this process
            report = ImdbLoadReport(folder=str(folder))
            started = time.perf_counter()
            principals = scan_principals(find_dataset_file(folder, "title.principals"), titles, DEFAULT_CATEGORIES, report=report, progress=False)
            credits = imdb_tsv._credits(principals, imdb_tsv._no_crew(), report)
            times.append(time.perf_counter() - started)
            del principals, credits
        result = {"rows": report.rows_read["principals"], "kept": report.rows_kept["principals"], "inner_seconds": [round(t, 4) for t in times]}
        result["seconds"] = min(times)
        result["maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return result
    elif op == "stream":
        # the streaming machinery alone: the same scan, but the output held fixed (1,000 titles), so memory shows the reader, not the result
        import loaders.imdb_tsv as imdb_tsv
        from loaders.imdb_tsv import ImdbLoadReport, find_dataset_file, scan_principals

        basics = imdb_tsv._read_basics(find_dataset_file(folder, "title.basics"), ("movie",), False, None, "raise", ImdbLoadReport(str(folder)), False)
        titles = imdb_tsv._numbers(basics["_tconst"])[:1000]
        del basics
        started = time.perf_counter()
        principals = scan_principals(find_dataset_file(folder, "title.principals"), titles, None, progress=False)
        result = {"kept": principals.num_rows}
    elif op in ("e2e", "e2e-all"):
        from loaders.imdb_tsv import read_imdb_datasets

        result["import_seconds"] = round(time.perf_counter() - started, 3)
        started = time.perf_counter()  # the call and the Parquet files, not the imports
        kwargs = {} if op == "e2e" else dict(title_types=None, include_adult=True, categories=None)
        graph = read_imdb_datasets(folder, progress=False, **kwargs)
        write_parquet(graph, Path(out))
        result |= {"counts": graph.counts(), "steps": {k: round(v, 3) for k, v in graph.report.seconds.items()},
                  "dangling_people": graph.report.dangling_people, "crew_credits_added": graph.report.crew_credits_added}
    elif op == "naive":
        import pandas  # noqa: F401  (imports not timed, as for reelgraph)

        import graph.model  # noqa: F401

        started = time.perf_counter()
        graph = naive_loader(folder)
        write_parquet(graph, Path(out))
        result = {"counts": graph.counts()}
    else:
        raise SystemExit(f"unknown child operation {op!r}")
    result["seconds"] = time.perf_counter() - started
    result["maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return result


def write_parquet(graph, out: Path):
    out.mkdir(parents=True, exist_ok=True)
    for name, df in graph.tables().items():
        df.to_parquet(out / f"{name}.parquet", index=False)


def naive_loader(folder: Path):
    """What one writes first: read each whole file with pandas, then loop over the rows in Python."""
    import csv

    import pandas as pd

    from graph.model import FilmGraph
    from loaders.imdb_tsv import DEFAULT_CATEGORIES

    def read(name):
        return pd.read_csv(folder / f"{name}.tsv.gz", sep="\t", quoting=csv.QUOTE_NONE, dtype=str, keep_default_na=False,
                           na_values=["\\N"], encoding="utf-8")

    def num(value):
        return None if not isinstance(value, str) else int(value)

    basics = read("title.basics")
    ratings = {r.tconst: (float(r.averageRating), int(r.numVotes)) for r in read("title.ratings").itertuples()}
    films = []
    for r in basics.itertuples():
        if r.titleType != "movie" or r.isAdult == "1":
            continue
        rating, votes = ratings.get(r.tconst, (None, None))
        films.append({"id": r.tconst, "title": r.primaryTitle, "original_title": r.originalTitle, "year": num(r.startYear),
                      "title_type": r.titleType, "is_adult": r.isAdult == "1", "runtime_minutes": num(r.runtimeMinutes),
                      "genres": r.genres.split(",") if isinstance(r.genres, str) else [], "rating": rating, "votes": votes,
                      "source": "imdb-datasets"})
    del basics
    kept = {f["id"] for f in films}
    categories = set(DEFAULT_CATEGORIES)
    credits = []
    seen = set()
    for r in read("title.principals").itertuples():
        if r.tconst not in kept or r.category not in categories:
            continue
        role = "actor" if r.category in ("actor", "actress") else r.category
        credits.append({"person_id": r.nconst, "film_id": r.tconst, "role": role,
                        "characters": json.loads(r.characters) if isinstance(r.characters, str) else [],
                        "job": r.job if isinstance(r.job, str) else None, "billing": int(r.ordering), "source": "imdb-datasets"})
        seen.add((r.tconst, r.nconst, r.category))
    for r in read("title.crew").itertuples():
        if r.tconst not in kept:
            continue
        for role, people in (("director", r.directors), ("writer", r.writers)):
            if isinstance(people, str):
                for person in people.split(","):
                    if (r.tconst, person, role) not in seen:
                        seen.add((r.tconst, person, role))
                        credits.append({"person_id": person, "film_id": r.tconst, "role": role, "characters": [], "source": "imdb-datasets"})
    wanted = {c["person_id"] for c in credits}
    people = []
    for r in read("name.basics").itertuples():
        if r.nconst in wanted:
            wanted.discard(r.nconst)
            people.append({"id": r.nconst, "name": r.primaryName, "birth_year": num(r.birthYear), "death_year": num(r.deathYear),
                           "professions": r.primaryProfession.split(",") if isinstance(r.primaryProfession, str) else [],
                           "source": "imdb-datasets"})
    people.extend({"id": person, "name": None, "professions": [], "source": "imdb-datasets"} for person in sorted(wanted))
    return FilmGraph.from_records(films=films, people=people, credits=credits)


def command_main(argv: list[str]) -> dict:
    """Run an external command; its wall time and peak RSS (this wrapper's only child)."""
    started = time.perf_counter()
    with open(os.devnull, "wb") as devnull:
        proc = subprocess.run(argv, stdout=devnull, stderr=subprocess.PIPE)
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"seconds": seconds, "maxrss_kb": usage.ru_maxrss, "cpu_seconds": usage.ru_utime + usage.ru_stime,
            "returncode": proc.returncode, "stderr_tail": proc.stderr.decode("utf-8", "replace")[-400:] if proc.returncode else ""}


# -- the parent ----------------------------------------------------------------


def run_child(args: list[str], timeout: float | None) -> dict:
    """Run this script as a child; its JSON result (or an error/timeout record)."""
    cmd = [sys.executable, os.path.abspath(__file__), *args]
    load_before = loadavg()
    started = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        process_seconds = time.perf_counter() - started
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout:.0f} s", "load": load_before}
    if proc.returncode != 0:
        return {"error": (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["failed"], "load": load_before}
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["load"] = round((load_before + loadavg()) / 2, 2)
    result["process_seconds"] = process_seconds  # interpreter start and imports included
    if result.get("returncode"):
        result["error"] = f"exit {result['returncode']}: {result.get('stderr_tail', '')}"
    return result


def shell(command: str, timeout: float | None = None) -> dict:
    return run_child(["--command", "bash", "-c", command], timeout)


def prepare(rows: int, data_dir: Path, seed: int, reuse: bool) -> tuple[Path, dict]:
    titles = max(1, rows // PRINCIPALS_PER_TITLE)
    folder = data_dir / f"imdb-{label(rows)}-seed{seed}"
    stamp = folder / "bench-summary.json"
    if reuse and stamp.is_file():
        info = json.loads(stamp.read_text())
        if info.get("titles") == titles and info.get("seed") == seed:
            info["reused"] = True
            return folder, info
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    print(f"  generating {label(rows)} ({titles:,} titles) ...", flush=True)
    info = run_child(["--child", "generate", str(folder), json.dumps({"titles": titles, "seed": seed})], None)
    if "error" in info:
        raise SystemExit(f"generator failed: {info['error']}")
    info.update(titles=titles, seed=seed, reused=False)
    stamp.write_text(json.dumps(info, indent=1))
    return folder, info


def best(runs: list[dict]) -> dict | None:
    ok = [r for r in runs if "error" not in r]
    return min(ok, key=lambda r: r["seconds"]) if ok else None


def bench_size(rows: int, args, scratch: Path) -> dict:
    print(f"\n== {label(rows)} principal rows", flush=True)
    folder, gen = prepare(rows, Path(args.data_dir), args.seed, args.reuse)
    principals = gen["rows"]["title.principals"]
    entry: dict = {"size": label(rows), "folder": str(folder), "principal_rows": principals, "titles": gen["titles"],
                   "movies": gen["movies"], "rows": gen["rows"], "gz_bytes": gen["bytes"],
                   "generator": None if gen.get("reused") else {"seconds": round(gen["seconds"], 2), "maxrss_mb": round(gen["maxrss_kb"] / 1024)}}
    gz = folder / "title.principals.tsv.gz"

    # (1) + (2): floor and scan, alternating; small sizes are cheap, so more tries against the machine's noise
    small = rows < 5_000_000 and not args.quick
    repeat = max(args.repeat, 5) if small else args.repeat
    inner = 3 if small else 1
    floors, scans = [], []
    for i in range(repeat):
        floors.append(shell(f"zcat '{gz}' > /dev/null"))
        scans.append(run_child(["--child", "scan", str(folder), str(inner)], None))
        print(f"  run {i + 1}: zcat {floors[-1].get('seconds', float('nan')):.2f} s, scan {scans[-1].get('seconds', float('nan')):.2f} s"
              f" (load {scans[-1].get('load')})", flush=True)
    floor, scan = best(floors), best(scans)
    paired = [f["seconds"] / s["seconds"] for f, s in zip(floors, scans) if "error" not in f and "error" not in s]
    entry["floor"] = {"seconds": round(floor["seconds"], 3), "rows_per_s": round(principals / floor["seconds"]),
                      "cpu_seconds": round(floor["cpu_seconds"], 2), "all_seconds": [round(r["seconds"], 3) for r in floors],
                      "load": [r.get("load") for r in floors]}
    entry["scan"] = {"seconds": round(scan["seconds"], 3), "rows_per_s": round(principals / scan["seconds"]),
                     "kept_credits": scan["kept"], "maxrss_mb": round(scan["maxrss_kb"] / 1024),
                     "fraction_of_floor": round(floor["seconds"] / scan["seconds"], 3),
                     "fraction_of_floor_median_paired": round(statistics.median(paired), 3) if paired else None,
                     "all_seconds": [round(r["seconds"], 3) for r in scans], "load": [r.get("load") for r in scans]}

    stream = run_child(["--child", "stream", str(folder)], None)
    entry["stream_fixed_output"] = _summary(stream) | {"kept_rows": stream.get("kept")}
    print(f"  streaming alone (output held at 1,000 titles): {_fmt(stream)}", flush=True)

    # (3) + (4): end to end, against imdb-sqlite and the naive loader
    e2e_repeat = max(args.e2e_repeat, 5) if small else args.e2e_repeat
    e2e_runs = [run_child(["--child", "e2e", str(folder), str(scratch / f"parquet-{label(rows)}-{i}")], None) for i in range(e2e_repeat)]
    e2e = best(e2e_runs)
    if e2e is None:
        raise SystemExit(f"end-to-end run failed: {e2e_runs[0].get('error')}")
    entry["reelgraph"] = {"seconds": round(e2e["seconds"], 3), "maxrss_mb": round(e2e["maxrss_kb"] / 1024), "counts": e2e["counts"],
                          "import_seconds": e2e.get("import_seconds"),
                          "process_seconds": round(min(r["process_seconds"] for r in e2e_runs if "error" not in r), 3),
                          "steps": e2e["steps"], "all_seconds": [round(r.get("seconds", float("nan")), 2) for r in e2e_runs],
                          "load": [r.get("load") for r in e2e_runs]}
    print(f"  reelgraph end to end {e2e['seconds']:.2f} s, peak {e2e['maxrss_kb'] / 1024:.0f} MB (load {e2e.get('load')})", flush=True)
    if rows <= args.all_titles_max:
        run = run_child(["--child", "e2e-all", str(folder), str(scratch / f"parquet-all-{label(rows)}")], args.cap_seconds)
        entry["reelgraph_all_titles"] = _summary(run)
        print(f"  reelgraph, every title and category: {_fmt(run)}", flush=True)

    if rows <= args.sqlite_max and shutil.which("imdb-sqlite"):
        db = scratch / f"imdb-{label(rows)}.db"
        db.unlink(missing_ok=True)
        run = run_child(["--command", "imdb-sqlite", "--db", str(db), "--cache-dir", str(folder), "--only", "people,titles,crew", "--no-index"],
                        args.cap_seconds)
        db.unlink(missing_ok=True)
        entry["imdb_sqlite"] = _summary(run)
        if "error" not in run:
            entry["imdb_sqlite"]["ratio"] = round(run["seconds"] / e2e["seconds"], 2)
            # whole processes on both sides: interpreter start and imports included
            entry["imdb_sqlite"]["ratio_whole_process"] = round(run["seconds"] / entry["reelgraph"]["process_seconds"], 2)
        print(f"  imdb-sqlite: {_fmt(run)}", flush=True)
    else:
        entry["imdb_sqlite"] = {"skipped": "imdb-sqlite not installed" if not shutil.which("imdb-sqlite") else f"size above --sqlite-max {label(args.sqlite_max)}"}

    if rows <= args.naive_max:
        run = run_child(["--child", "naive", str(folder), str(scratch / f"parquet-naive-{label(rows)}")], args.cap_seconds)
        entry["naive"] = _summary(run)
        if "error" not in run:
            entry["naive"]["ratio"] = round(run["seconds"] / e2e["seconds"], 2)
            if run["counts"] != e2e["counts"]:
                entry["naive"]["note"] = f"different counts: {run['counts']} vs {e2e['counts']}"
        print(f"  naive loader: {_fmt(run)}", flush=True)
    else:
        entry["naive"] = {"skipped": f"size above --naive-max {label(args.naive_max)}"}
    return entry


def _summary(run: dict) -> dict:
    if "error" in run:
        return {"error": run["error"], "load": run.get("load")}
    out = {"seconds": round(run["seconds"], 2), "maxrss_mb": round(run["maxrss_kb"] / 1024), "load": run.get("load")}
    if "counts" in run:
        out["counts"] = run["counts"]
    return out


def _fmt(run: dict) -> str:
    if "error" in run:
        return f"failed: {run['error']}"
    return f"{run['seconds']:.2f} s, peak {run['maxrss_kb'] / 1024:.0f} MB (load {run.get('load')})"


def verdicts(sizes: list[dict]) -> dict:
    largest = max(sizes, key=lambda e: e["principal_rows"])
    out = {}
    fractions = [e["scan"]["fraction_of_floor"] for e in sizes]
    out["scan_fraction_of_floor"] = {"target": f">= {TARGETS['scan_fraction_of_floor']}", "measured": fractions,
                                     "met": all(f >= TARGETS["scan_fraction_of_floor"] for f in fractions)}
    ratios = [e["imdb_sqlite"].get("ratio") for e in sizes if "ratio" in e["imdb_sqlite"]]
    out["end_to_end_vs_imdb_sqlite"] = {"target": f">= {TARGETS['end_to_end_vs_imdb_sqlite']}x", "measured": ratios,
                                        "met": bool(ratios) and all(r >= TARGETS["end_to_end_vs_imdb_sqlite"] for r in ratios)}
    peaks = [e["reelgraph"]["maxrss_mb"] for e in sizes]
    under = max(peaks) < TARGETS["peak_rss_gb"] * 1024
    growth = round(max(peaks) / min(peaks), 2)
    stream = [e["stream_fixed_output"].get("maxrss_mb") for e in sizes]
    # the reader's buffers fill up by ~1M rows (a few blocks in flight); compare the two largest sizes
    stream_growth = round(stream[-1] / stream[-2], 2) if len(stream) > 1 and all(stream) else None
    out["peak_rss"] = {"target": f"< {TARGETS['peak_rss_gb']} GB and flat with input size (flat: taken as < 1.5x growth)",
                       "end_to_end_mb": peaks, "under_limit": under, "end_to_end_largest_over_smallest": growth,
                       "input_largest_over_smallest": round(largest["principal_rows"] / min(e["principal_rows"] for e in sizes), 1),
                       "kept_credits": [e["reelgraph"]["counts"]["credits"] for e in sizes],
                       "streaming_fixed_output_mb": stream, "streaming_largest_over_second_largest": stream_growth,
                       "flat_end_to_end": growth < 1.5, "flat_streaming": stream_growth is not None and stream_growth < 1.5,
                       "met": under and growth < 1.5}
    gen = largest.get("generator")
    out["generator_largest"] = {"target": f"< {TARGETS['generator_seconds_largest']:.0f} s", "size": largest["size"],
                                "measured_s": gen["seconds"] if gen else None,
                                "met": (gen["seconds"] < TARGETS["generator_seconds_largest"]) if gen else None}
    return out


def print_table(result: dict):
    print("\nsize  principals   zcat s  scan s  scan rows/s  scan/floor  e2e s  e2e MB  sqlite s  xsqlite  naive s  xnaive  gen s")
    for e in result["sizes"]:
        sq, nv, gen = e["imdb_sqlite"], e["naive"], e.get("generator")
        print(f"{e['size']:>4}  {e['principal_rows']:>10,}  {e['floor']['seconds']:>7.2f}  {e['scan']['seconds']:>6.2f}  "
              f"{e['scan']['rows_per_s']:>11,}  {e['scan']['fraction_of_floor']:>10.2f}  {e['reelgraph']['seconds']:>5.2f}  "
              f"{e['reelgraph']['maxrss_mb']:>6}  {sq.get('seconds', float('nan')):>8.1f}  {sq.get('ratio', float('nan')):>7.1f}  "
              f"{nv.get('seconds', float('nan')):>7.1f}  {nv.get('ratio', float('nan')):>6.1f}  "
              f"{gen['seconds'] if gen else float('nan'):>5.1f}")
    print()
    for name, verdict in result["verdicts"].items():
        print(f"{name}: {'MET' if verdict['met'] else 'NOT MET'}  ({verdict['target']}; {json.dumps({k: v for k, v in verdict.items() if k not in ('target', 'met')})})")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="200k,1M,20M", help="principal rows per folder, comma-separated (k, M suffixes)")
    parser.add_argument("--quick", action="store_true", help="smoke run: one small size, one repetition")
    parser.add_argument("--repeat", type=int, default=3, help="floor/scan repetitions (alternating); the best of each counts")
    parser.add_argument("--e2e-repeat", type=int, default=2, help="end-to-end repetitions; the best counts")
    parser.add_argument("--naive-max", type=parse_size, default=parse_size("1M"), help="largest size for the naive loader")
    parser.add_argument("--sqlite-max", type=parse_size, default=parse_size("20M"), help="largest size for imdb-sqlite")
    parser.add_argument("--all-titles-max", type=parse_size, default=parse_size("1M"),
                        help="largest size for an extra end-to-end run keeping every title and category")
    parser.add_argument("--cap-seconds", type=float, default=900, help="time limit of one comparison run")
    parser.add_argument("--data-dir", default=os.path.join(tempfile.gettempdir(), "reelgraph-bench-tsv"), help="where the generated folders go")
    parser.add_argument("--reuse", action="store_true", help="reuse generated folders (the generator is then not timed)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", help="result file (default benchmarks/results/tsv_load.json)")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes = "20k" if args.sizes == parser.get_default("sizes") else args.sizes
        args.repeat, args.e2e_repeat = 1, 1
    out = Path(args.out) if args.out else RESULTS / ("tsv_load_quick.json" if args.quick else "tsv_load.json")
    sizes = sorted(parse_size(s) for s in args.sizes.split(","))

    import numpy
    import pandas
    import pyarrow

    from loaders import imdb_tsv

    started = time.time()
    result = {
        "benchmark": "benchmarks/bench_tsv_load.py",
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": {"cpus": os.cpu_count(), "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
                    "python": platform.python_version(), "numpy": numpy.__version__, "pandas": pandas.__version__,
                    "pyarrow": pyarrow.__version__, "gzip_reader": "isal" if imdb_tsv._ISAL is not None else "pyarrow (zlib)",
                    "zcat": (subprocess.run(["zcat", "--version"], capture_output=True, text=True).stdout.splitlines() or ["?"])[0],
                    "load_at_start": loadavg()},
        "config": {"sizes": [label(s) for s in sizes], "repeat": args.repeat, "e2e_repeat": args.e2e_repeat, "seed": args.seed,
                   "naive_max": label(args.naive_max), "sqlite_max": label(args.sqlite_max), "all_titles_max": label(args.all_titles_max),
                   "cap_seconds": args.cap_seconds, "quick": args.quick},
        "targets": TARGETS,
        "sizes": [],
    }
    with tempfile.TemporaryDirectory(prefix="reelgraph-bench-") as scratch:
        for rows in sizes:
            result["sizes"].append(bench_size(rows, args, Path(scratch)))
    result["verdicts"] = verdicts(result["sizes"])
    result["machine"]["load_at_end"] = loadavg()
    result["seconds"] = round(time.time() - started, 1)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    print_table(result)
    print(f"\nwritten to {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out} in {result['seconds']:.0f} s")


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "--child":
        print(json.dumps(child_main(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else None)))
    elif len(sys.argv) >= 2 and sys.argv[1] == "--command":
        print(json.dumps(command_main(sys.argv[2:])))
    else:
        main()

#!/usr/bin/env python
"""Benchmark of ``reelgraph load`` on synthetic IMDb dataset folders (a script, not a test).

Sizes are in *titles* (``title.basics`` rows), as in issue #3's reference
measurement ("18.5 s for a 200k-title folder"): a folder written by
``reelgraph.loaders.synth`` at IMDb's title-type mix (about 5 % movies) has about ten
principal rows a title, so the default sizes 200k, 1M and 2M titles hold
about 2M, 10M and 20M principal rows (the issue's largest: at least 20M).
A tiny folder (``--info-sizes``, default 20k titles, 200k principal rows) is
measured and printed too, for information only: its runs last well under a
second, so they time fixed costs (interpreter start, imports) more than
loading, and it is kept out of the verdicts.

For each size it measures, each in a fresh process:

1. the floor: ``zcat title.principals.tsv.gz > /dev/null``;
2. the scan: ``scan_principals`` (read, decompress, parse, filter to the
   default movies and categories) plus the conversion of the kept rows to
   the canonical ``credits`` table; rows/s, and as a fraction of the floor
   (floor seconds / scan seconds: 1.0 means as fast as zcat alone);
3. the reader alone at a fixed output: the same scan keeping 1,000 titles;
4. end to end: the whole ``reelgraph load FOLDER --store NEW`` process
   (interpreter start, imports, reading, the canonical tables, the merge
   and the Parquet store: everything a user waits for), against the whole
   ``imdb-sqlite --only people,titles,crew --no-index`` process on the same
   folder, and against a naive loader (``pandas.read_csv`` of each whole
   file, then a Python loop building the same tables; capped by
   ``--naive-max``);
5. end to end at a fixed output: ``reelgraph load FOLDER --min-votes V``
   with V the votes of the 1,000th most-voted movie of that folder, so the
   store gets about 1,000 films at every size while the input grows: this is
   what "peak memory flat as the input grows" is measured on (with the
   default filters the output grows with the input, and so must memory);
6. peak memory: the high-water RSS of each process
   (``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` in a wrapper process for
   whole commands, ``RUSAGE_SELF`` in the Python children).

Then, at IMDb's real *output* scale, a folder of ``--movies`` titles that are
all movies (500k: about 490k films, 850k people, 4M credits kept, 5M
principal rows): ``reelgraph load`` time and peak memory (and imdb-sqlite's
time on it), to show the memory limit holds for what a full IMDb load keeps.

Commands run under this interpreter directly (``python -m reelgraph.cli``, and
imdb-sqlite's own script beside this interpreter), not through a pyenv shim,
which would add about 0.1 s of bash to each side.

The floor and the scan alternate (``--repeat`` times each) so both see the
same machine; the best of each is compared.  The machine's load average is
recorded with every figure: on a shared machine the figures are only as good
as the quiet they were taken in.

Usage::

    python benchmarks/bench_tsv_load.py                  # 200k, 1M, 2M titles (+ 20k for information, 500k movies)
    python benchmarks/bench_tsv_load.py --quick          # a smoke run in seconds
    python benchmarks/bench_tsv_load.py --sizes 200k --info-sizes "" --movies 0 --reuse

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
    # "flat as the input grows": the end-to-end peak at a fixed output grows less than this from the smallest to the
    # largest size (10x the input with the default sizes)
    "peak_rss_flat_growth": 1.25,
    "generator_seconds_largest": 120.0,
}
FIXED_OUTPUT_FILMS = 1000  # films kept by the fixed-output runs (and titles by the streaming-alone run)
IMDB_SQLITE = Path(sys.executable).with_name("imdb-sqlite")  # its own script under this interpreter, not a pyenv shim


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
    if op in ("scan", "stream", "e2e-all"):
        warm_up()
    if op == "generate":
        from reelgraph.loaders.synth import write_synthetic_datasets

        spec = json.loads(out)
        summary = write_synthetic_datasets(folder, titles=spec["titles"], seed=spec["seed"], movie_share=spec.get("movie_share"), progress=False)
        result = {"principals": summary.principals, "titles": summary.titles, "rows": summary.rows, "bytes": summary.bytes,
                  "movies": summary.movies, "dangling": len(summary.dangling_nconsts)}
    elif op == "scan":
        import reelgraph.loaders.imdb_tsv as imdb_tsv
        from reelgraph.loaders.imdb_tsv import DEFAULT_CATEGORIES, ImdbLoadReport, find_dataset_file, scan_principals

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
        import reelgraph.loaders.imdb_tsv as imdb_tsv
        from reelgraph.loaders.imdb_tsv import ImdbLoadReport, find_dataset_file, scan_principals

        basics = imdb_tsv._read_basics(find_dataset_file(folder, "title.basics"), ("movie",), False, None, "raise", ImdbLoadReport(str(folder)), False)
        titles = imdb_tsv._numbers(basics["_tconst"])[:FIXED_OUTPUT_FILMS]
        del basics
        started = time.perf_counter()
        principals = scan_principals(find_dataset_file(folder, "title.principals"), titles, None, progress=False)
        result = {"kept": principals.num_rows}
    elif op == "votes-threshold":
        # the votes of the FIXED_OUTPUT_FILMS-th most-voted movie (default filters): --min-votes for a fixed output
        import numpy as np

        import reelgraph.loaders.imdb_tsv as imdb_tsv
        from reelgraph.loaders.imdb_tsv import ImdbLoadReport, find_dataset_file

        report = ImdbLoadReport(str(folder))
        basics = imdb_tsv._read_basics(find_dataset_file(folder, "title.basics"), ("movie",), False, None, "raise", report, False)
        ratings = imdb_tsv._read_ratings(find_dataset_file(folder, "title.ratings"), imdb_tsv._IdSet(imdb_tsv._numbers(basics["_tconst"])),
                                         "raise", report, False)
        votes = np.sort(ratings["numVotes"].to_numpy())[::-1]
        threshold = int(votes[min(FIXED_OUTPUT_FILMS, len(votes)) - 1]) if len(votes) else 0
        return {"min_votes": threshold, "movies_kept": int((votes >= threshold).sum()), "movies": basics.num_rows}
    elif op == "e2e-all":
        # the library call alone, every title and category kept (imports not timed)
        from reelgraph.loaders.imdb_tsv import read_imdb_datasets

        started = time.perf_counter()
        graph = read_imdb_datasets(folder, progress=False, title_types=None, include_adult=True, categories=None)
        write_parquet(graph, Path(out))
        result |= {"counts": graph.counts()}
    elif op == "naive":
        import pandas  # noqa: F401  (imports not timed, as for reelgraph)

        import reelgraph.model  # noqa: F401

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

    from reelgraph.model import FilmGraph, merge_graphs
    from reelgraph.loaders.imdb_tsv import DEFAULT_CATEGORIES

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
    return merge_graphs(FilmGraph.from_records(films=films, people=people, credits=credits))  # one credit a (person, film, role), as the store


def command_main(argv: list[str]) -> dict:
    """Run an external command; its wall time and peak RSS (this wrapper's only child), and its stdout when that is JSON."""
    started = time.perf_counter()
    env = os.environ | {"PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, env=env)
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = {"seconds": seconds, "maxrss_kb": usage.ru_maxrss, "cpu_seconds": usage.ru_utime + usage.ru_stime,
              "returncode": proc.returncode, "stderr_tail": proc.stderr.decode("utf-8", "replace")[-400:] if proc.returncode else ""}
    try:
        result["output"] = json.loads(proc.stdout)
    except ValueError:
        pass
    return result


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


def prepare(titles: int, data_dir: Path, seed: int, reuse: bool, movie_share: float | None = None) -> tuple[Path, dict]:
    kind = "movies" if movie_share == 1.0 else "titles"
    folder = data_dir / f"imdb-{label(titles)}-{kind}-seed{seed}"
    stamp = folder / "bench-summary.json"
    if reuse and stamp.is_file():
        info = json.loads(stamp.read_text())
        if info.get("titles") == titles and info.get("seed") == seed and info.get("movie_share") == movie_share:
            info["reused"] = True
            return folder, info
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    print(f"  generating {label(titles)} {kind} ...", flush=True)
    info = run_child(["--child", "generate", str(folder), json.dumps({"titles": titles, "seed": seed, "movie_share": movie_share})], None)
    if "error" in info:
        raise SystemExit(f"generator failed: {info['error']}")
    info.update(titles=titles, seed=seed, movie_share=movie_share, reused=False)
    stamp.write_text(json.dumps(info, indent=1))
    return folder, info


def best(runs: list[dict]) -> dict | None:
    ok = [r for r in runs if "error" not in r]
    return min(ok, key=lambda r: r["seconds"]) if ok else None


def reelgraph_load(folder: Path, store: Path, *options: str, timeout: float | None = None) -> dict:
    """One whole ``reelgraph load FOLDER --store STORE --json`` process (progress bars on, as a user sees them), store removed after."""
    shutil.rmtree(store, ignore_errors=True)
    run = run_child(["--command", sys.executable, "-m", "reelgraph", "load", str(folder), "--store", str(store), "--json", *options], timeout)
    shutil.rmtree(store, ignore_errors=True)
    if "error" not in run and "output" not in run:
        run["error"] = "no JSON on stdout"
    return run


def _e2e_summary(runs: list[dict]) -> dict:
    """The best of several ``reelgraph load`` runs: whole-process seconds and peak, the loader's own steps, the counts."""
    run = best(runs)
    if run is None:
        return {"error": runs[0].get("error"), "load": runs[0].get("load")}
    out = run["output"]
    steps = out["datasets"][0]["seconds"] if out.get("datasets") else {}
    return {"seconds": round(run["seconds"], 3), "maxrss_mb": round(run["maxrss_kb"] / 1024), "cpu_seconds": round(run["cpu_seconds"], 2),
            "counts": out["after"], "loader_steps": {k: round(v, 3) for k, v in steps.items()},
            "outside_loader_seconds": round(run["seconds"] - steps.get("total", 0.0), 3),  # interpreter, imports, merge, store
            "all_seconds": [round(r.get("seconds", float("nan")), 3) for r in runs], "all_maxrss_mb": [round(r.get("maxrss_kb", 0) / 1024) for r in runs],
            "load": [r.get("load") for r in runs]}


def imdb_sqlite(folder: Path, scratch: Path, name: str, cap_seconds: float, budget: float = 30.0) -> dict:
    """imdb-sqlite's whole process, repeated (at most 3 runs) while the runs so far took under ``budget`` seconds; the best counts."""
    runs = []
    while not runs or (len(runs) < 3 and sum(r.get("seconds", cap_seconds) for r in runs) < budget):
        db = scratch / f"imdb-{name}.db"
        db.unlink(missing_ok=True)
        runs.append(run_child(["--command", str(IMDB_SQLITE), "--db", str(db), "--cache-dir", str(folder), "--only", "people,titles,crew",
                               "--no-index"], cap_seconds))
        db.unlink(missing_ok=True)
        if "error" in runs[-1]:
            break
    run = best(runs)
    if run is None:
        return {"error": runs[0]["error"], "load": runs[0].get("load")}
    return _summary(run) | {"all_seconds": [round(r.get("seconds", float("nan")), 2) for r in runs], "load": [r.get("load") for r in runs]}


def bench_size(titles: int, args, scratch: Path, in_verdicts: bool) -> dict:
    print(f"\n== {label(titles)} titles" + ("" if in_verdicts else " (for information: kept out of the verdicts)"), flush=True)
    folder, gen = prepare(titles, Path(args.data_dir), args.seed, args.reuse)
    principals = gen["rows"]["title.principals"]
    entry: dict = {"size": label(titles), "in_verdicts": in_verdicts, "folder": str(folder), "titles": titles, "principal_rows": principals,
                   "movies": gen["movies"], "rows": gen["rows"], "gz_bytes": gen["bytes"],
                   "generator": None if gen.get("reused") else {"seconds": round(gen["seconds"], 2), "maxrss_mb": round(gen["maxrss_kb"] / 1024)}}
    gz = folder / "title.principals.tsv.gz"

    # (1) + (2): floor and scan, alternating; small sizes are cheap, so more tries against the machine's noise
    small = principals < 5_000_000 and not args.quick
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

    # (3) the reader alone, output held at FIXED_OUTPUT_FILMS titles
    stream = run_child(["--child", "stream", str(folder)], None)
    entry["stream_fixed_output"] = _summary(stream) | {"kept_rows": stream.get("kept")}
    print(f"  streaming alone (output held at {FIXED_OUTPUT_FILMS:,} titles): {_fmt(stream)}", flush=True)

    # (4) end to end: the whole 'reelgraph load' process
    e2e_repeat = max(args.e2e_repeat, 5) if small else args.e2e_repeat
    runs = [reelgraph_load(folder, scratch / "store") for _ in range(e2e_repeat)]
    entry["reelgraph"] = _e2e_summary(runs)
    if "error" in entry["reelgraph"]:
        raise SystemExit(f"reelgraph load failed: {entry['reelgraph']['error']}")
    print(f"  reelgraph load: {entry['reelgraph']['seconds']:.2f} s, peak {entry['reelgraph']['maxrss_mb']} MB "
          f"(loader {entry['reelgraph']['loader_steps'].get('total', float('nan')):.2f} s; load {entry['reelgraph']['load']})", flush=True)
    if titles <= args.all_titles_max:
        run = run_child(["--child", "e2e-all", str(folder), str(scratch / f"parquet-all-{label(titles)}")], args.cap_seconds)
        entry["reelgraph_all_titles"] = _summary(run) | {"what": "read_imdb_datasets, every title and category, + Parquet; imports not timed"}
        print(f"  reelgraph library call, every title and category: {_fmt(run)}", flush=True)

    # (5) end to end at a fixed output: --min-votes keeps the FIXED_OUTPUT_FILMS most-voted movies
    threshold = run_child(["--child", "votes-threshold", str(folder)], None)
    runs = [reelgraph_load(folder, scratch / "store", "--min-votes", str(threshold["min_votes"])) for _ in range(max(1, args.e2e_repeat - 1))]
    entry["reelgraph_fixed_output"] = _e2e_summary(runs) | {"min_votes": threshold["min_votes"]}
    print(f"  reelgraph load --min-votes {threshold['min_votes']} (fixed output): {entry['reelgraph_fixed_output'].get('seconds', float('nan')):.2f} s, "
          f"peak {entry['reelgraph_fixed_output'].get('maxrss_mb')} MB, {entry['reelgraph_fixed_output'].get('counts')}", flush=True)

    if titles <= args.sqlite_max and IMDB_SQLITE.is_file():
        entry["imdb_sqlite"] = imdb_sqlite(folder, scratch, label(titles), args.cap_seconds)
        if "error" not in entry["imdb_sqlite"]:
            entry["imdb_sqlite"]["ratio"] = round(entry["imdb_sqlite"]["seconds"] / entry["reelgraph"]["seconds"], 2)
        print(f"  imdb-sqlite: {entry['imdb_sqlite'].get('seconds', float('nan'))} s (runs {entry['imdb_sqlite'].get('all_seconds')}), "
              f"x{entry['imdb_sqlite'].get('ratio')}", flush=True)
    else:
        entry["imdb_sqlite"] = {"skipped": f"{IMDB_SQLITE} not installed" if not IMDB_SQLITE.is_file() else f"size above --sqlite-max {label(args.sqlite_max)}"}

    if titles <= args.naive_max:
        run = run_child(["--child", "naive", str(folder), str(scratch / f"parquet-naive-{label(titles)}")], args.cap_seconds)
        entry["naive"] = _summary(run) | {"what": "pandas + Python loop + Parquet, imports not timed"}
        if "error" not in run:
            entry["naive"]["ratio"] = round(run["seconds"] / entry["reelgraph"]["seconds"], 2)
            if run["counts"] != entry["reelgraph"]["counts"]:
                entry["naive"]["note"] = f"different counts: {run['counts']} vs {entry['reelgraph']['counts']}"
        print(f"  naive loader: {_fmt(run)}", flush=True)
    else:
        entry["naive"] = {"skipped": f"size above --naive-max {label(args.naive_max)}"}
    return entry


def bench_movie_scale(movies: int, args, scratch: Path) -> dict:
    """IMDb's real output scale: every title a movie, so the store keeps about as much as a full IMDb load."""
    print(f"\n== {label(movies)} titles, all movies (IMDb's output scale)", flush=True)
    folder, gen = prepare(movies, Path(args.data_dir), args.seed, args.reuse, movie_share=1.0)
    entry: dict = {"size": f"{label(movies)} movies", "folder": str(folder), "titles": movies, "principal_rows": gen["rows"]["title.principals"],
                   "movies": gen["movies"], "rows": gen["rows"],
                   "generator": None if gen.get("reused") else {"seconds": round(gen["seconds"], 2), "maxrss_mb": round(gen["maxrss_kb"] / 1024)}}
    runs = [reelgraph_load(folder, scratch / "store") for _ in range(args.e2e_repeat)]
    entry["reelgraph"] = _e2e_summary(runs)
    if "error" in entry["reelgraph"]:
        raise SystemExit(f"reelgraph load failed: {entry['reelgraph']['error']}")
    print(f"  reelgraph load: {entry['reelgraph']['seconds']:.2f} s, peak {entry['reelgraph']['maxrss_mb']} MB, {entry['reelgraph']['counts']} "
          f"(load {entry['reelgraph']['load']})", flush=True)
    if args.movies_sqlite and IMDB_SQLITE.is_file():
        entry["imdb_sqlite"] = imdb_sqlite(folder, scratch, f"{label(movies)}-movies", args.cap_seconds, budget=0)
        if "error" not in entry["imdb_sqlite"]:
            entry["imdb_sqlite"]["ratio"] = round(entry["imdb_sqlite"]["seconds"] / entry["reelgraph"]["seconds"], 2)
        print(f"  imdb-sqlite: {entry['imdb_sqlite'].get('seconds', float('nan'))} s, x{entry['imdb_sqlite'].get('ratio')}", flush=True)
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


def verdicts(result: dict) -> dict:
    sizes = [e for e in result["sizes"] if e["in_verdicts"]]
    smallest, largest = min(sizes, key=lambda e: e["titles"]), max(sizes, key=lambda e: e["titles"])
    info = [e for e in result["sizes"] if not e["in_verdicts"]]
    out = {"definitions": {
        "sizes": "the sizes in the verdicts: " + ", ".join(f"{e['size']} titles ({e['principal_rows']:,} principal rows)" for e in sizes)
                 + ("; kept out (information only): " + ", ".join(f"{e['size']} titles" for e in info) if info else ""),
        "end_to_end": "whole processes, best of several runs: 'reelgraph load FOLDER --store NEW' (defaults: movies, six categories) "
                      "vs 'imdb-sqlite --only people,titles,crew --no-index --cache-dir FOLDER'",
        "peak": "ru_maxrss of the whole 'reelgraph load' process",
        "flat": f"at a fixed output (--min-votes keeping the {FIXED_OUTPUT_FILMS:,} most-voted movies), the end-to-end peak at the largest size "
                f"is under {TARGETS['peak_rss_flat_growth']}x that at the smallest",
    }}
    fractions = [e["scan"]["fraction_of_floor"] for e in sizes]
    out["scan_fraction_of_floor"] = {"target": f">= {TARGETS['scan_fraction_of_floor']}", "measured": fractions,
                                     "met": all(f >= TARGETS["scan_fraction_of_floor"] for f in fractions)}
    ratios = [e["imdb_sqlite"].get("ratio") for e in sizes]
    out["end_to_end_vs_imdb_sqlite"] = {"target": f">= {TARGETS['end_to_end_vs_imdb_sqlite']}x", "measured": ratios,
                                        "information_only": {e["size"]: e["imdb_sqlite"].get("ratio") for e in info},
                                        "met": all(r is not None and r >= TARGETS["end_to_end_vs_imdb_sqlite"] for r in ratios)}
    movie = result.get("movie_scale")
    peaks = {f"{e['size']} titles": e["reelgraph"]["maxrss_mb"] for e in sizes}
    fixed = {f"{e['size']} titles": e["reelgraph_fixed_output"].get("maxrss_mb") for e in sizes}
    every = list(peaks.values()) + [p for p in fixed.values() if p] + ([movie["reelgraph"]["maxrss_mb"]] if movie else [])
    under = max(every) < TARGETS["peak_rss_gb"] * 1024
    fixed_growth = (round(largest["reelgraph_fixed_output"]["maxrss_mb"] / smallest["reelgraph_fixed_output"]["maxrss_mb"], 2)
                    if largest is not smallest and all(fixed.values()) else None)
    flat = fixed_growth is not None and fixed_growth < TARGETS["peak_rss_flat_growth"]
    out["peak_rss"] = {"target": f"< {TARGETS['peak_rss_gb']} GB, and flat as the input grows (see definitions)",
                       "end_to_end_mb": peaks, "end_to_end_kept_credits": [e["reelgraph"]["counts"]["credits"] for e in sizes],
                       "fixed_output_end_to_end_mb": fixed,
                       "fixed_output_kept": {f"{e['size']} titles": e["reelgraph_fixed_output"].get("counts") for e in sizes},
                       "movie_scale_end_to_end_mb": {movie["size"]: movie["reelgraph"]["maxrss_mb"]} if movie else None,
                       "streaming_alone_fixed_output_mb": {f"{e['size']} titles": e["stream_fixed_output"].get("maxrss_mb") for e in sizes},
                       "input_largest_over_smallest": round(largest["principal_rows"] / smallest["principal_rows"], 1),
                       "fixed_output_largest_over_smallest": fixed_growth,
                       "under_limit": under, "flat": flat, "met": under and flat}
    gen = largest.get("generator")
    out["generator_largest"] = {"target": f"< {TARGETS['generator_seconds_largest']:.0f} s", "size": f"{largest['size']} titles",
                                "measured_s": gen["seconds"] if gen else None,
                                "met": (gen["seconds"] < TARGETS["generator_seconds_largest"]) if gen else None}
    return out


def print_table(result: dict):
    print("\n titles  principals  zcat s  scan s  scan/floor   e2e s  e2e MB  fixed-out MB  sqlite s  x sqlite  naive s  gen s")
    for e in result["sizes"]:
        sq, nv, gen, fx = e["imdb_sqlite"], e["naive"], e.get("generator"), e["reelgraph_fixed_output"]
        print(f"{e['size']:>6}{' ' if e['in_verdicts'] else '*'} {e['principal_rows']:>10,}  {e['floor']['seconds']:>6.2f}  {e['scan']['seconds']:>6.2f}  "
              f"{e['scan']['fraction_of_floor']:>10.2f}  {e['reelgraph']['seconds']:>6.2f}  {e['reelgraph']['maxrss_mb']:>6}  "
              f"{fx.get('maxrss_mb') or 0:>12}  {sq.get('seconds', float('nan')):>8.1f}  {sq.get('ratio', float('nan')):>8.1f}  "
              f"{nv.get('seconds', float('nan')):>7.1f}  {gen['seconds'] if gen else float('nan'):>5.1f}")
    if any(not e["in_verdicts"] for e in result["sizes"]):
        print("  * for information, not in the verdicts")
    movie = result.get("movie_scale")
    if movie:
        r, sq = movie["reelgraph"], movie.get("imdb_sqlite", {})
        print(f"\n{movie['size']} ({movie['principal_rows']:,} principal rows): reelgraph load {r['seconds']:.1f} s, peak {r['maxrss_mb']} MB, "
              f"kept {r['counts']}; imdb-sqlite {sq.get('seconds', float('nan'))} s (x{sq.get('ratio')})")
    print()
    for name, verdict in result["verdicts"].items():
        if name == "definitions":
            continue
        state = "not measured" if verdict["met"] is None else "MET" if verdict["met"] else "NOT MET"
        print(f"{name}: {state}  ({verdict['target']}; "
              f"{json.dumps({k: v for k, v in verdict.items() if k not in ('target', 'met')})})")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="200k,1M,2M", help="titles per folder at IMDb's mix, comma-separated (k, M suffixes): the verdicts' sizes")
    parser.add_argument("--info-sizes", default="20k", help="more sizes, measured and printed but kept out of the verdicts ('' for none)")
    parser.add_argument("--movies", type=parse_size, default=parse_size("500k"), help="titles of the all-movies folder (IMDb's output scale; 0: skip)")
    parser.add_argument("--no-movies-sqlite", dest="movies_sqlite", action="store_false", help="skip imdb-sqlite on the all-movies folder")
    parser.add_argument("--quick", action="store_true", help="smoke run: small sizes, one repetition")
    parser.add_argument("--repeat", type=int, default=3, help="floor/scan repetitions (alternating); the best of each counts")
    parser.add_argument("--e2e-repeat", type=int, default=3, help="end-to-end repetitions; the best counts")
    parser.add_argument("--naive-max", type=parse_size, default=parse_size("200k"), help="largest size (titles) for the naive loader")
    parser.add_argument("--sqlite-max", type=parse_size, default=parse_size("2M"), help="largest size (titles) for imdb-sqlite")
    parser.add_argument("--all-titles-max", type=parse_size, default=parse_size("20k"),
                        help="largest size (titles) for an extra library call keeping every title and category")
    parser.add_argument("--cap-seconds", type=float, default=900, help="time limit of one comparison run")
    parser.add_argument("--data-dir", default=os.path.join(tempfile.gettempdir(), "reelgraph-bench-tsv"), help="where the generated folders go")
    parser.add_argument("--reuse", action="store_true", help="reuse generated folders (the generator is then not timed)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", help="result file (default benchmarks/results/tsv_load.json)")
    args = parser.parse_args(argv)
    if args.quick:
        if args.sizes == parser.get_default("sizes"):
            args.sizes, args.info_sizes = "2k,20k", ""
        if args.movies == parser.get_default("movies"):
            args.movies = parse_size("5k")
        args.repeat, args.e2e_repeat = 1, 1
    out = Path(args.out) if args.out else RESULTS / ("tsv_load_quick.json" if args.quick else "tsv_load.json")
    sizes = sorted(parse_size(s) for s in args.sizes.split(","))
    info_sizes = sorted(parse_size(s) for s in args.info_sizes.split(",") if s.strip())

    import numpy
    import pandas
    import pyarrow

    from reelgraph.loaders import line_blocks

    started = time.time()
    result = {
        "benchmark": "benchmarks/bench_tsv_load.py",
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": {"cpus": os.cpu_count(), "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
                    "python": platform.python_version(), "numpy": numpy.__version__, "pandas": pandas.__version__,
                    "pyarrow": pyarrow.__version__, "gzip_reader": line_blocks.gzip_reader(),
                    "zcat": (subprocess.run(["zcat", "--version"], capture_output=True, text=True).stdout.splitlines() or ["?"])[0],
                    "load_at_start": loadavg()},
        "config": {"sizes_titles": [label(s) for s in sizes], "info_sizes_titles": [label(s) for s in info_sizes],
                   "movies": label(args.movies), "repeat": args.repeat, "e2e_repeat": args.e2e_repeat, "seed": args.seed,
                   "naive_max": label(args.naive_max), "sqlite_max": label(args.sqlite_max), "all_titles_max": label(args.all_titles_max),
                   "cap_seconds": args.cap_seconds, "quick": args.quick},
        "targets": TARGETS,
        "sizes": [],
    }
    with tempfile.TemporaryDirectory(prefix="reelgraph-bench-") as scratch:
        for titles in sorted(set(sizes) | set(info_sizes)):
            result["sizes"].append(bench_size(titles, args, Path(scratch), in_verdicts=titles in sizes))
        if args.movies:
            result["movie_scale"] = bench_movie_scale(args.movies, args, Path(scratch))
    result["verdicts"] = verdicts(result)
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

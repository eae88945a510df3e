#!/usr/bin/env python
"""Out-of-core engines for issue #13, measured on the same IMDb folder (a script, not a test).

Issue #13 asks that ``reelgraph load DIR --title-types all`` of the whole
datasets (12M titles, ~98M principal rows, ~15M names) run in at most 6 GB
and 5 minutes on these 2 cores, with a well-kept embedded engine doing the
out-of-core work.  This script measures the *core* of such a load with each
candidate, on the same folder, each engine in a fresh child process (so the
peak RSS is that engine's alone):

1. ``films``: ``title.basics`` (every title type, adult titles dropped as
   ``reelgraph load`` drops them) left-joined with ``title.ratings``;
2. ``credits``: ``title.principals`` rows of the kept titles and the default
   categories (actor, actress, director, writer, producer, composer), actress
   mapped to role ``actor``, one row per (film, person, role) as the
   canonical table has it (``merge_graphs`` folds duplicates on that key);
3. ``people``: every person the credits name, with ``name.basics``' row when
   there is one (a dangling person gets a row with the id only, as in
   ``reelgraph.loaders.imdb_tsv``);

each written as a Parquet file (zstd) with the join keys as integers (the
digits of ``tt...`` / ``nm...``), ``genres`` and ``professions`` as lists,
``characters`` left as IMDb's JSON text.  ``title.crew`` is not read (by the
engines nor by the baseline, which reads a folder of links without it).

Engines (each optional: a missing package is reported and skipped):

* ``duckdb``: ``read_csv`` (tab, no quote, no escape, ``\\N`` nulls, the
  columns and types given, no sniffing), ``COPY ... TO`` Parquet, with a
  ``memory_limit`` (``--duckdb-memory``, 4GB) and a ``temp_directory`` so it
  spills; the peak size of the spill folder is sampled;
* ``polars``: ``scan_csv`` (``quote_char=None``, ``null_values="\\N"``, the
  schema given), ``sink_parquet`` with the streaming engine (no memory limit
  exists: what it takes is what it takes);
* ``reelgraph``: today's whole ``reelgraph load DIR --title-types all
  --store S -q`` process (the baseline: it also builds the canonical pandas
  tables, merges and writes the store; whether it fits is the question).

Variants (``--engines``): ``duckdb:nofold`` and ``polars:nofold`` leave the
credits unfolded (every kept principal row: what the fold costs), and
``polars:unique`` folds with ``LazyFrame.unique`` instead of ``group_by``.
Folded outputs are compared with each other, unfolded with each other.

Every child runs under a watchdog: over ``--rss-cap-gb`` (default 14 GB, to
spare a shared machine) or ``--time-cap`` seconds it is killed, and the
figures up to then are reported as such.  Measured per engine: wall time, CPU
time (user + system, all threads), peak RSS (``os.wait4``), the rows and
bytes of each output table, and checksums (sums of the integer keys, credits
per role, people without a name) so that the engines can be checked against
each other exactly; with ``--check-titles`` a small folder is read by all
three, reelgraph's own loader included.

Usage::

    reelgraph synth --titles 12000000 -o /tmp/imdb-whole -q
    python benchmarks/bench_engines.py --folder /tmp/imdb-whole --folder /tmp/imdb-2m \
        --engines duckdb,polars,duckdb:nofold,polars:nofold,reelgraph
    python benchmarks/bench_engines.py --quick          # 20k titles, seconds: results/engines_quick.json

``pip install duckdb polars`` first (they are not dependencies of reelgraph).
Writes ``benchmarks/results/engines.json`` (``engines_quick.json`` with
``--quick``) and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
ENGINES = ("duckdb", "polars", "reelgraph")
CATEGORIES = ("actor", "actress", "director", "writer", "producer", "composer")  # reelgraph.loaders.imdb_tsv.DEFAULT_CATEGORIES
INPUTS = ("title.basics", "title.principals", "name.basics", "title.ratings")  # title.crew is left out
TABLES = ("films", "credits", "people")
TARGETS = {"seconds": 300.0, "peak_gb": 6.0}  # issue #13, end to end of the whole datasets on these 2 cores

COLUMNS = {
    "title.basics": [("tconst", "s"), ("titleType", "s"), ("primaryTitle", "s"), ("originalTitle", "s"), ("isAdult", "i"),
                     ("startYear", "i"), ("endYear", "i"), ("runtimeMinutes", "i"), ("genres", "s")],
    "title.principals": [("tconst", "s"), ("ordering", "i"), ("nconst", "s"), ("category", "s"), ("job", "s"), ("characters", "s")],
    "name.basics": [("nconst", "s"), ("primaryName", "s"), ("birthYear", "i"), ("deathYear", "i"), ("primaryProfession", "s"),
                    ("knownForTitles", "s")],
    "title.ratings": [("tconst", "s"), ("averageRating", "f"), ("numVotes", "i")],
}


def loadavg() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:  # pragma: no cover
        return []


def input_file(folder: Path, stem: str) -> Path:
    for suffix in (".tsv.gz", ".tsv"):
        if (folder / f"{stem}{suffix}").is_file():
            return folder / f"{stem}{suffix}"
    raise SystemExit(f"{folder}: no {stem}.tsv.gz or {stem}.tsv")


def versions() -> dict:
    found = {"python": platform.python_version()}
    for name in ("duckdb", "polars", "pyarrow", "pandas", "numpy", "isal"):
        try:
            module = __import__(name)
            found[name] = getattr(module, "__version__", "?")
        except ImportError:
            found[name] = None
    return found


def machine() -> dict:
    cpu = ""
    try:
        cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), "")
    except OSError:  # pragma: no cover
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {"cpus": os.cpu_count(), "cpu": cpu, "memory_gb": round(mem / 2**30, 1), "platform": platform.platform()}


# -- the engines (run in a child process each) ---------------------------------


def mark(steps: dict, name: str, t0: float) -> None:
    """Record a step's seconds and the process's peak RSS so far; say so on stderr (a killed child's last word)."""
    import resource

    steps[name] = {"seconds": round(time.perf_counter() - t0, 2), "peak_rss_mb_so_far": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}
    print("STEP " + json.dumps({name: steps[name]}), file=sys.stderr, flush=True)


def run_duckdb(folder: Path, out: Path, spill: Path, memory: str, threads: int, fold: bool = True) -> dict:
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{memory}'")
    con.execute(f"SET threads = {threads}")
    con.execute(f"SET temp_directory = '{spill}'")
    con.execute("SET preserve_insertion_order = false")  # lets joins and COPY stream instead of keeping row order
    kinds = {"s": "VARCHAR", "i": "BIGINT", "f": "DOUBLE"}

    def source(stem):
        columns = ", ".join(f"'{name}': '{kinds[kind]}'" for name, kind in COLUMNS[stem])
        return (f"read_csv('{input_file(folder, stem)}', delim = '\\t', quote = '', escape = '', header = true, "
                f"nullstr = '\\N', auto_detect = false, strict_mode = true, columns = {{{columns}}})")

    steps = {}
    t0 = time.perf_counter()
    con.execute(f"""
        COPY (
            SELECT CAST(substr(b.tconst, 3) AS BIGINT) AS film_id, b.primaryTitle AS title, b.originalTitle AS original_title,
                   b.titleType AS title_type, b.startYear AS year, b.runtimeMinutes AS runtime_minutes,
                   coalesce(b.isAdult, 0) <> 0 AS is_adult, string_split(b.genres, ',') AS genres,
                   r.averageRating AS rating, r.numVotes AS votes
            FROM {source('title.basics')} AS b
            LEFT JOIN (SELECT CAST(substr(tconst, 3) AS BIGINT) AS film_id, averageRating, numVotes FROM {source('title.ratings')}) AS r
                   ON r.film_id = CAST(substr(b.tconst, 3) AS BIGINT)
            WHERE coalesce(b.isAdult, 0) = 0
        ) TO '{out / "films.parquet"}' (FORMAT parquet, COMPRESSION zstd)""")
    mark(steps, "films", t0)
    t0 = time.perf_counter()
    categories = ", ".join(f"'{c}'" for c in CATEGORIES)
    folded = ("film_id, person_id, role, min(billing) AS billing, arg_min(job, billing) AS job, "
              "arg_min(characters, billing) AS characters") if fold else "film_id, person_id, role, billing, job, characters"
    con.execute(f"""
        COPY (
            SELECT {folded}
            FROM (
                SELECT CAST(substr(tconst, 3) AS BIGINT) AS film_id, CAST(substr(nconst, 3) AS BIGINT) AS person_id,
                       CASE WHEN category IN ('actor', 'actress') THEN 'actor' ELSE category END AS role,
                       ordering AS billing, job, characters
                FROM {source('title.principals')}
                WHERE category IN ({categories})
            ) AS p
            WHERE film_id IN (SELECT film_id FROM read_parquet('{out / "films.parquet"}'))
            {"GROUP BY film_id, person_id, role" if fold else ""}
        ) TO '{out / "credits.parquet"}' (FORMAT parquet, COMPRESSION zstd)""")
    mark(steps, "credits", t0)
    t0 = time.perf_counter()
    con.execute(f"""
        COPY (
            SELECT c.person_id, n.primaryName AS name, n.birthYear AS birth_year, n.deathYear AS death_year,
                   string_split(n.primaryProfession, ',') AS professions
            FROM (SELECT DISTINCT person_id FROM read_parquet('{out / "credits.parquet"}')) AS c
            LEFT JOIN (SELECT CAST(substr(nconst, 3) AS BIGINT) AS person_id, primaryName, birthYear, deathYear, primaryProfession
                       FROM {source('name.basics')}) AS n
                   ON n.person_id = c.person_id
        ) TO '{out / "people.parquet"}' (FORMAT parquet, COMPRESSION zstd)""")
    mark(steps, "people", t0)
    con.close()
    return {"steps": steps, "settings": {"memory_limit": memory, "threads": threads, "temp_directory": str(spill), "fold": fold}}


def run_polars(folder: Path, out: Path, fold: bool = True) -> dict:
    import polars as pl

    kinds = {"s": pl.String, "i": pl.Int64, "f": pl.Float64}

    def scan(stem):
        return pl.scan_csv(input_file(folder, stem), separator="\t", quote_char=None, null_values="\\N", has_header=True,
                           schema={name: kinds[kind] for name, kind in COLUMNS[stem]})

    def number(column):
        return pl.col(column).str.slice(2).cast(pl.Int64)

    def sink(frame, name):
        try:
            frame.sink_parquet(out / f"{name}.parquet", compression="zstd", engine="streaming")
        except TypeError:  # an older Polars without the engine argument: sinks stream anyway
            frame.sink_parquet(out / f"{name}.parquet", compression="zstd")

    steps = {}
    t0 = time.perf_counter()
    ratings = scan("title.ratings").select(number("tconst").alias("film_id"), pl.col("averageRating").alias("rating"),
                                           pl.col("numVotes").alias("votes"))
    films = (scan("title.basics")
             .filter(pl.col("isAdult").fill_null(0) == 0)
             .select(number("tconst").alias("film_id"), pl.col("primaryTitle").alias("title"),
                     pl.col("originalTitle").alias("original_title"), pl.col("titleType").alias("title_type"),
                     pl.col("startYear").alias("year"), pl.col("runtimeMinutes").alias("runtime_minutes"),
                     (pl.col("isAdult").fill_null(0) != 0).alias("is_adult"), pl.col("genres").str.split(","))
             .join(ratings, on="film_id", how="left"))
    sink(films, "films")
    mark(steps, "films", t0)
    t0 = time.perf_counter()
    kept = pl.scan_parquet(out / "films.parquet").select("film_id")
    credits = (scan("title.principals")
               .filter(pl.col("category").is_in(list(CATEGORIES)))
               .select(number("tconst").alias("film_id"), number("nconst").alias("person_id"),
                       pl.when(pl.col("category").is_in(["actor", "actress"])).then(pl.lit("actor")).otherwise(pl.col("category")).alias("role"),
                       pl.col("ordering").alias("billing"), "job", "characters")
               .join(kept, on="film_id", how="semi"))
    if fold == "unique":
        credits = credits.unique(subset=["film_id", "person_id", "role"], keep="any")
    elif fold:
        credits = credits.group_by("film_id", "person_id", "role").agg(pl.col("billing").min(), pl.col("job").first(), pl.col("characters").first())
    sink(credits, "credits")
    mark(steps, "credits", t0)
    t0 = time.perf_counter()
    names = scan("name.basics").select(number("nconst").alias("person_id"), pl.col("primaryName").alias("name"),
                                        pl.col("birthYear").alias("birth_year"), pl.col("deathYear").alias("death_year"),
                                        pl.col("primaryProfession").str.split(",").alias("professions"))
    people = pl.scan_parquet(out / "credits.parquet").select("person_id").unique().join(names, on="person_id", how="left")
    sink(people, "people")
    mark(steps, "people", t0)
    return {"steps": steps, "settings": {"threads": pl.thread_pool_size(), "fold": fold}}


def child_main(args) -> int:
    folder, out = Path(args.folder[0]), Path(args.work)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    if args.child == "duckdb":
        spill = Path(args.spill)
        spill.mkdir(parents=True, exist_ok=True)
        result = run_duckdb(folder, out, spill, args.duckdb_memory, args.threads, fold=not args.no_fold)
    else:
        result = run_polars(folder, out, fold="unique" if args.unique else not args.no_fold)
    result["inner_seconds"] = time.perf_counter() - t0
    print("RESULT " + json.dumps(result), flush=True)
    return 0


# -- the parent: children under a watchdog, outputs checked ------------------------


def tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and its descendants (from /proc)."""
    total = 0
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
                    break
            for task in Path(f"/proc/{p}/task").iterdir():
                children = (task / "children").read_text().split()
                stack.extend(int(c) for c in children)
        except (OSError, ValueError):
            continue
    return total


def folder_bytes(path: Path) -> tuple[int, int]:
    """(apparent bytes, bytes on disk) of the files under ``path``, each inode once."""
    seen, size, disk = set(), 0, 0
    if not path.exists():
        return 0, 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                st = os.lstat(os.path.join(root, name))
            except OSError:
                continue
            if st.st_ino in seen:
                continue
            seen.add(st.st_ino)
            size += st.st_size
            disk += st.st_blocks * 512
    return size, disk


def run_watched(argv: list[str], rss_cap: int, time_cap: float, spill: Path | None = None) -> dict:
    """Wall, CPU and peak RSS of one child process; killed (and said so) over ``rss_cap`` bytes or ``time_cap`` seconds."""
    started = time.perf_counter()
    load_before = loadavg()
    child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    state = {"killed": None, "sampled_peak": 0, "spill_peak": 0, "done": False}

    def watch():
        tick = 0
        while not state["done"]:
            rss = tree_rss(child.pid)
            state["sampled_peak"] = max(state["sampled_peak"], rss)
            if spill is not None and tick % 4 == 0:
                state["spill_peak"] = max(state["spill_peak"], folder_bytes(spill)[0])
            elapsed = time.perf_counter() - started
            reason = (f"RSS {rss / 2**30:.1f} GB over the cap of {rss_cap / 2**30:.1f} GB" if rss > rss_cap
                      else f"running {elapsed:.0f} s, over the cap of {time_cap:.0f} s" if elapsed > time_cap else None)
            if reason and state["killed"] is None:
                state["killed"] = {"reason": reason, "after_seconds": round(elapsed, 1)}
                try:
                    os.killpg(child.pid, signal.SIGKILL)  # its own session: the child and whatever it started
                except ProcessLookupError:
                    pass
            tick += 1
            time.sleep(0.25)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    out_chunks, err_chunks = [], []
    readers = [threading.Thread(target=lambda s=s, b=b: b.append(s.read()), daemon=True)
               for s, b in ((child.stdout, out_chunks), (child.stderr, err_chunks))]
    for r in readers:
        r.start()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    state["done"] = True
    for r in readers:
        r.join()
    watcher.join()
    code = os.waitstatus_to_exitcode(status)
    stdout = b"".join(out_chunks).decode("utf-8", "replace")
    stderr = b"".join(err_chunks).decode("utf-8", "replace").strip()
    result = {"seconds": round(seconds, 2), "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
              "peak_rss_mb": round(usage.ru_maxrss / 1024), "sampled_peak_rss_mb": round(state["sampled_peak"] / 2**20),
              "returncode": code, "killed": state["killed"], "load_before": load_before, "load_after": loadavg()}
    if spill is not None:
        result["spill_peak_mb"] = round(state["spill_peak"] / 2**20)
    steps = [json.loads(line[len("STEP "):]) for line in stderr.splitlines() if line.startswith("STEP ")]
    if steps:
        result["steps_done"] = {k: v for step in steps for k, v in step.items()}
    if code and not state["killed"]:
        result["error"] = [line for line in stderr.splitlines() if not line.startswith("STEP ")][-5:]
    for line in stdout.splitlines():
        if line.startswith("RESULT "):
            result["child"] = json.loads(line[len("RESULT "):])
    return result


def parquet_summary(path: Path, table: str) -> dict:
    """Rows and checksums of one output table, read a row group at a time (keys as integers whatever the file holds)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    def ints(column):
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            column = pc.cast(pc.utf8_slice_codeunits(column, 2), pa.int64())
        return pc.sum(column).as_py() or 0

    file = pq.ParquetFile(path)
    keys = {"films": ("film_id", "id"), "credits": ("film_id", "person_id"), "people": ("person_id", "id")}[table]
    present = set(file.schema_arrow.names)
    id_column = keys[0] if keys[0] in present else keys[1]
    columns = [id_column] if table == "films" else (["film_id", "person_id", "role"] if table == "credits" else [id_column, "name"])
    summary = {"rows": file.metadata.num_rows, "bytes": path.stat().st_size}
    sums, roles, unnamed = {}, {}, 0
    for batch in file.iter_batches(columns=columns, batch_size=1 << 20):
        for name in columns:
            if name in ("role", "name"):
                continue
            sums[name] = sums.get(name, 0) + ints(batch.column(name))
        if table == "credits":
            for row in pc.value_counts(batch.column("role")).to_pylist():
                roles[row["values"]] = roles.get(row["values"], 0) + row["counts"]
        if table == "people":
            unnamed += batch.column("name").null_count
    summary["key_sums"] = {("film_id" if n == "id" and table == "films" else "person_id" if n == "id" else n): v for n, v in sums.items()}
    if table == "credits":
        summary["roles"] = dict(sorted(roles.items()))
    if table == "people":
        summary["without_name"] = unnamed
    return summary


def outputs(work: Path) -> dict:
    found = {}
    for table in TABLES:
        path = work / f"{table}.parquet"
        if path.is_file():
            found[table] = parquet_summary(path, table)
    return found


def links_without_crew(folder: Path, data_dir: Path) -> Path:
    """A folder of links to the four files read (no title.crew): what every engine, the baseline included, reads."""
    view = data_dir / f"view-{folder.name}"
    if view.exists():
        shutil.rmtree(view)
    view.mkdir(parents=True)
    for stem in INPUTS:
        path = input_file(folder, stem).resolve()
        (view / path.name).symlink_to(path)
    return view


def bench_folder(folder: Path, args, scratch: Path) -> dict:
    view = links_without_crew(folder, scratch)
    inputs = {stem: input_file(folder, stem).stat().st_size for stem in INPUTS}
    entry = {"folder": str(folder), "input_bytes": inputs, "input_bytes_total": sum(inputs.values()), "engines": {}}
    print(f"\n{folder} ({sum(inputs.values()) / 2**30:.2f} GB of gzip input, without title.crew)", flush=True)
    rss_cap = int(args.rss_cap_gb * 2**30)
    for engine in args.engines:
        package, _, variant = engine.partition(":")  # "duckdb:nofold": credits not folded to one row per (film, person, role)
        work = scratch / f"{package}-{variant or 'fold'}-{folder.name}"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        if package in ("duckdb", "polars"):
            try:
                __import__(package)
            except ImportError:
                entry["engines"][engine] = {"skipped": f"{package} is not installed (pip install {package})"}
                print(f"  {engine:14}  skipped: not installed (pip install {package})", flush=True)
                continue
            spill = scratch / f"spill-{folder.name}" if package == "duckdb" else None
            argv = [sys.executable, __file__, "--child", package, "--folder", str(view), "--work", str(work),
                    "--duckdb-memory", args.duckdb_memory, "--threads", str(args.threads)] + {"nofold": ["--no-fold"], "unique": ["--unique"]}.get(variant, [])
            if spill is not None:
                shutil.rmtree(spill, ignore_errors=True)
                argv += ["--spill", str(spill)]
            result = run_watched(argv, rss_cap, args.time_cap, spill)
            if spill is not None:
                shutil.rmtree(spill, ignore_errors=True)
            if result["returncode"] == 0 and not result["killed"]:
                try:
                    result["output"] = outputs(work)
                except (OSError, ValueError) as exc:  # a broken output file (ArrowInvalid is a ValueError) is a finding, not the end of the run
                    result["output_error"] = f"{type(exc).__name__}: {exc}"
            else:
                result["partial_output"] = {p.name: p.stat().st_size for p in work.glob("*.parquet")}
        else:
            store = work / "store"
            argv = [sys.executable, "-m", "reelgraph", "load", str(view), "--title-types", "all", "--store", str(store), "-q"]
            result = run_watched(argv, rss_cap, args.time_cap)
            result["command"] = "reelgraph load DIR --title-types all --store S -q"
            if (store / "manifest.json").is_file():
                result["store_counts"] = json.loads((store / "manifest.json").read_text())["counts"]
                size, disk = folder_bytes(store)
                result["store_bytes"] = size
                result["store_disk_bytes"] = disk
                if not args.no_baseline_checksums:
                    result["output"] = {t: parquet_summary(store / f"{t}.parquet", t) for t in TABLES}
        size, disk = folder_bytes(work)
        result["output_bytes"] = size
        result["output_disk_bytes"] = disk
        ok = result["returncode"] == 0 and not result["killed"] and "output_error" not in result
        result["ok"] = ok
        result["meets_issue_13"] = {"seconds": ok and result["seconds"] <= TARGETS["seconds"],
                                    "peak_gb": ok and result["peak_rss_mb"] / 1024 <= TARGETS["peak_gb"]}
        entry["engines"][engine] = result
        rows = {t: v["rows"] for t, v in result.get("output", {}).items()} or result.get("store_counts", {})
        status = "ok" if ok else (f"KILLED ({result['killed']['reason']})" if result["killed"] else f"FAILED: {' | '.join(result.get('error', [])) or result.get('output_error')}")
        print(f"  {engine:14}  {result['seconds']:8.1f} s  cpu {result['cpu_seconds']:8.1f} s  peak {result['peak_rss_mb'] / 1024:5.2f} GB  "
              f"out {size / 2**20:8.1f} MB  {rows}  {status}", flush=True)
        if not args.keep_outputs:
            shutil.rmtree(work, ignore_errors=True)
    entry["agreement"] = agreement(entry["engines"])
    print(f"  agreement: {entry['agreement']['verdict']}", flush=True)
    shutil.rmtree(view, ignore_errors=True)
    return entry


def agreement(engines: dict) -> dict:
    """Do the engines that finished give the same rows and checksums (and the baseline the same counts)?"""
    groups = {}
    for name, r in engines.items():
        if r.get("ok") and r.get("output"):
            groups.setdefault("nofold" if name.endswith(":nofold") else "", {})[name] = r  # unique folds as group_by does
    if len(groups) > 1:  # folded and unfolded credits are compared each with their kind
        parts = {variant or "fold": agreement(done) for variant, done in groups.items()}
        return {"groups": parts, "verdict": "; ".join(f"{k}: {v['verdict']}" for k, v in parts.items())}
    done = next(iter(groups.values()), {})
    signatures = {name: {t: {k: v for k, v in r["output"][t].items() if k != "bytes"} for t in TABLES if t in r["output"]} for name, r in done.items()}
    counts = {name: {t: s[t]["rows"] for t in s} for name, s in signatures.items()}
    names = list(signatures)
    differences = []
    for other in names[1:]:
        for table in TABLES:
            a, b = signatures[names[0]].get(table), signatures[other].get(table)
            if a != b:
                differences.append({"table": table, names[0]: a, other: b})
    if len(names) < 2:
        verdict = f"not checked: {len(names)} engine(s) finished"
    elif differences:
        verdict = f"DIFFER ({len(differences)} tables): " + ", ".join(d["table"] for d in differences)
    else:
        verdict = f"agree exactly ({', '.join(names)}): rows, key sums, roles, people without a name"
    return {"compared": names, "counts": counts, "differences": differences, "verdict": verdict}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--folder", action="append", default=[], help="an IMDb dataset folder (repeat for several); each is measured with every engine")
    parser.add_argument("--check-titles", type=int, default=20_000,
                        help="titles of a small folder generated for the agreement check of all engines (0: none)")
    parser.add_argument("--engines", default=",".join(ENGINES),
                        help=f"comma-separated, of {', '.join(ENGINES)}, duckdb:nofold, polars:nofold (credits not folded on film, person, "
                             "role), polars:unique (folded by LazyFrame.unique instead of group_by)")
    parser.add_argument("--duckdb-memory", default="4GB", help="DuckDB's memory_limit")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2, help="DuckDB's threads")
    parser.add_argument("--rss-cap-gb", type=float, default=14.0, help="kill a child over this RSS (protects a shared machine)")
    parser.add_argument("--time-cap", type=float, default=900.0, help="kill a child running longer (seconds)")
    parser.add_argument("--data-dir", default=os.path.join(tempfile.gettempdir(), "reelgraph-bench-engines"),
                        help="outputs, spill files and the generated check folder (removed at the end)")
    parser.add_argument("--generator", help="a JSON file of the generator's own measurements for the folders, stored as is")
    parser.add_argument("--no-baseline-checksums", action="store_true", help="baseline: counts from the store's manifest only")
    parser.add_argument("--keep-outputs", action="store_true")
    parser.add_argument("--quick", action="store_true", help="only the 20k-title check folder: results/engines_quick.json")
    parser.add_argument("--out", help="result file [benchmarks/results/engines(_quick).json]")
    # the child side
    parser.add_argument("--child", choices=("duckdb", "polars"), help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    parser.add_argument("--spill", help=argparse.SUPPRESS)
    parser.add_argument("--no-fold", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--unique", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child_main(args)
    args.engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = [e for e in args.engines if e not in ENGINES and e not in ("duckdb:nofold", "polars:nofold", "polars:unique")]
    if unknown:
        parser.error(f"unknown engines: {', '.join(unknown)}")
    if args.quick:
        args.folder = []
    if not args.folder and not args.check_titles:
        parser.error("nothing to measure: give --folder or --check-titles")
    out = Path(args.out) if args.out else RESULTS / ("engines_quick.json" if args.quick else "engines.json")
    data_dir = Path(args.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)

    report = {"benchmark": "benchmarks/bench_engines.py", "issue": 13, "when": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
              "machine": machine() | {"load_at_start": loadavg()}, "versions": versions(), "targets": TARGETS,
              "settings": {"duckdb_memory_limit": args.duckdb_memory, "threads": args.threads, "rss_cap_gb": args.rss_cap_gb,
                           "time_cap_seconds": args.time_cap, "categories": list(CATEGORIES), "inputs": list(INPUTS),
                           "title_types": "all (adult titles dropped)"},
              "what": "films (title.basics + title.ratings), credits (title.principals of kept titles and the default categories, "
                      "one row per film, person, role), people (named by credits; name.basics row when there is one) as Parquet, "
                      "integer keys; each engine a fresh child process; title.crew not read",
              "folders": []}
    if args.generator:
        report["generator"] = json.loads(Path(args.generator).read_text())
    missing = [name for name in ("duckdb", "polars") if name in args.engines and report["versions"].get(name) is None]
    if missing:
        print(f"not installed, skipped: {', '.join(missing)} (pip install {' '.join(missing)})", flush=True)
    try:
        if args.check_titles:
            check = data_dir / f"check-{args.check_titles}"
            if not (check / "title.principals.tsv.gz").is_file():
                from reelgraph.loaders.synth import write_synthetic_datasets

                write_synthetic_datasets(check, titles=args.check_titles, seed=0, progress=False)
            entry = bench_folder(check, args, data_dir)
            entry["titles"] = args.check_titles
            entry["role"] = "agreement check (every engine, reelgraph's own loader included)"
            report["folders"].append(entry)
        for folder in args.folder:
            entry = bench_folder(Path(folder), args, data_dir)
            report["folders"].append(entry)
            RESULTS.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(report, indent=2) + "\n")  # what is measured so far, should a later folder fail
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    report["machine"]["load_at_end"] = loadavg()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

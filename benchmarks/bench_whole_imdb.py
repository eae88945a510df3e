"""The whole IMDb on this machine (issue #13): load, refresh, cold commands, one page added, the peer.

```sh
reelgraph synth --titles 12000000 -o /tmp/imdb-12m -q          # the whole IMDb's size, about 3 minutes
flock /tmp/reelgraph-bench.lock python benchmarks/bench_whole_imdb.py --folder /tmp/imdb-12m
flock /tmp/reelgraph-bench.lock python benchmarks/bench_whole_imdb.py --folder /tmp/imdb-12m --sqlite   # + the peer, ~20 min
python benchmarks/bench_whole_imdb.py --folder /tmp/imdb-20k --out benchmarks/results/whole_imdb_quick.json   # a dry run
```

Each step is one whole process, as a user runs it, watched for wall time, CPU
time and peak RSS (``os.wait4``; a sampled RSS of the process tree too) and
killed over ``--rss-cap`` or ``--time-cap`` (recorded as such):

1. ``reelgraph load FOLDER --title-types all`` into an empty store: the store's size on disk after;
2. the same again (a refresh that finds nothing changed: its report says so);
3. cold commands on that store, ``--repeats`` runs each (``bench_commands.measure_command``):
   ``path A B``, ``bacon A``, ``similar FILM``, ``stats``, ``show FILM``,
   ``export --format csv --around FILM --depth 1`` (A and B: the two people with most credits,
   FILM the most voted film of A);
4. opening the store from Python (``reelgraph.open_mirror``) in a fresh process;
5. adding one saved page (the bundled seed page) to a copy of the store (hard links: nothing copied);
6. with ``--sqlite``: the peer, ``imdb-sqlite --only people,titles,crew --no-index`` on the same folder
   (as ``bench_tsv_load.py`` runs it);
7. with ``--previous REELGRAPH``: the version before issue #13 loading the same folder (it is expected
   to be killed at the cap: it holds the whole tables in pandas).

Results: ``benchmarks/results/whole_imdb.json`` (``--out``), with the machine and load averages.
Targets (issue #13): load at most 300 s and 6 GB; commands at most 2 s and 3 GB; opening at most 2 s.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_commands import OUT, measure_command, store_sizes  # noqa: E402
from bench_engines import loadavg, machine, run_watched  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SEED_PAGE = ROOT / "loaders" / "sample" / "pages" / "never-let-me-go.imdb.txt"
IMDB_SQLITE = Path(sys.executable).with_name("imdb-sqlite")
TARGETS = {"load_seconds": 300, "load_peak_gb": 6.0, "command_seconds": 2.0, "command_peak_gb": 3.0,
           "open_seconds": 2.0}
REELGRAPH = [sys.executable, "-m", "reelgraph"]


def reelgraph_load(sources: list[Path], store: Path, args, *options: str) -> dict:
    argv = [*REELGRAPH, "load", *map(str, sources), "--store", str(store), "-q", "--json", *options]
    out = store.parent / f".{store.name}.load-stdout.json"
    # stdout (the JSON report) goes to a file: run_watched keeps only its RESULT lines
    run = run_watched(["bash", "-c", 'exec "$@" > "$0"', str(out), *argv], rss_cap=int(args.rss_cap * 2**30),
                      time_cap=args.time_cap)
    try:
        run["report"] = json.loads(out.read_text())
    except (OSError, ValueError):
        run["report"] = None
    out.unlink(missing_ok=True)
    return run


def open_from_python(store: Path, repeats: int) -> dict:
    code = ("import time; t = time.perf_counter(); import reelgraph; m = reelgraph.open_mirror(%r); "
            "n = m.n_nodes; print(round(time.perf_counter() - t, 3))" % str(store))
    runs = []
    for _ in range(repeats):
        began = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        runs.append({"seconds_inside": float(done.stdout.strip() or "nan"),
                     "seconds_process": round(time.perf_counter() - began, 3), "returncode": done.returncode,
                     "error": done.stderr.strip().splitlines()[-1:] if done.returncode else []})
    return {"runs": runs, "median_seconds_inside": sorted(r["seconds_inside"] for r in runs)[len(runs) // 2]}


def pick(store: Path) -> dict:
    """A, B and FILM, from the graph index (the tables are too big for this process to read whole)."""
    code = r"""
import json, sys
import numpy as np
import reelgraph
m = reelgraph.open_mirror(sys.argv[1])
deg = np.asarray(m.degrees())[: m.n_people]
top = np.argsort(-deg, kind="stable")[:2]
a, b = (m.ids[int(i)] for i in top)
view = m.view(m.role_set(actors_only=False))
films = view.indices[view.indptr[top[0]]: view.indptr[top[0] + 1]]
votes = np.asarray(m.film_votes)[films - m.n_people]
film = m.ids[int(films[int(np.argmax(votes))])]
print(json.dumps({"person_a": a, "person_b": b, "film": film}))
"""
    done = subprocess.run([sys.executable, "-c", code, str(store)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def commands(subjects: dict) -> dict:
    a, b, film = subjects["person_a"], subjects["person_b"], subjects["film"]
    return {
        "path": {"args": ["path", a, b]},
        "bacon": {"args": ["bacon", a]},
        "similar": {"args": ["similar", film]},
        "stats": {"args": ["stats"]},
        "show": {"args": ["show", film, "-o", OUT + ".html"]},
        "export_around": {"args": ["export", "--format", "csv", "--around", film, "--depth", "1", "-o", OUT]},
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folder", type=Path, required=True, help="An IMDb datasets folder (reelgraph synth).")
    parser.add_argument("--work", type=Path, default=Path("/tmp/reelgraph-whole"), help="Stores go here.")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rss-cap", type=float, default=14.0, help="GB: a process over it is killed.")
    parser.add_argument("--time-cap", type=float, default=2400.0, help="Seconds: a process over it is killed.")
    parser.add_argument("--reuse-store", action="store_true", help="Skip the loads: time the commands on --work's store.")
    parser.add_argument("--sqlite", action="store_true", help="Also run imdb-sqlite on the folder (about 20 minutes).")
    parser.add_argument("--previous", help="The reelgraph program of the version before issue #13, to load the folder too.")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "whole_imdb.json")
    args = parser.parse_args(argv)

    args.work.mkdir(parents=True, exist_ok=True)
    store = args.work / "store"
    result = {"folder": str(args.folder), "machine": machine(), "python": platform.python_version(),
              "load_average_start": loadavg(), "targets": TARGETS,
              "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())}
    summary = args.folder / "synth-summary.json"
    if summary.is_file():
        result["folder_summary"] = json.loads(summary.read_text())

    def save():
        result["load_average_end"] = loadavg()
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=1) + "\n")

    if not args.reuse_store:
        shutil.rmtree(store, ignore_errors=True)
        print("load into an empty store ...", flush=True)
        result["load"] = reelgraph_load([args.folder], store, args, "--title-types", "all")
        result["load"]["store_sizes"] = store_sizes(store) if store.exists() else None
        print(f"  {result['load']['seconds']} s, peak {result['load']['peak_rss_mb']} MB", flush=True)
        save()
        print("load again (a refresh finding nothing new) ...", flush=True)
        result["reload"] = reelgraph_load([args.folder], store, args, "--title-types", "all")
        print(f"  {result['reload']['seconds']} s, peak {result['reload']['peak_rss_mb']} MB", flush=True)
        save()

    subjects = pick(store)
    result["subjects"] = subjects
    scratch = args.work / "scratch"
    scratch.mkdir(exist_ok=True)
    result["commands"] = {}
    for name, spec in commands(subjects).items():
        print(f"{name} ...", flush=True)
        figures = measure_command(spec, REELGRAPH, None, store, scratch, args.repeats)
        result["commands"][name] = figures
        print(f"  median {figures['new']['median_seconds']} s, peak {figures['new'].get('max_peak_mb')} MB", flush=True)
        save()
    result["open_from_python"] = open_from_python(store, args.repeats)
    save()

    print("add one saved page to a copy of the store ...", flush=True)
    copy = args.work / "store-page"
    shutil.rmtree(copy, ignore_errors=True)
    subprocess.run(["cp", "-al", str(store), str(copy)], check=True)  # files are never changed in place
    result["add_page"] = reelgraph_load([SEED_PAGE], copy, args)
    print(f"  {result['add_page']['seconds']} s, peak {result['add_page']['peak_rss_mb']} MB", flush=True)
    shutil.rmtree(copy, ignore_errors=True)
    save()

    if args.sqlite:
        print("imdb-sqlite ...", flush=True)
        db = args.work / "imdb.db"
        db.unlink(missing_ok=True)
        result["imdb_sqlite"] = run_watched([str(IMDB_SQLITE), "--db", str(db), "--cache-dir", str(args.folder),
                                             "--only", "people,titles,crew", "--no-index"],
                                            rss_cap=int(args.rss_cap * 2**30), time_cap=args.time_cap)
        result["imdb_sqlite"]["db_bytes"] = db.stat().st_size if db.exists() else None
        db.unlink(missing_ok=True)
        save()
    if args.previous:
        print("the version before issue #13 ...", flush=True)
        previous_store = args.work / "store-previous"
        shutil.rmtree(previous_store, ignore_errors=True)
        result["previous_load"] = run_watched([args.previous, "load", str(args.folder), "--title-types", "all",
                                               "--store", str(previous_store), "-q"],
                                              rss_cap=int(args.rss_cap * 2**30), time_cap=args.time_cap)
        shutil.rmtree(previous_store, ignore_errors=True)
        save()
    save()
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python
"""Adding saved pages to a large store: whole ``reelgraph load PAGE --store S`` processes, timed (a script, not a test).

A user who loaded IMDb's movies (500k titles of the synthetic folder,
``bench_tsv_load.prepare``) then adds the pages they save, one at a time.
Each load used to merge every source again and compare every row; a load
that touches few keys now re-merges only those (``LocalStore._merge_touched``).
The target (issue): at most 2 s a page plus a constant.

For each route, on a fresh copy of the same store, as whole processes with
wall time, CPU time and peak RSS (``os.wait4``, ``bench_commands.run_process``):

1. ``add page``: the sample's seed page (its "More like this" films are stubs);
2. ``add a second page``: another saved page;
3. ``replace a page``: a newer copy of the first page's film (the HTML
   page of the same title), which replaces that source's rows;
4. ``add N pages`` (on another fresh copy): N saved pages in one load,
   so that the seconds a page and the constant can be told apart:
   ``(seconds of N pages - seconds of step 1) / (N - 1)`` a page;
5. ``add M generated pages`` (``--pages M``, on another fresh copy): the
   seed page as saved for M other films of the store (its id changed), in
   one load: the seconds a page over many pages, as above.

Then, with ``--settled K``, the common case of a user who keeps adding
pages: the store with the seed page already in it (its films' chunks then
have the pages' columns), settled by each route on a copy of its own,
and K generated pages (after one more, a warm-up), each into its own fresh copy of that settled store,
the routes in turn page by page (so that a busy minute of a shared machine
falls on both).

Routes:

* ``touched``: this tree, as it is;
* ``merge_all``: this tree with the full merge forced (``_TOUCHED_SHARE`` 0),
  the same run and the same writes otherwise: what the change itself saves;
* ``baseline``: a copy of the tree from before the change (``--baseline-src``,
  a folder with ``graph/`` and ``loaders/``; skipped when absent), imported
  through a folder of links named ``reelgraph``.

Usage::

    python benchmarks/bench_add_page.py                    # 500k movies (reuses /tmp/s500k when there)
    python benchmarks/bench_add_page.py --routes touched   # this tree only
    # the whole IMDb: a store this tree loaded, and one the baseline loaded (it reads no later format)
    python benchmarks/bench_add_page.py --store WHOLE --baseline-store WHOLE_OLD --link --pages 40 \
        --routes touched,baseline --touched-src SNAPSHOT --out benchmarks/results/add_page_whole.json
    # a page on a settled store only, the two trees in turn (hard links: the whole IMDb's store)
    python benchmarks/bench_add_page.py --store WHOLE --link --settled 3 --steps settled \
        --routes touched,baseline --out benchmarks/results/add_page_whole_settled.json

Writes ``benchmarks/results/add_page.json`` (whatever it measured, target met or not).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "benchmarks"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from bench_commands import run_process  # noqa: E402
from bench_tsv_load import RESULTS, loadavg  # noqa: E402

from reelgraph.graph_index import _GROWING as GROWING_ARRAYS  # noqa: E402

SEED_PAGE = ROOT / "loaders" / "sample" / "pages" / "never-let-me-go.imdb.txt"
PAGES = ROOT / "tests" / "fixtures" / "html"
#: The seed page's film again (the same source key): loading it replaces the seed page's rows.
NEWER_COPY = PAGES / "never_let_me_go.html"
OTHER_PAGES = [PAGES / "atonement_urql_state.html", PAGES / "glass_orchard_tv_series.html",
               PAGES / "pride_and_prejudice_jsonld_only.html"]
TARGET_SECONDS_A_PAGE = 2.0

FORCE_MERGE_ALL = ("import sys; import reelgraph.store as store; store._TOUCHED_SHARE = 0.0; "
                   "from reelgraph.cli import main; sys.exit(main())")


def stored_graph(args) -> Path:
    """A store of the 500k-movie folder: ``--store`` when it holds one (never written to), else one loaded now."""
    given = Path(args.store)
    if (given / "manifest.json").is_file():
        return given
    built = Path(args.work) / "store-500k"
    if not (built / "manifest.json").is_file():
        print(f"loading {args.tsv} into {built} (once)", flush=True)
        result = run_process([sys.executable, "-m", "reelgraph", "load", str(args.tsv), "--store", str(built), "-q"], Path(args.work))
        if result["returncode"]:
            raise SystemExit(f"could not build the store: {result['error']}")
    return built


def source_shim(source: Path, work: Path, name: str = "baseline") -> Path:
    """A folder holding ``reelgraph`` as links to ``source``'s files, as setuptools maps the package."""
    shim = work / f"{name}-shim"
    shutil.rmtree(shim, ignore_errors=True)
    package = shim / "reelgraph"
    package.mkdir(parents=True)
    for item in (source / "graph").iterdir():
        (package / item.name).symlink_to(item)
    (package / "loaders").symlink_to(source / "loaders")
    return shim


def route_command(route: str, shims: dict) -> list[str]:
    """The argv prefix of ``reelgraph`` for ``route``.

    ``env`` sets the variables and execs the interpreter in its own place, so
    ``os.wait4`` still measures that process alone.  ``shims``: route -> the
    folder its ``reelgraph`` is imported from (the baseline; this tree, when
    ``--touched-src`` names a copy of it, so that the tree can change while
    a long run goes on).
    """
    env = ["env", "NEO4J_URI="]  # the store only, whatever the shell has configured
    if route in shims:
        env.append(f"PYTHONPATH={shims[route]}")
    if route == "merge_all":
        return [*env, sys.executable, "-c", FORCE_MERGE_ALL]
    return [*env, sys.executable, "-m", "reelgraph"]


def timed_load(argv: list[str], sources: list[Path], store: Path) -> dict:
    result = run_process([*argv, "load", *map(str, sources), "--store", str(store), "-q"], store.parent)
    result.update(sources=[s.name for s in sources], loadavg=loadavg())
    print(f"  {' '.join(s.name for s in sources)[:60]:60} {result['seconds']:7.2f} s {result['peak_mb']:6} MB"
          + (f"  FAILED: {result['error']}" if result["returncode"] else ""), flush=True)
    return result


def fresh_copy(store: Path, work: Path, name: str, link: bool = False) -> Path:
    copy = work / name
    shutil.rmtree(copy, ignore_errors=True)
    # A real copy: the loads never touch the reused store's files.  ``link``: hard links (a store
    # writes new files and renames them, never changes one in place), for the whole IMDb's 12 GB,
    # but for the index's arrays a write may grow in place when it has them to itself, as a user's
    # store does (graph_index._IndexWriter.extend): those are copied (~1 GB), untimed.
    shutil.copytree(store, copy, copy_function=os.link if link else shutil.copy2)
    if link:
        for name in GROWING_ARRAYS:  # (every route's copy alike)
            path = copy / "index" / f"{name}.npy"
            if path.exists():
                path.unlink()
                shutil.copy2(store / "index" / f"{name}.npy", path)
    return copy


def generated_pages(store: Path, work: Path, count: int) -> list[Path]:
    """The seed page as if saved for ``count`` other films of ``store``: its IMDb id changed, the rest kept.

    Each is a source of its own (a page of that film), its cast and "More
    like this" titles those of the seed page: a page of a film the datasets
    have, the common case, whose people are found by name.
    """
    from reelgraph._parquet_table import ParquetTable

    ids = ParquetTable(store, "films").read_row_group(0, columns=["id"])["id"].to_pylist()
    ids = [film for film in ids if film.startswith("tt") and film != "tt1334260"][::97][:count]
    text = SEED_PAGE.read_text()
    folder = work / "generated-pages"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    pages = []
    for film in ids:
        page = folder / f"{film}.imdb.txt"
        page.write_text(text.replace("tt1334260", film))
        pages.append(page)
    return pages


def measure_route(route: str, store: Path, work: Path, shims: dict, link: bool = False,
                  generated: list[Path] = ()) -> dict:
    print(f"{route}:", flush=True)
    argv = route_command(route, shims)
    copy = fresh_copy(store, work, f"{route}-store", link)
    steps = {"add page": timed_load(argv, [SEED_PAGE], copy),
             "add a second page": timed_load(argv, OTHER_PAGES[:1], copy),
             "replace a page": timed_load(argv, [NEWER_COPY], copy)}
    copy = fresh_copy(store, work, f"{route}-store", link)
    pages = [SEED_PAGE, *OTHER_PAGES]
    steps[f"add {len(pages)} pages"] = timed_load(argv, pages, copy)
    shutil.rmtree(copy, ignore_errors=True)
    per_page = (steps[f"add {len(pages)} pages"]["seconds"] - steps["add page"]["seconds"]) / (len(pages) - 1)
    out = {"steps": steps, "seconds_a_page": round(per_page, 2),
           "constant_seconds": round(steps["add page"]["seconds"] - per_page, 2)}
    if generated:
        copy = fresh_copy(store, work, f"{route}-store", link)
        many = steps[f"add {len(generated)} generated pages"] = timed_load(argv, generated, copy)
        shutil.rmtree(copy, ignore_errors=True)
        out["seconds_a_page_over_generated"] = round((many["seconds"] - steps["add page"]["seconds"]) / (len(generated) - 1), 2)
    return out


def measure_settled(routes: list[str], stores: dict, work: Path, shims: dict, pages: list[Path], link: bool) -> dict:
    """Each of ``pages`` added to a fresh copy of the store that already holds the seed page, the routes in turn."""
    settled, prepared = {}, {}
    for route in routes:  # each tree settles its own copy (a store its own version wrote)
        print(f"{route} settles {stores[route]} with the seed page:", flush=True)
        settled[route] = fresh_copy(stores[route], work, f"settled-{route}", link)
        prepared[route] = timed_load(route_command(route, shims), [SEED_PAGE], settled[route])
    rows = []
    for page in pages:
        # the first page of each route is a warm-up, not counted: the first patch of a fresh copy of a tree compiles
        row = {"page": page.name, "warm_up": not rows}
        for route in routes:
            print(f"{route}:", flush=True)
            copy = fresh_copy(settled[route], work, f"{route}-settled", link)
            row[route] = timed_load(route_command(route, shims), [page], copy)
            shutil.rmtree(copy, ignore_errors=True)
        rows.append(row)
    for copy in settled.values():
        shutil.rmtree(copy, ignore_errors=True)
    return {"prepared": prepared, "pages": rows,
            "median_seconds": {route: sorted(row[route]["seconds"] for row in rows[1:])[(len(rows) - 1) // 2]
                               for route in routes}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tsv", default=os.path.join(tempfile.gettempdir(), "reelgraph-bench-tsv",
                                                      "imdb-500k-movies-seed0"),
                        help="the synthetic IMDb folder a store is loaded from when --store has none")
    parser.add_argument("--store", default="/tmp/s500k", help="a store of --tsv to reuse (copied, never written)")
    parser.add_argument("--baseline-store", default=None,
                        help="the store the baseline route adds pages to (default --store): a store this tree "
                             "wrote may be of a format the baseline does not read")
    parser.add_argument("--touched-src", default=None,
                        help="a copy of this tree (graph/, loaders/) for the touched route to import")
    parser.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "addpage-bench"))
    parser.add_argument("--baseline-src", default=os.path.join(tempfile.gettempdir(), "addpage-baseline-src"),
                        help="a copy of the tree from before the change (skipped when absent)")
    parser.add_argument("--routes", default="baseline,merge_all,touched")
    parser.add_argument("--out", default=str(RESULTS / "add_page.json"))
    parser.add_argument("--pages", type=int, default=0,
                        help="also load this many generated pages in one process (the seed page for other films)")
    parser.add_argument("--settled", type=int, default=0,
                        help="also add this many generated pages, each to a fresh copy of the store with the seed "
                             "page in it, the routes in turn")
    parser.add_argument("--steps", choices=["all", "settled"], default="all",
                        help="settled: measure only --settled (each route's own steps are long at the whole size)")
    parser.add_argument("--link", action="store_true",
                        help="copy the store as hard links (a store of the whole IMDb: 12 GB)")
    args = parser.parse_args()

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    store = stored_graph(args)
    stores = {"baseline": Path(args.baseline_store)} if args.baseline_store else {}
    baseline = Path(args.baseline_src)
    shims = {"baseline": source_shim(baseline, work)} if (baseline / "graph" / "store.py").is_file() else {}
    if args.touched_src:
        shims["touched"] = source_shim(Path(args.touched_src), work, "touched")
    routes = [r for r in args.routes.split(",") if r and (r != "baseline" or "baseline" in shims)]
    report = {
        "machine": {"cpus": os.cpu_count(), "loadavg_at_start": loadavg()},
        "store": {"path": str(store), "counts": json.loads((store / "manifest.json").read_text())["counts"],
                  "baseline_path": str(stores.get("baseline", store))},
        "target": {"seconds_a_page": TARGET_SECONDS_A_PAGE, "plus": "a constant"},
        "baseline_src": str(baseline) if "baseline" in shims else None,
        "routes": {},
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    wanted = max(args.pages if args.pages > 1 else 0, args.settled + 1 if args.settled else 0)
    generated = generated_pages(store, work, wanted) if wanted else []
    for route in routes if args.steps == "all" else []:
        report["routes"][route] = measure_route(route, stores.get(route, store), work, shims, args.link,
                                                generated[:args.pages] if args.pages > 1 else [])
        report["machine"]["loadavg_at_end"] = loadavg()
        if "touched" in report["routes"]:
            touched = report["routes"]["touched"]
            # the constant is what one page costs beyond its share: reading and writing the whole store
            # met only if met over both: the generated pages share the seed page's people and links
            per_page = max(touched["seconds_a_page"], touched.get("seconds_a_page_over_generated", 0))
            report["target"].update(seconds_a_page_met=per_page <= TARGET_SECONDS_A_PAGE,
                                    constant_seconds=touched["constant_seconds"])
        out.write_text(json.dumps(report, indent=1) + "\n")  # after every route: a stopped run keeps what it measured
    if args.settled:
        report["settled"] = measure_settled(routes, {route: stores.get(route, store) for route in routes}, work, shims,
                                            generated[:args.settled + 1], args.link)
        report["machine"]["loadavg_at_end"] = loadavg()
        out.write_text(json.dumps(report, indent=1) + "\n")
    for route in shims:
        shutil.rmtree(work / f"{route}-shim", ignore_errors=True)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()

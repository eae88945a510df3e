"""Benchmark of reelgraph's NetworkX backend against plain NetworkX, on one graph, in one run (a script, not a test).

Run from the repository root::

    python benchmarks/bench_nx_backend.py                  # a generated 500k-movie graph
    python benchmarks/bench_nx_backend.py --movies 100000  # smaller and quicker

Data: the synthetic IMDb datasets of ``benchmarks/bench_analysis.py``
(``reelgraph.loaders.synth``, all movies, cached in the system temp folder;
numpy-drawn tables when those loaders are missing), read into a mirror.  The
graph is the mirror's NetworkX graph: a node per person and film, an edge per
(person, film) with a credit of any role.  The backend side calls NetworkX
functions on ``mirror.as_networkx_backend()``; the NetworkX side calls the
same functions on a plain ``networkx.Graph`` with the same nodes and edges in
the same order (structure only: the attribute-laden ``mirror.nx`` takes
minutes more to build and is not what the searches read), so both give the
same answers, and the run checks that they do.

What is measured (``benchmarks/results/nx_backend.json``, ``--out`` to change):

* building each side: the mirror (its arrays) and the plain ``networkx.Graph``,
  time and memory growth (RSS);
* per supported call, both sides: wall time (per-call percentiles for the
  path queries over ``--pairs`` random pairs of people of the largest
  connected part; totals for the whole-graph calls) and the peak RSS growth
  during the calls (sampled every 20 ms), and whether the answers agreed;
* the backend's overhead on a path query: ``nx.shortest_path(G, a, b)`` on
  the backend graph against the direct API on the same graph,
  ``costar_path(mirror, a, b, actors_only=False, exclude_roles=())``, ids
  given; target: at most 2x at p50 and p99 of CPU time (wall time is recorded too).
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
for folder in (ROOT, ROOT / "benchmarks"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from bench_analysis import (  # noqa: E402  the same data, meters and percentiles as the analysis benchmark
    PeakSampler,
    data_folder,
    gb,
    load_average,
    load_tables,
    peak_rss_bytes,
    percentiles,
    rss_bytes,
    synth_available,
    verdict,
)

RESULTS = ROOT / "benchmarks" / "results" / "nx_backend.json"

#: The backend's path query against the direct API (costar_path) on the same graph: at most this many times slower.
OVERHEAD_TARGET = 2.0


def plain_networkx(mirror, view):
    """A ``networkx.Graph`` with the mirror's nodes and credit edges, in the order ``mirror.nx`` has them."""
    import networkx as nx

    G = nx.Graph()
    G.add_nodes_from(mirror.ids.tolist())
    rows = np.repeat(np.arange(mirror.n_nodes), np.diff(view.indptr))
    upper = rows < view.indices  # each edge once, from its lower row: rows are sorted, so adjacency order is too
    G.add_edges_from(zip(mirror.ids[rows[upper]].tolist(), mirror.ids[view.indices[upper]].tolist()))
    return G


def per_call(fn, pairs) -> tuple[list, list, list]:
    """Each pair's answer, wall time and CPU time (on a shared machine wall time includes time spent waiting for a core)."""
    out, wall, cpu = [], [], []
    for s, t in pairs:
        w0, c0 = time.perf_counter(), time.thread_time()
        out.append(fn(s, t))
        wall.append(time.perf_counter() - w0)
        cpu.append(time.thread_time() - c0)
    return out, wall, cpu


def measured(fn):
    """``fn()``'s value, wall seconds and peak RSS growth (GB) while it ran (the garbage collector paused, for both sides alike)."""
    gc.collect()
    gc.disable()
    try:
        with PeakSampler() as meter:
            w0 = time.perf_counter()
            value = fn()
            seconds = time.perf_counter() - w0
    finally:
        gc.enable()
    return value, seconds, gb(meter.peak - meter.start)


def compare_pairs(name, backend_fn, nx_fn, pairs, sides=("backend", "networkx")) -> dict:
    """One pair query, both sides (named ``sides`` in the printout), over all pairs: percentiles, peak memory, agreement."""
    (mine, t_mine, c_mine), _, peak_mine = measured(lambda: per_call(backend_fn, pairs))
    (theirs, t_theirs, c_theirs), _, peak_theirs = measured(lambda: per_call(nx_fn, pairs))
    row = {"calls": len(pairs),
           "backend": {**percentiles(t_mine), "cpu": percentiles(c_mine), "peak_rss_growth_gb": peak_mine},
           "networkx": {**percentiles(t_theirs), "cpu": percentiles(c_theirs), "peak_rss_growth_gb": peak_theirs},
           "same_answers": sum(a == b for a, b in zip(mine, theirs))}
    row["speedup_p50"] = round(row["networkx"]["p50_ms"] / max(row["backend"]["p50_ms"], 1e-6), 2)
    print(f"  {name}: {sides[0]} p50 {row['backend']['p50_ms']} ms p99 {row['backend']['p99_ms']} ms (CPU "
          f"{row['backend']['cpu']['p50_ms']} / {row['backend']['cpu']['p99_ms']}); {sides[1]} p50 {row['networkx']['p50_ms']} "
          f"ms p99 {row['networkx']['p99_ms']} ms (CPU {row['networkx']['cpu']['p50_ms']} / {row['networkx']['cpu']['p99_ms']}); "
          f"same answers {row['same_answers']}/{len(pairs)}", flush=True)
    return row


def compare_whole(name, backend_fn, nx_fn, repeat: int) -> dict:
    """A whole-graph call, both sides, ``repeat`` times: total seconds, peak memory, agreement."""
    mine, s_mine, peak_mine = measured(lambda: [backend_fn(i) for i in range(repeat)])
    theirs, s_theirs, peak_theirs = measured(lambda: [nx_fn(i) for i in range(repeat)])
    row = {"calls": repeat, "backend": {"seconds": round(s_mine, 4), "peak_rss_growth_gb": peak_mine},
           "networkx": {"seconds": round(s_theirs, 4), "peak_rss_growth_gb": peak_theirs},
           "same_answers": sum(a == b for a, b in zip(mine, theirs))}
    row["speedup"] = round(s_theirs / max(s_mine, 1e-9), 2)
    print(f"  {name}: backend {s_mine:.3f} s, networkx {s_theirs:.3f} s (x{row['speedup']}); peak +{peak_mine} / "
          f"+{peak_theirs} GB; same answers {row['same_answers']}/{repeat}", flush=True)
    return row


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--movies", type=int, default=500_000, help="titles to generate (all movies) [%(default)s]")
    ap.add_argument("--pairs", type=int, default=300, help="random pairs of people for the path queries [%(default)s]")
    ap.add_argument("--sources", type=int, default=3, help="sources for the whole-graph searches [%(default)s]")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--source", choices=["auto", "synth", "numpy"], default="auto")
    ap.add_argument("--out", type=Path, default=RESULTS, help="result file [%(default)s]")
    args = ap.parse_args(argv)
    source = args.source if args.source != "auto" else ("synth" if synth_available() else "numpy")

    import networkx as nx

    from reelgraph.analysis.paths import costar_path
    from reelgraph.mirror import build_mirror

    started = time.perf_counter()
    results: dict = {
        "config": {"movies": args.movies, "pairs": args.pairs, "sources": args.sources, "seed": args.seed, "source": source},
        "machine": {"python": platform.python_version(), "numpy": np.__version__, "networkx": nx.__version__,
                    "load_average_start": load_average()},
        "targets": {"path_overhead_vs_costar_path": OVERHEAD_TARGET},
    }

    def log(msg):
        print(f"[{time.perf_counter() - started:7.1f}s] {msg}", flush=True)

    if source == "synth":
        log(f"synthetic IMDb datasets for {args.movies} titles")
        data_folder(args.movies, args.seed)
    log("reading the tables")
    tables = load_tables(source, args.movies, args.seed)
    gc.collect()
    base = rss_bytes()
    mirror, s_mirror, _ = measured(lambda: build_mirror(tables))
    view = mirror.view(frozenset(mirror.role_names))
    G = mirror.as_networkx_backend()
    mirror_gb = gb(rss_bytes() - base)
    base = rss_bytes()
    N, s_nx, _ = measured(lambda: plain_networkx(mirror, view))
    nx_gb = gb(rss_bytes() - base)
    results["graph"] = {"nodes": mirror.n_nodes, "edges": view.n_edges, "credits": len(mirror.credit_person)}
    results["build"] = {"mirror": {"seconds": round(s_mirror, 3), "rss_growth_gb": mirror_gb,
                                   "arrays_gb": gb(view.indptr.nbytes + view.indices.nbytes)},
                        "networkx": {"seconds": round(s_nx, 3), "rss_growth_gb": nx_gb}}
    log(f"graph: {mirror.n_nodes} nodes, {view.n_edges} edges; mirror {s_mirror:.1f} s (+{mirror_gb} GB), "
        f"networkx.Graph {s_nx:.1f} s (+{nx_gb} GB)")

    # Pairs: random people of the largest connected part, so most queries find a path.
    from reelgraph._nx_backend_kernels import component_labels

    labels, _ = component_labels(view.indptr, view.indices, np.empty(mirror.n_nodes, np.int32))
    people = np.flatnonzero(labels[: mirror.n_people] == np.bincount(labels).argmax())
    rng = np.random.default_rng(args.seed)
    picks = rng.choice(people, (args.pairs, 2))
    pairs = [(str(mirror.ids[s]), str(mirror.ids[t])) for s, t in picks if s != t]
    sources = [str(mirror.ids[i]) for i in rng.choice(people, args.sources, replace=False)]
    for s, t in pairs[:20]:  # warm-up: compiled kernels, scratch arrays
        nx.shortest_path(G, s, t), costar_path(mirror, s, t, actors_only=False, exclude_roles=())

    log(f"path queries over {len(pairs)} pairs")
    calls: dict = {}
    for name, f in (("shortest_path", nx.shortest_path), ("bidirectional_shortest_path", nx.bidirectional_shortest_path),
                    ("shortest_path_length", nx.shortest_path_length), ("has_path", nx.has_path)):
        calls[name] = compare_pairs(name, lambda s, t, f=f: f(G, s, t), lambda s, t, f=f: f(N, s, t), pairs)
    # NetworkX's all_shortest_paths searches the whole connected part first (seconds a pair at this size): fewer pairs,
    # and the first 100 paths of each (enumerating every one can take long).
    few = pairs[: max(1, len(pairs) // 30)]
    calls["all_shortest_paths"] = compare_pairs(
        "all_shortest_paths (first 100)", lambda s, t: list(itertools.islice(nx.all_shortest_paths(G, s, t), 100)),
        lambda s, t: list(itertools.islice(nx.all_shortest_paths(N, s, t), 100)), few)
    calls["all_shortest_paths"]["pairs_note"] = "first 100 paths of each of the first thirtieth of the pairs"
    calls["closeness_centrality(G, u)"] = compare_pairs(
        "closeness_centrality(G, u)", lambda s, t: nx.closeness_centrality(G, s), lambda s, t: nx.closeness_centrality(N, s),
        [(s, None) for s in sources])

    log(f"whole-graph calls ({len(sources)} sources where there is one)")
    k = len(sources)
    calls["single_source_shortest_path_length"] = compare_whole(
        "single_source_shortest_path_length", lambda i: nx.single_source_shortest_path_length(G, sources[i]),
        lambda i: nx.single_source_shortest_path_length(N, sources[i]), k)
    calls["shortest_path_length(G, source)"] = compare_whole(
        "shortest_path_length(G, source)", lambda i: nx.shortest_path_length(G, sources[i]),
        lambda i: nx.shortest_path_length(N, sources[i]), k)
    calls["shortest_path(G, source)"] = compare_whole(
        "shortest_path(G, source)", lambda i: nx.shortest_path(G, sources[i]), lambda i: nx.shortest_path(N, sources[i]), 1)
    calls["node_connected_component"] = compare_whole(
        "node_connected_component", lambda i: nx.node_connected_component(G, sources[i]),
        lambda i: nx.node_connected_component(N, sources[i]), 1)
    calls["connected_components"] = compare_whole(
        "connected_components", lambda i: list(nx.connected_components(G)), lambda i: list(nx.connected_components(N)), 1)
    calls["number_connected_components"] = compare_whole(
        "number_connected_components", lambda i: nx.number_connected_components(G),
        lambda i: nx.number_connected_components(N), 1)
    results["calls"] = calls

    log("overhead: nx.shortest_path on the backend graph vs costar_path on the same graph")
    direct = compare_pairs("shortest_path overhead",
                           lambda s, t: costar_path(mirror, s, t, actors_only=False, exclude_roles=()).distance,
                           lambda s, t: (len(nx.shortest_path(G, s, t)) - 1) // 2, pairs,
                           sides=("costar_path (all roles)", "nx.shortest_path on the backend graph"))
    overhead = {"costar_path": direct["backend"], "backend_shortest_path": direct["networkx"],
                "same_distances": direct["same_answers"], "calls": direct["calls"],
                "ratio_p50": round(direct["networkx"]["p50_ms"] / direct["backend"]["p50_ms"], 3),
                "ratio_p99": round(direct["networkx"]["p99_ms"] / direct["backend"]["p99_ms"], 3),
                "cpu_ratio_p50": round(direct["networkx"]["cpu"]["p50_ms"] / max(direct["backend"]["cpu"]["p50_ms"], 1e-6), 3),
                "cpu_ratio_p99": round(direct["networkx"]["cpu"]["p99_ms"] / max(direct["backend"]["cpu"]["p99_ms"], 1e-6), 3)}
    # Judged on CPU time: on a shared machine a wall-time p99 is mostly time spent waiting for a core.
    overhead["verdict"] = verdict(max(overhead["cpu_ratio_p50"], overhead["cpu_ratio_p99"]), OVERHEAD_TARGET)
    overhead["verdict_basis"] = "CPU time (time.thread_time) of each call, p50 and p99"
    results["overhead"] = overhead
    log(f"  backend / costar_path: p50 x{overhead['ratio_p50']}, p99 x{overhead['ratio_p99']} (CPU x{overhead['cpu_ratio_p50']}, "
        f"x{overhead['cpu_ratio_p99']}; target <= {OVERHEAD_TARGET}): {overhead['verdict']}")

    results["machine"]["load_average_end"] = load_average()
    results["machine"]["peak_rss_gb"] = gb(peak_rss_bytes())
    results["seconds"] = round(time.perf_counter() - started, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    log(f"written {args.out}")
    return results


if __name__ == "__main__":
    main()

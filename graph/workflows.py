"""What the commands do, as Python functions: load sources, cluster and write back, the demo.

Each ``reelgraph`` command parses its options, calls one function of the API
and prints the result; the functions here are the ones that do more than a
single analysis call (they read and write the stores), so a notebook gets
exactly what the command does:

* :func:`open_store` and :func:`open_mirror`: the local store, and the
  NetworkX mirror built from it;
* :func:`load`: sources -> canonical tables -> the store (and Neo4j);
* :func:`cluster`: similarity clusters of the stored films, written back
  as ``Film.cluster`` to the store (and Neo4j);
* :func:`demo`: the tour of the bundled sample.

Examples
--------
>>> import tempfile
>>> from reelgraph.loaders.sample import SAMPLE_SOURCES
>>> result = load(SAMPLE_SOURCES, store=tempfile.mkdtemp())
>>> result.after["films"], result.changes["films"]["added"]
(30, 30)
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from pathlib import Path

from reelgraph.model import FilmGraph
from reelgraph.store import LocalStore

__all__ = ["open_store", "open_mirror", "load", "LoadResult", "cluster", "demo", "DemoResult"]

log = logging.getLogger(__name__)

#: The film the sample grew from: Never Let Me Go (2010), the seed page.
SEED_FILM_ID = "tt1334260"


def open_store(store=None) -> LocalStore:
    """The local store at ``store`` (a path or a :class:`LocalStore`), else ``$REELGRAPH_STORE`` or the default.

    Examples
    --------
    >>> import tempfile
    >>> store = open_store(tempfile.mkdtemp())
    >>> store.exists()
    False
    """
    return store if isinstance(store, LocalStore) else LocalStore(store)


def open_mirror(store=None):
    """The mirror (:class:`reelgraph.mirror.Mirror`) of the stored graph, memory-mapped from its graph index.

    Opening it reads almost nothing (:mod:`reelgraph.graph_index`): queries
    page in what they touch, and tables become pandas only when asked for
    whole.  A missing or out-of-date index is rebuilt first, with a message.

    Examples
    --------
    >>> import tempfile
    >>> from reelgraph.loaders.sample import SAMPLE_SOURCES
    >>> store = tempfile.mkdtemp()
    >>> _ = load(SAMPLE_SOURCES, store=store)
    >>> mirror = open_mirror(store)
    >>> mirror.n_films, mirror.n_people
    (30, 281)
    """
    return open_store(store).mirror()


@dataclass
class LoadResult:
    """What :func:`load` did: counts before and after, per-table changes, Neo4j, skipped files.

    Examples
    --------
    >>> import tempfile
    >>> from reelgraph.loaders.sample import SAMPLE_SOURCES
    >>> load(SAMPLE_SOURCES, store=tempfile.mkdtemp()).to_dict()["after"]["credits"]
    361
    """

    store: Path
    before: dict
    after: dict
    changes: dict
    neo4j: dict | None = None
    datasets: list = field(default_factory=list)
    skipped: list = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"store": str(self.store), "before": self.before, "after": self.after, "changes": self.changes,
                "neo4j": self.neo4j, "datasets": [dataclasses.asdict(r) for r in self.datasets],
                "skipped": [{"path": str(p), "error": m} for p, m in self.skipped]}


def _to_neo4j(graph: FilmGraph, neo4j, progress: bool, bulk: bool | None = None) -> dict | None:
    """Mirror the whole graph into Neo4j when ``neo4j`` (settings) is configured; None when it is not.

    ``graph`` may be the store's Parquet files (:class:`~reelgraph.store.TableFiles`): the
    bulk loader writes its import files from them out of core, and only the
    batched sync reads them into memory.
    """
    if neo4j is None or not neo4j.configured:
        return None
    from reelgraph.neo4j.bulk import (
        load_graph,  # and the server module: only when there is a Neo4j to write to
    )

    loader, counts = load_graph(graph, neo4j, bulk=bulk, progress=progress)
    return {**counts, "loader": loader}


def load(sources, *, store=None, neo4j=None, bulk: bool | None = None, on_error: str = "raise",
         progress: bool = False, wait: bool = True, **dataset_options) -> LoadResult:
    """Read ``sources`` and merge them into the store, then (with ``neo4j`` settings) into Neo4j.

    Everything is read before anything is written: bad input leaves the store
    as it was.  Loading the same source twice changes nothing; a newer copy
    of a source replaces the older one's rows.

    Parameters
    ----------
    sources : list of paths
        Saved IMDb pages (.txt, .html), folders of them, IMDb dataset
        folders, folders of canonical tables.
    store : path or LocalStore, optional
        Default ``$REELGRAPH_STORE`` or ``~/.local/share/reelgraph/store``.
    neo4j : reelgraph.neo4j.sync.Neo4jSettings, optional
        Where to mirror the whole graph; None (default) writes the store only.
    bulk : bool, optional
        Neo4j: True forces the import tool, False batches, None picks.
    on_error : {"raise", "skip"}
        ``"skip"``: a bad page is left out (named in ``skipped``) and
        bad dataset lines are counted; ``"raise"``: nothing is loaded.
    wait : bool
        False: when another process is writing to the store, a
        :class:`~reelgraph.errors.StoreError` at once (before reading the
        sources) instead of waiting for it.
    **dataset_options
        Filters for IMDb datasets (``title_types``, ``year_range``,
        ``min_votes``, ``categories``, ``include_adult``).

    Examples
    --------
    >>> import tempfile
    >>> from reelgraph.loaders.sample import SAMPLE_SOURCES
    >>> result = load(SAMPLE_SOURCES, store=tempfile.mkdtemp())
    >>> result.after
    {'films': 30, 'people': 281, 'credits': 361, 'similar': 12}
    >>> result.changes["films"], result.skipped
    ({'added': 30, 'updated': 0, 'removed': 0}, [])
    """
    from reelgraph.loaders import read_partitions

    sources = [Path(source).expanduser() for source in sources]  # '~/imdb' as a shell would read it
    target = open_store(store)
    if not wait:
        with target.writing(wait=False):  # busy: say so now, not after minutes of reading
            pass
    with target.source_tables() as tables_dir:  # IMDb's datasets are read out of core, into files beside the store
        parts, read_from = read_partitions(sources, progress=progress, on_error=on_error, tables_dir=tables_dir,
                                           **dataset_options)
        skipped = list(getattr(parts, "skipped", []))
        with target.writing(wait=wait):  # another load waits: the counts before are those this load replaces
            # The manifest has the counts: reading the whole store for them cost seconds and gigabytes.
            before = target.manifest().get("counts") or {name: 0 for name in FilmGraph.TABLES}
            merged, changes = target.load(parts, read_from)
            # Still holding the store: two loads at once would otherwise mirror it into
            # Neo4j at once, each deleting as stale what only the other had added.
            in_neo4j = _to_neo4j(merged, neo4j, progress, bulk)
    reports = [g.report for g in parts.values() if getattr(g, "report", None) is not None]
    return LoadResult(target.path, before, merged.counts(), changes, in_neo4j, reports, skipped)


def cluster(store=None, *, seed: int = 0, resolution: float = 1.0, top_films: int = 5, min_shared: int = 1,
            neo4j=None, step=None, wait: bool = True):
    """Cluster the stored films by similarity and write the ids back as ``Film.cluster``.

    The ids go to the store and, with configured ``neo4j`` settings, to
    Neo4j.  Returns the :class:`reelgraph.analysis.clusters.ClusterResult`.
    ``min_shared``: how many people two films must share for their people
    to link them (:func:`~reelgraph.analysis.similarity.similarity_graph`).
    ``wait=False``: a :class:`~reelgraph.errors.StoreError` at once when
    another process is writing to the store.
    ``step``, if given, is called with the name of each step (progress).

    Examples
    --------
    >>> import tempfile
    >>> from reelgraph.loaders.sample import SAMPLE_SOURCES
    >>> store = tempfile.mkdtemp()
    >>> _ = load(SAMPLE_SOURCES, store=store)
    >>> result = cluster(store, seed=0)
    >>> len(result.clusters), int(open_store(store).read().films["cluster"].notna().sum())
    (4, 30)
    """
    from reelgraph.analysis.clusters import cluster_films
    from reelgraph.analysis.similarity import similarity_graph
    from reelgraph.mirror import build_mirror

    from reelgraph._memory import check_fits, cluster_memory

    step = step or (lambda name: None)
    target = open_store(store)
    with target.writing(wait=wait):  # a load by another process waits, rather than be overwritten by this write
        counts = target.manifest().get("counts") or {}
        # Stopped here, with a message, rather than killed by the kernel halfway (the whole IMDb: ~150 GB).
        check_fits(cluster_memory(counts), f"clustering {int(counts.get('films', 0)):,} films and "
                   f"{int(counts.get('credits', 0)):,} credits",
                   "cluster a store of fewer titles (reelgraph load DATASETS --title-types movie --min-votes N "
                   "--store SMALLER)")
        step("reading the store")
        graph = target.read()
        step("building the mirror")
        mirror = build_mirror(graph)
        step("similarity graph")
        result = cluster_films(similarity_graph(mirror, min_shared=min_shared), seed=seed, resolution=resolution,
                               top_films=top_films, min_shared=min_shared)
        step("writing cluster ids to the store")
        graph.films["cluster"] = graph.films["id"].map(result.membership).astype("Int64")
        target.write(graph)
        if neo4j is not None and neo4j.configured:  # inside the hold, for the reason load() gives
            from reelgraph.neo4j.sync import connect, write_clusters

            step("writing cluster ids to Neo4j")
            driver = connect(neo4j)
            try:
                write_clusters(driver, result.membership)
            finally:
                driver.close()
    return result


@dataclass
class DemoResult:
    """What :func:`demo` found and wrote."""

    store: Path
    stats: dict
    path: object  # PathResult: the longest co-star chain of the sample
    bacon: object  # BaconResult around the best-connected person
    clusters: object  # ClusterResult
    views: dict
    neo4j: dict | None

    def to_dict(self) -> dict:
        return {"store": str(self.store), **self.stats, "path": self.path.to_dict(), "bacon": self.bacon.to_dict(),
                "clusters": self.clusters.to_dict(), "views": {k: str(v) for k, v in self.views.items()},
                "neo4j": self.neo4j}


def demo(store=None, views_dir=None, *, neo4j=None, progress: bool = False) -> DemoResult:
    """The tour of the bundled sample: load it, count, find a long chain, Bacon numbers, clusters, four views.

    The sample is a real IMDb page (Never Let Me Go, 2010) and 29 films
    around it.  ``views_dir`` defaults to ``views`` beside the store.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> result = demo(f"{folder}/store")
    >>> result.path.distance, sorted(result.views)
    (5, ['clusters', 'more_like_this', 'neighbourhood', 'path'])
    """
    from reelgraph import views
    from reelgraph.analysis.paths import bacon_numbers, farthest_people
    from reelgraph.analysis.stats import graph_stats
    from reelgraph.loaders.sample import SAMPLE_SOURCES
    from reelgraph.mirror import build_mirror

    target = open_store(store)
    load(SAMPLE_SOURCES, store=target, progress=progress)
    clustering = cluster(target)
    graph = target.read()
    summary = graph_stats(graph)
    in_neo4j = _to_neo4j(graph, neo4j, progress)

    mirror = build_mirror(graph)
    centre = summary["best_connected"][0]
    bacon = bacon_numbers(mirror, centre["id"])
    # The two people farthest apart in the sample, and a chain between them.
    path = farthest_people(mirror).path
    views_dir = Path(views_dir or target.path.parent / "views")
    written = {
        # the legends name clusters as the demo's summary (and `reelgraph clusters`) does
        "neighbourhood": views.write_html(views.view(mirror, SEED_FILM_ID, cluster_names=clustering),
                                          views_dir / "never-let-me-go.html"),
        "path": views.write_html(views.view(mirror, path=[s["id"] for s in path.path]), views_dir / "path.html"),
        "clusters": views.write_html(views.view(mirror, clusters=True, cluster_names=clustering),
                                     views_dir / "clusters.html"),
        "more_like_this": views.write_html(views.view(mirror, more_like_this=True, cluster_names=clustering),
                                           views_dir / "more-like-this.html"),
    }
    return DemoResult(target.path, summary, path, bacon, clustering, written, in_neo4j)


"""Exports for people who continue elsewhere: GraphML and GEXF (Gephi, Cytoscape), CSV and Parquet (pandas)."""

from __future__ import annotations

from pathlib import Path

from reelgraph.model import FilmGraph

__all__ = ["EXPORT_FORMATS", "export_graph", "flat_networkx"]

EXPORT_FORMATS = ("graphml", "gexf", "csv", "parquet")


def _flat(value):
    """GraphML and GEXF hold scalars only: lists become ``a|b`` text, missing values are dropped."""
    if isinstance(value, (list, tuple, set)):
        return "|".join(map(str, value))
    if hasattr(value, "item"):
        return value.item()
    return value


def flat_networkx(mirror) -> nx.MultiDiGraph:
    """The mirror as one NetworkX graph with scalar attributes only.

    Credits become person -> film edges (``type`` ACTED_IN, DIRECTED, ...),
    "More like this" links film -> film edges of type MORE_LIKE_THIS.
    """
    import networkx as nx  # here, not above: csv and parquet exports never need it (0.1 s to import)

    from reelgraph.mirror import relationship_type

    source = mirror.nx
    out = nx.MultiDiGraph()
    for node, attrs in source.nodes(data=True):
        out.add_node(node, **{k: _flat(v) for k, v in attrs.items() if v is not None and _flat(v) != ""})
    for u, v, attrs in source.edges(data=True):
        person, film = (u, v) if source.nodes[u].get("kind") == "person" else (v, u)
        for role in attrs.get("roles") or ["actor"]:
            data = {"type": relationship_type(role), "role": role}
            data.update({k: _flat(x) for k, x in attrs.items() if k != "roles" and x is not None and _flat(x) != ""})
            out.add_edge(person, film, **data)
    for u, v, attrs in source.graph.get("similar", nx.DiGraph()).edges(data=True):
        out.add_edge(u, v, type="MORE_LIKE_THIS", **{k: _flat(x) for k, x in attrs.items() if x is not None})
    return out


def export_graph(graph: FilmGraph, fmt: str, path) -> Path:
    """Write ``graph`` as ``fmt`` to ``path`` (a file for graphml/gexf, a folder for csv/parquet).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> g = FilmGraph.from_records(films=[{"id": "tt1", "title": "A", "genres": ["Drama"]}],
    ...     people=[{"id": "nm1", "name": "B"}], credits=[{"person_id": "nm1", "film_id": "tt1", "role": "actor"}])
    >>> out = export_graph(g, "csv", pathlib.Path(tempfile.mkdtemp()) / "csv")
    >>> sorted(p.name for p in out.iterdir())
    ['credits.csv', 'films.csv', 'people.csv', 'similar.csv']
    """
    from reelgraph.loaders.tables import write_tables
    from reelgraph.mirror import build_mirror

    path = Path(path)
    if fmt == "csv":
        return write_tables(graph, path)
    if fmt == "parquet":
        path.mkdir(parents=True, exist_ok=True)
        for name, df in graph.tables().items():
            df.to_parquet(path / f"{name}.parquet", index=False)
        return path
    import networkx as nx

    flat = flat_networkx(build_mirror(graph))
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "graphml":
        nx.write_graphml(flat, path)
    elif fmt == "gexf":
        nx.write_gexf(flat, path)
    else:
        raise ValueError(f"unknown export format {fmt!r}; choose from {', '.join(EXPORT_FORMATS)}")
    return path

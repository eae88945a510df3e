"""The command that draws the graph: show (:func:`reelgraph.views.view` on the command line)."""

from __future__ import annotations

from pathlib import Path

import click
from reelgraph.cli._options import (
    echo_json,
    json_option,
    output_option,
    store_option,
)

__all__ = ["show"]


@click.command()
@click.argument("name", required=False)
@output_option("HTML file to write [default: a name made from the view, in the current folder].")
@click.option("--depth", type=int, default=None, help="Steps out from NAME  [default: 1; 2 with --more-like-this].")
@click.option("--max-nodes", type=int, default=None,
              help="Cut the view at this many nodes (a note says so)  [default: 300; 2000 with --clusters or --more-like-this].")
@click.option("--path", "path_ends", nargs=2, metavar="FROM TO", help="Show the co-star path between two people.")
@click.option("--chain", "chain_ends", nargs=2, metavar="FROM TO",
              help="With NAME: add the co-star chain between two people to the view, with a button that highlights it.")
@click.option("--clusters", "show_clusters", is_flag=True, help="Show the similarity clusters (run 'reelgraph clusters' first).")
@click.option("--more-like-this", "show_mlt", is_flag=True, help="Show the 'More like this' network (around NAME if given).")
@click.option("--colour-by", type=click.Choice(["kind", "cluster"]), default=None,
              help="Node colours  [default: kind; with --more-like-this, cluster when the films have clusters].")
@click.option("--size-by", type=click.Choice(["degree", "rating", "none"]), default="degree", show_default=True,
              help="Node sizes: links in the whole graph, the film's rating, or all alike (a path's are always alike).")
@json_option
@store_option
def show(name, output, depth, max_nodes, path_ends, chain_ends, show_clusters, show_mlt, colour_by, size_by, as_json, store_dir):
    """Write an interactive HTML view (works offline): a neighbourhood, a path, clusters or 'More like this'.

    \b
    reelgraph show "Never Let Me Go" -o never-let-me-go.html
    reelgraph show --path "Keira Knightley" "Saoirse Ronan"
    reelgraph show "Never Let Me Go" --chain "Keira Knightley" "Andrew Garfield"
    reelgraph show --clusters
    reelgraph show --more-like-this [NAME]
    """
    from reelgraph import views
    from reelgraph.workflows import open_mirror

    mirror = open_mirror(store_dir)
    # the names `reelgraph clusters` printed, for the views that colour films by cluster (the store
    # keeps only the ids; naming them costs a similarity graph, too much for the other views)
    by_cluster = show_clusters or colour_by == "cluster" or (show_mlt and colour_by is None)
    names = views.stored_cluster_names(mirror) if by_cluster else None
    try:
        drawn = views.view(mirror, name, path=tuple(path_ends) if path_ends else None,
                           clusters=show_clusters, more_like_this=show_mlt, depth=depth, max_nodes=max_nodes,
                           colour_by=colour_by, size_by=None if size_by == "none" else size_by, cluster_names=names,
                           chain=tuple(chain_ends) if chain_ends else None)
    except ValueError as exc:  # the arguments: no view or several asked for, a bad --depth or --max-nodes
        raise click.UsageError(str(exc)) from None
    written = views.write_html(drawn, output or Path(_default_output(name, path_ends, show_clusters, show_mlt)))
    if as_json:
        echo_json({"output": str(written), "shown": drawn.shown, "omitted": drawn.omitted, "title": drawn.title})
    else:
        click.echo(f"wrote {written} ({drawn.shown} nodes" + (f", {drawn.omitted} left out" if drawn.omitted else "") + ")")


def _default_output(name, path_ends, show_clusters, show_mlt) -> str:
    from reelgraph.model import slugify

    if path_ends:
        return f"path-{slugify(path_ends[0])}-{slugify(path_ends[1])}.html"
    if show_clusters:
        return "clusters.html"
    if show_mlt:
        return f"more-like-this{'-' + slugify(name) if name else ''}.html"
    return f"{slugify(name)}.html"

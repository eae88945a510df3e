"""The command that draws the graph: show."""

from __future__ import annotations

from pathlib import Path

import click
from reelgraph.cli._options import open_mirror, store_option
from reelgraph.errors import ReelgraphError

__all__ = ["show"]


@click.command()
@click.argument("name", required=False)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="HTML file to write [default: a name made from the view, in the current folder].")
@click.option("--depth", default=1, show_default=True, help="Steps out from NAME.")
@click.option("--max-nodes", default=300, show_default=True, help="Cut the view at this many nodes (a note says so).")
@click.option("--path", "path_ends", nargs=2, metavar="FROM TO", help="Show the co-star path between two people.")
@click.option("--clusters", "show_clusters", is_flag=True, help="Show the similarity clusters (run 'reelgraph clusters' first).")
@click.option("--more-like-this", "show_mlt", is_flag=True, help="Show the 'More like this' network (around NAME if given).")
@click.option("--colour-by", type=click.Choice(["kind", "cluster"]), default="kind", show_default=True)
@click.option("--size-by", type=click.Choice(["degree", "rating", "none"]), default="degree", show_default=True)
@store_option
def show(name, output, depth, max_nodes, path_ends, show_clusters, show_mlt, colour_by, size_by, store_dir):
    """Write an interactive HTML view (works offline): a neighbourhood, a path, clusters or 'More like this'.

    \b
    reelgraph show "Never Let Me Go" -o never-let-me-go.html
    reelgraph show --path "Keira Knightley" "Saoirse Ronan"
    reelgraph show --clusters
    reelgraph show --more-like-this
    """
    from reelgraph import views
    from reelgraph.analysis.paths import costar_path
    from reelgraph.model import slugify
    from reelgraph.names import resolve_any, resolve_film

    mirror = open_mirror(store_dir)
    size = None if size_by == "none" else size_by
    if path_ends:
        result = costar_path(mirror, *path_ends)
        if not result.found:
            raise ReelgraphError(f"no co-star path between {path_ends[0]!r} and {path_ends[1]!r}")
        path_ids = [step["id"] for step in result.path]
        # Each view draws from the part of the mirror it can reach (exactly the
        # same view; the NetworkX graph of a whole large store takes minutes).
        view = views.path_view(mirror.to_networkx(nodes=path_ids), path_ids)
        default = f"path-{slugify(path_ends[0])}-{slugify(path_ends[1])}.html"
    elif show_clusters:
        view = views.cluster_view(mirror.to_networkx(nodes=mirror.film_ids), max_nodes=max(max_nodes, 2000))
        default = "clusters.html"
    elif show_mlt:
        centre = resolve_film(mirror, name) if name else None  # "More like this" links films only
        view = views.more_like_this_view(mirror.to_networkx(nodes=mirror.film_ids), centre, max_nodes=max(max_nodes, 2000))
        default = f"more-like-this{'-' + slugify(name) if name else ''}.html"
    elif name:
        centre = resolve_any(mirror, name)
        view = views.neighbourhood_view(mirror.to_networkx(nodes=mirror.neighbourhood([centre], depth)), centre,
                                        depth=depth, max_nodes=max_nodes, colour_by=colour_by, size_by=size)
        default = f"{slugify(name)}.html"
    else:
        raise click.UsageError("give a NAME, --path FROM TO, --clusters or --more-like-this")
    written = views.write_html(view, output or Path(default))
    click.echo(f"wrote {written} ({view.shown} nodes" + (f", {view.omitted} left out" if view.omitted else "") + ")")


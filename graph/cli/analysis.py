"""Commands that analyse the graph: path, bacon, centres, similar, clusters, mirror."""

from __future__ import annotations

import sys
from contextlib import contextmanager

import click
from reelgraph.cli._options import (
    Steps,
    count_differences,
    counts_text,
    echo_json,
    filter_options,
    json_option,
    neo4j_options,
    neo4j_settings,
    path_filters,
    plural,
    print_path,
    quiet_option,
    store_option,
    wait_option,
)

__all__ = ["path", "bacon", "centres", "similar", "clusters", "mirror"]


@contextmanager
def _hints(between_films: bool | None = None):
    """Errors of the analysis API, with what to type instead on the command line.

    ``between_films``: whether ``--films`` was given to ``path`` (None: the
    command has no such option, so it is not suggested).
    """
    from reelgraph.errors import NameNotFoundError, NoCreditError

    try:
        yield
    except NameNotFoundError as exc:
        other = getattr(exc, "other_kind", None)
        if other == "film" and between_films is False and exc.kind == "person":
            exc.args = (f"{exc.args[0]}; to link two films, pass --films",)
        elif other == "person" and between_films:
            exc.args = (f"{exc.args[0]}; to link two people, leave out --films",)
        raise
    except NoCreditError as exc:
        hint = {"actors_only": "pass --any-credit to link people through any credit",
                "exclude_roles": "their roles never link people (see --exclude-role)"}.get(exc.fix)
        if hint is None:
            raise
        raise NoCreditError(exc.person, exc.label, exc.roles, exc.actors_only, exc.fix, hint=hint) from None


@click.command()
@click.argument("source")
@click.argument("target")
@click.option("--films", "between_films", is_flag=True, help="SOURCE and TARGET are films: link them through shared people.")
@click.option("--all", "all_paths", is_flag=True, help="List every shortest path (up to --max-paths) and count them.")
@click.option("--max-paths", default=100, show_default=True, help="With --all: list at most this many paths (all are counted).")
@filter_options
@store_option
@json_option
def path(source, target, between_films, all_paths, max_paths, years, min_votes, exclude_roles, avoid, any_credit,
         store_dir, as_json):
    """The shortest co-star chain from SOURCE to TARGET (names or IMDb ids).

    \b
    reelgraph path "Keira Knightley" "Sally Hawkins"
    reelgraph path "Keira Knightley" "Saoirse Ronan" --all --years 2005-2015
    reelgraph path "Keira Knightley" "Sally Hawkins" --avoid "Never Let Me Go"
    reelgraph path --films "Never Let Me Go" "Paddington"
    """
    from reelgraph.analysis.paths import costar_path, film_path
    from reelgraph.workflows import open_mirror

    mirror = open_mirror(store_dir)
    filters = path_filters(years, min_votes, exclude_roles, avoid, any_credit)
    with _hints(bool(between_films)):
        if between_films:
            # Films are linked through anyone they share (cast or crew).
            filters["actors_only"] = False
            result = film_path(mirror, source, target, all_paths=all_paths, max_paths=max_paths, **filters)
        else:
            result = costar_path(mirror, source, target, all_paths=all_paths, max_paths=max_paths, **filters)
    if as_json:
        echo_json(result.to_dict())
    else:
        print_path(result)


@click.command()
@click.argument("centre")
@filter_options
@click.option("--list-unreachable", is_flag=True, help="Also name the people no path reaches.")
@store_option
@json_option
def bacon(centre, years, min_votes, exclude_roles, avoid, any_credit, list_unreachable, store_dir, as_json):
    """Bacon numbers: how many people are at each co-star distance (0, 1, 2 and on) from CENTRE.

    "Reachable" counts the other people a chain reaches (not CENTRE), as
    'reelgraph centres' does; people with no credit of the linking roles are
    in neither count.
    """
    from reelgraph.analysis.paths import bacon_numbers
    from reelgraph.workflows import open_mirror

    mirror = open_mirror(store_dir)
    with _hints():
        result = bacon_numbers(mirror, centre, **path_filters(years, min_votes, exclude_roles, avoid, any_credit))
    unreachable = [mirror.node(i)["label"] for i in result.unreachable_people()] if list_unreachable else None
    if as_json:
        echo_json({**result.to_dict(), **({"unreachable_people": unreachable} if list_unreachable else {})})
        return
    label = mirror.node(result.centre)["label"]
    if result.average is None:
        click.echo(f"{label}: nobody else reachable")
    else:
        click.echo(f"{label}: {plural(result.reachable, 'other person', 'other people')} reachable, "
                   f"average distance {result.average:.3f}")
    for distance, count in enumerate(result.histogram):
        click.echo(f"  distance {distance}: {plural(count, 'person', 'people')}" + (f" ({label})" if distance == 0 else ""))
    click.echo(f"  unreachable: {plural(result.unreachable, 'person', 'people')}")
    if unreachable:
        click.echo("  " + "; ".join(unreachable))


@click.command()
@click.option("--top", default=10, show_default=True, help="How many centres to list.")
@click.option("--candidates", default=1000, show_default=True, help="Rank the best-connected N people.")
@click.option("--sample", type=int, default=None,
              help="Estimate from this many random people (0: exact) [default: exact when affordable, else 1024].")
@click.option("--seed", default=0, show_default=True, help="Seed of the random sample (--sample).")
@filter_options
@store_option
@quiet_option
@json_option
def centres(top, candidates, sample, seed, years, min_votes, exclude_roles, avoid, any_credit, store_dir, quiet, as_json):
    """Best centres: people with the smallest average distance to everyone they reach.

    "Reaches N others" counts the other people a chain reaches, as
    'reelgraph bacon' does.
    """
    from reelgraph.analysis.paths import best_centres
    from reelgraph.workflows import open_mirror

    step = Steps(2, quiet)
    try:
        step("opening the graph index")
        mirror = open_mirror(store_dir)
        step("ranking centres")
        with _hints():
            ranking = best_centres(mirror, top=top, candidates=candidates, sample=sample, seed=seed,
                                   **path_filters(years, min_votes, exclude_roles, avoid, any_credit))
    finally:
        step.close()
    if as_json:
        echo_json(ranking.to_dict())
        return
    how = ("exact" if ranking.exact
           else f"sampled from {plural(ranking.sample, 'person', 'people')}, 95% error ±{ranking.error:.3f}")
    click.echo(f"best centres among {plural(ranking.candidates, 'candidate')} ({how}):")
    for rank, centre in enumerate(ranking.centres, start=1):
        if centre.reachable:
            click.echo(f"  {rank:>3}. {centre.label}  average {centre.average:.3f}, "
                       f"reaches {plural(centre.reachable, 'other person', 'other people')}")
        else:
            click.echo(f"  {rank:>3}. {centre.label}  reaches nobody else")


@click.command()
@click.argument("film", required=False)
@click.option("--top", default=10, show_default=True, help="How many similar films to list.")
@click.option("--evaluate", is_flag=True,
              help='Measure the similarity instead: hide each "More like this" list in turn and report recall@k and '
                   "MRR beside baselines.")
@click.option("--seed", default=0, show_default=True, help="With --evaluate: seed of the random baseline.")
@store_option
@json_option
def similar(film, top, evaluate, seed, store_dir, as_json):
    """The films most similar to FILM, each with the reasons; or, with --evaluate, how right they are.

    \b
    reelgraph similar "Never Let Me Go"
    reelgraph similar --evaluate [--json]

    --evaluate hides each film's IMDb "More like this" list in turn, ranks
    every other film by reelgraph's similarity from everything else, and
    reports recall@k (k = the list's length) and mean reciprocal rank,
    beside baselines ranked the same way (same genres, most votes among
    films sharing a person, random).
    """
    from reelgraph.workflows import open_mirror

    if evaluate == bool(film):
        raise click.UsageError("give a FILM, or --evaluate (not both)")
    if evaluate:
        from reelgraph.analysis.evaluation import evaluate_similarity

        result = evaluate_similarity(open_mirror(store_dir), seed=seed)
        if as_json:
            echo_json(result.to_dict())
        else:
            click.echo(_evaluation_text(result))
        return
    from reelgraph.analysis.similarity import similar_films

    rows = similar_films(open_mirror(store_dir), film, top=top)
    if as_json:
        echo_json(rows)
        return
    for rank, row in enumerate(rows, start=1):
        year = f" ({row['year']})" if row.get("year") else ""
        click.echo(f"{rank:>3}. {row['title']}{year}  score {row['score']:.3f}")
        for reason in row["reasons"]:
            click.echo(f"       {reason}")


def _evaluation_text(result) -> str:
    """``reelgraph similar --evaluate``'s table: reelgraph, then each baseline, recall@k and MRR."""
    films = result.films
    ks = sorted(set(films["k"].tolist()))
    k = f"k={ks[0]}" if len(ks) == 1 else f"k={ks[0]}-{ks[-1]}"
    lines = [f'{plural(result.reelgraph["films"], "film")} with a "More like this" list, each hidden in turn '
             f"({k}; {int(films['reachable'].sum())} of {int(films['k'].sum())} listed films rankable without it):",
             f"  {'ranking':<28} {'recall@k':>8} {'MRR':>7}"]
    for name, figures in (("reelgraph", result.reelgraph), *result.baselines.items()):
        label = name.replace("_", " ") + (f" (seed {result.seed})" if name == "random" else "")
        lines.append(f"  {label:<28} {figures['recall_at_k']:>8.3f} {figures['mrr']:>7.3f}")
    return "\n".join(lines)


def _clusters_head(result) -> str:
    """The first line of ``reelgraph clusters``: how many, and modularity at the standard resolution 1.

    At another resolution the figure Louvain maximised is given beside it,
    saying that it compares only with runs at that resolution.
    """
    head = f"{plural(len(result.clusters), 'cluster')}, modularity {result.standard_modularity:.3f}"
    if result.resolution == 1:
        return head + f" ({result.method}, seed {result.seed})"
    return (head + f" at the standard resolution 1 ({result.modularity:.3f} at resolution {result.resolution:g}, "
            f"comparable only at that resolution); {result.method}, seed {result.seed}")


@click.command()
@click.option("--seed", default=0, show_default=True, help="Louvain's random seed: the same seed, the same clusters.")
@click.option("--resolution", default=1.0, show_default=True,
              help="Above 1: more, smaller clusters; below 1: fewer, larger ones. Modularity is also reported at 1.")
@click.option("--top-films", default=5, show_default=True, help="Films listed per cluster (most voted first).")
@click.option("--min-shared", default=1, show_default=True, type=click.IntRange(min=1),
              help="People link two films only when they share at least this many (1: any shared person).")
@store_option
@wait_option
@neo4j_options
@quiet_option
@json_option
def clusters(seed, resolution, top_films, min_shared, store_dir, no_wait, neo4j_uri, neo4j_user, neo4j_password, quiet,
             as_json):
    """Similarity clusters of films (Louvain), written back as Film.cluster to the store and Neo4j.

    Modularity (how much more similarity falls inside the clusters than
    chance would put there) is printed at the standard resolution 1, so runs
    at different --resolution compare; the figure Louvain maximised at
    --resolution is printed beside it.  Two checks from outside the scores
    follow the clusters: the share of IMDb's "More like this" links that
    stay inside a cluster, and genre purity (the share of films carrying
    their cluster's most common genre).  --min-shared 2 or more asks films
    for repeated collaborations before people link them.
    """
    from reelgraph.workflows import cluster

    settings = neo4j_settings(neo4j_uri, neo4j_user, neo4j_password)
    step = Steps(5 if settings.configured else 4, quiet)
    try:
        result = cluster(store_dir, seed=seed, resolution=resolution, top_films=top_films,
                         min_shared=min_shared,
                         neo4j=settings if settings.configured else None, step=step, wait=not no_wait)
    finally:
        step.close()
    if as_json:
        echo_json(result.to_dict())
        return
    click.echo(_clusters_head(result))
    for row in result.clusters.itertuples():
        click.echo(f"  {row.cluster:>3}. {row.name} — {plural(row.size, 'film')}: {', '.join(row.top_titles)}")
    checks = _clusters_checks(result)
    if checks:
        click.echo(checks)
    click.echo("cluster ids written to the store" + (" and Neo4j" if settings.configured else ""))


def _clusters_checks(result) -> str | None:
    """The line of checks from outside the scores; None for one cluster (every link is inside it: it says nothing)."""
    if len(result.clusters) < 2:
        return None
    parts = []
    if result.mlt_inside is not None:
        parts.append(f'"More like this" links inside a cluster {result.mlt_inside:.1%}')
    if result.genre_purity is not None:
        parts.append(f"genre purity {result.genre_purity:.3f}")
    clustered = int(result.clusters["size"].sum())
    parts.append(f"{plural(clustered, 'film')} clustered, people linking films that share "
                 + ("anyone" if result.min_shared == 1 else f"at least {result.min_shared}"))
    return "; ".join(parts)


@click.command()
@click.option("--check", is_flag=True,
              help="Compare node and relationship counts with Neo4j, and check its constraints and indexes.")
@click.option("--from-neo4j", is_flag=True, help="Build the mirror from Neo4j instead of the local store.")
@store_option
@neo4j_options
@json_option
def mirror(check, from_neo4j, store_dir, neo4j_uri, neo4j_user, neo4j_password, as_json):
    """The NetworkX mirror's counts; with --check, what differs from Neo4j and what its schema lacks."""
    from reelgraph.mirror import build_mirror, mirror_counts
    from reelgraph.workflows import open_mirror

    if from_neo4j:
        from reelgraph.neo4j.read import read_graph
        from reelgraph.neo4j.sync import connect

        driver = connect(neo4j_settings(neo4j_uri, neo4j_user, neo4j_password))
        try:
            mine = mirror_counts(build_mirror(read_graph(driver)))
        finally:
            driver.close()
    else:
        mine = mirror_counts(open_mirror(store_dir))
    if not check:
        echo_json(mine) if as_json else click.echo(counts_text(mine))
        return
    from reelgraph.neo4j.indexes import missing_schema
    from reelgraph.neo4j.sync import connect, neo4j_counts

    driver = connect(neo4j_settings(neo4j_uri, neo4j_user, neo4j_password))
    try:
        theirs = neo4j_counts(driver)
        schema = missing_schema(driver)
    finally:
        driver.close()
    differences = count_differences(mine, theirs)
    if as_json:
        echo_json({"mirror": mine, "neo4j": theirs, "differences": differences, "schema_missing": schema})
    else:
        for kind, name, a, b in differences:
            click.echo(f"differs: {kind} {name}: mirror {a}, neo4j {b}")
        for problem in schema:
            click.echo(f"neo4j schema: {problem} (the next load makes it)")
        if not differences and not schema:
            click.echo("mirror and Neo4j agree: " + counts_text(mine))
    if differences or schema:
        sys.exit(1)


"""The analysis commands on the bundled sample: exact answers, files written, errors."""

import json

import networkx as nx
import pytest
from click.testing import CliRunner

from reelgraph.cli import main
from reelgraph.mirror import build_mirror
from reelgraph.store import LocalStore


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """The store 'reelgraph demo' makes: the bundled sample, loaded, then clustered."""
    from reelgraph.loaders.sample import SAMPLE_SOURCES

    path = tmp_path_factory.mktemp("store")
    for args in (["load", "--quiet", *map(str, SAMPLE_SOURCES)], ["clusters", "--quiet"]):
        result = CliRunner().invoke(main, [*args, "--store", str(path)], env={"NEO4J_URI": ""})
        assert result.exit_code == 0, result.output
    return path


def run(store, *args):
    return CliRunner().invoke(main, [*map(str, args), "--store", str(store)], env={"NEO4J_URI": ""})


def test_path_between_two_actresses(store):
    result = run(store, "path", "Keira Knightley", "Sally Hawkins")
    assert result.exit_code == 0
    assert result.output == "distance 1\n  Keira Knightley -> Never Let Me Go (2010) -> Sally Hawkins\n"


def test_path_json_with_all_paths(store):
    data = json.loads(run(store, "path", "Keira Knightley", "Carey Mulligan", "--all", "--json").output)
    assert data["distance"] == 1
    titles = sorted(path[1]["label"] for path in data["paths"])
    assert data["total_paths"] == len(titles) == 2
    assert titles == ["Never Let Me Go", "Pride & Prejudice"]


def test_path_year_filter_changes_the_answer(store):
    data = json.loads(run(store, "path", "Keira Knightley", "Sally Hawkins", "--years", "2011-2020", "--json").output)
    assert data["distance"] >= 2
    assert all(step.get("year", 2011) >= 2011 for step in data["paths"][0] if step["kind"] == "film")


def test_unknown_name_suggests_close_names(store):
    result = run(store, "path", "Keira Knightly", "Sally Hawkins")
    assert result.exit_code == 3
    assert result.output == "reelgraph: error: no person named 'Keira Knightly'; did you mean 'Keira Knightley'?\n"


def test_film_title_prefers_the_full_film_over_a_stub(store):
    result = run(store, "path", "--films", "Never Let Me Go", "Paddington")
    assert result.output == "distance 1\n  Never Let Me Go (2010) -> Sally Hawkins -> Paddington (2014)\n"


def test_bacon_numbers(store):
    data = json.loads(run(store, "bacon", "Carey Mulligan", "--json").output)
    assert data["histogram"] == [1, 83, 132, 3]
    assert data["reachable"] == 218 and data["unreachable"] == 0  # reachable: the others, not the centre
    assert data["reachable"] + data["unreachable"] + 1 == 219


def test_similar_explains_itself(store):
    rows = json.loads(run(store, "similar", "Never Let Me Go", "--top", "1", "--json").output)
    assert rows[0]["title"] == "An Education"
    assert "More like this #1" in rows[0]["reasons"]


def test_clusters_are_deterministic_and_written_back(store):
    first = json.loads(run(store, "clusters", "--json").stdout)
    second = json.loads(run(store, "clusters", "--json").stdout)
    assert first == second
    films = LocalStore(store).read().films
    assert films.loc[films.stub == False, "cluster"].notna().all()  # noqa: E712
    assert films["cluster"].nunique() == len(first["clusters"])
    assert 0 < first["modularity"] < 1


def test_show_writes_one_offline_file(store, tmp_path):
    out = tmp_path / "nlmg.html"
    result = run(store, "show", "Never Let Me Go", "-o", out)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"wrote {out} (")
    html = out.read_text()
    assert "Never Let Me Go" in html and "https://cdn" not in html
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nlmg.html"]


@pytest.mark.parametrize("args,shown", [
    (["Never Let Me Go"], 36),
    (["--path", "Keira Knightley", "Sally Hawkins"], 3),
    (["--more-like-this", "Never Let Me Go"], 13),
    (["--clusters"], 30),
])
def test_show_draws_what_the_whole_graph_would(store, tmp_path, args, shown):
    """show draws from a cut-out of the mirror; the page is the one the whole graph gives."""
    from reelgraph import views
    from reelgraph.mirror import build_mirror

    out = tmp_path / "view.html"
    result = run(store, "show", *args, "-o", out)
    assert result.exit_code == 0, result.output
    mirror = build_mirror(LocalStore(store).read())
    if args[0] == "--path":
        whole = views.path_view(mirror, ["name:keira-knightley", "tt1334260", "name:sally-hawkins"])
    elif args[0] == "--more-like-this":
        whole = views.more_like_this_view(mirror, "tt1334260", max_nodes=2000,
                                          cluster_names=views.stored_cluster_names(mirror))
    elif args[0] == "--clusters":
        whole = views.cluster_view(mirror, max_nodes=2000, cluster_names=views.stored_cluster_names(mirror))
    else:
        whole = views.neighbourhood_view(mirror, "tt1334260", depth=1, max_nodes=300)
    assert whole.shown == shown
    assert out.read_text() == whole.html()


def test_show_more_like_this_of_a_person_says_it_needs_a_film(store, tmp_path):
    result = run(store, "show", "--more-like-this", "Carey Mulligan", "-o", tmp_path / "x.html")
    assert result.exit_code == 3
    assert result.output.startswith("reelgraph: error: no film named 'Carey Mulligan'")
    assert not (tmp_path / "x.html").exists()


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_export_for_gephi(store, tmp_path, fmt):
    out = tmp_path / f"g.{fmt}"
    assert run(store, "export", "--format", fmt, "-o", out).exit_code == 0
    graph = nx.read_graphml(out) if fmt == "graphml" else nx.read_gexf(out)
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (311, 373)


def test_export_around_a_film_writes_its_neighbourhood_only(store, tmp_path):
    """--around exports the rows the view of that depth would show: the film, its people, its links."""
    import pandas as pd

    out = tmp_path / "around"
    result = run(store, "export", "--format", "csv", "--around", "Never Let Me Go", "--depth", "1", "-o", out)
    assert result.exit_code == 0, result.output
    tables = {name: pd.read_csv(out / f"{name}.csv") for name in ("films", "people", "credits", "similar")}
    mirror = build_mirror(LocalStore(store).read())
    ball = set(mirror.neighbourhood(["tt1334260"], 1))
    whole = LocalStore(store).read()
    assert set(tables["films"]["id"]) == ball & set(whole.films["id"])
    assert set(tables["people"]["id"]) == ball & set(whole.people["id"])
    assert len(tables["credits"]) == int((whole.credits["film_id"].isin(ball) & whole.credits["person_id"].isin(ball)).sum())
    assert len(tables["similar"]) == 12 and (tables["similar"]["film_id"] == "tt1334260").all()
    assert (len(tables["films"]), len(tables["people"])) == (13, 23)


def test_export_around_an_unknown_name_is_one_line(store, tmp_path):
    result = run(store, "export", "--format", "csv", "--around", "Nobody At All", "-o", tmp_path / "x")
    assert result.exit_code == 3 and result.output.startswith("reelgraph: error: no person or film named")
    assert not (tmp_path / "x").exists()


def test_mirror_counts(store):
    counts = json.loads(run(store, "mirror", "--json").output)
    assert counts["nodes"] == {"Film": 30, "Person": 281, "Genre": 16}
    assert counts["relationships"]["ACTED_IN"] == 275


# -- --avoid: a person is a person, a film is a film ------------------------------------------------

VIA_ANNA_KARENINA = "  Keira Knightley -> Anna Karenina (2012) -> Olivia Williams -> An Education (2009) -> Sally Hawkins\n"
VIA_LOVE_ACTUALLY = "  Keira Knightley -> Love Actually (2003) -> Emma Thompson -> An Education (2009) -> Sally Hawkins\n"


@pytest.mark.parametrize("avoid", [["Never Let Me Go"], ["tt1334260"], ["never let me go (2010)"]])
def test_path_avoiding_a_film(store, avoid):
    args = [a for value in avoid for a in ("--avoid", value)]
    result = run(store, "path", "Keira Knightley", "Sally Hawkins", *args)
    assert result.exit_code == 0, result.output
    assert result.output == "distance 2\n" + VIA_ANNA_KARENINA


@pytest.mark.parametrize("avoid", [["Never Let Me Go", "Olivia Williams"], ["tt1334260", "name:olivia-williams"]])
def test_path_avoiding_a_film_and_a_person(store, avoid):
    # Olivia Williams is on the path that avoids the film alone: avoiding her too gives another path
    args = [a for value in avoid for a in ("--avoid", value)]
    result = run(store, "path", "Keira Knightley", "Sally Hawkins", *args)
    assert result.exit_code == 0, result.output
    assert result.output == "distance 2\n" + VIA_LOVE_ACTUALLY
    data = json.loads(run(store, "path", "Keira Knightley", "Sally Hawkins", *args, "--all", "--json").output)
    assert data["total_paths"] == 5
    assert all(step["label"] not in ("Never Let Me Go", "Olivia Williams") for path in data["paths"] for step in path)


def test_path_between_films_avoiding_a_person(store):
    result = run(store, "path", "--films", "Never Let Me Go", "Paddington", "--avoid", "Sally Hawkins")
    assert result.output == ("distance 2\n  Never Let Me Go (2010) -> Carey Mulligan -> Suffragette (2015) -> "
                             "Ben Whishaw -> Paddington (2014)\n")


def test_bacon_and_centres_avoiding(store):
    result = run(store, "bacon", "Keira Knightley", "--avoid", "name:carey-mulligan", "--avoid", "Never Let Me Go")
    assert result.exit_code == 0, result.output
    assert result.output == (
        "Keira Knightley: 188 other people reachable, average distance 2.037\n"
        "  distance 0: 1 person (Keira Knightley)\n"
        "  distance 1: 55 people\n"
        "  distance 2: 71 people\n"
        "  distance 3: 62 people\n"
        "  unreachable: 29 people\n")
    result = run(store, "centres", "--top", "2", "--avoid", "Carey Mulligan", "--quiet")
    assert result.output == ("best centres among 218 candidates (exact):\n"
                             "    1. Keira Knightley  average 1.743, reaches 202 other people\n"
                             "    2. Sally Hawkins  average 1.802, reaches 202 other people\n")


@pytest.mark.parametrize("command", [["path", "Keira Knightley", "Sally Hawkins"], ["bacon", "Keira Knightley"],
                                     ["centres", "--quiet"]])
def test_avoid_errors(store, command):
    result = run(store, *command, "--avoid", "Never Let Me Goo")
    assert result.exit_code == 3
    assert result.output == "reelgraph: error: no person or film named 'Never Let Me Goo'; did you mean 'Never Let Me Go'?\n"


def test_avoiding_an_end(store):
    result = run(store, "path", "Keira Knightley", "Sally Hawkins", "--avoid", "Keira Knightley")
    assert result.exit_code == 1
    assert result.output == ("reelgraph: error: a path cannot exclude its own ends: "
                             "Keira Knightley (name:keira-knightley) is avoided\n")


# -- one "reachable" for bacon and centres ---------------------------------------------------------


def test_bacon_and_centres_say_the_same_reachable(store):
    bacon = run(store, "bacon", "Carey Mulligan")
    assert bacon.output == (
        "Carey Mulligan: 218 other people reachable, average distance 1.633\n"
        "  distance 0: 1 person (Carey Mulligan)\n"
        "  distance 1: 83 people\n"
        "  distance 2: 132 people\n"
        "  distance 3: 3 people\n"
        "  unreachable: 0 people\n")
    centres = run(store, "centres", "--top", "3", "--quiet")
    assert centres.output == ("best centres among 219 candidates (exact):\n"
                              "    1. Carey Mulligan  average 1.633, reaches 218 other people\n"
                              "    2. Keira Knightley  average 1.697, reaches 218 other people\n"
                              "    3. Sally Hawkins  average 1.766, reaches 218 other people\n")
    ranking = json.loads(run(store, "centres", "--top", "219", "--quiet", "--json").stdout)
    for centre in ranking["centres"][:20]:
        assert json.loads(run(store, "bacon", centre["id"], "--json").output)["reachable"] == centre["reachable"]


# -- counts read right for 1 and for many --------------------------------------------------------------


def test_path_counts_one_and_many(store):
    assert run(store, "path", "Keira Knightley", "Sally Hawkins", "--all").output == (
        "distance 1, 1 shortest path\n  Keira Knightley -> Never Let Me Go (2010) -> Sally Hawkins\n")
    assert run(store, "path", "Keira Knightley", "Carey Mulligan", "--all").output == (
        "distance 1, 2 shortest paths\n"
        "  Keira Knightley -> Never Let Me Go (2010) -> Carey Mulligan\n"
        "  Keira Knightley -> Pride & Prejudice (2005) -> Carey Mulligan\n")
    assert run(store, "path", "Keira Knightley", "Carey Mulligan", "--all", "--max-paths", "1").output == (
        "distance 1, 2 shortest paths (showing 1)\n  Keira Knightley -> Never Let Me Go (2010) -> Carey Mulligan\n")


def test_bacon_and_centres_count_one_and_nobody(store):
    result = run(store, "bacon", "Alexander Rendel", "--years", "2010-")
    assert result.output == ("Alexander Rendel: nobody else reachable\n"
                             "  distance 0: 1 person (Alexander Rendel)\n"
                             "  unreachable: 218 people\n")
    assert run(store, "centres", "--candidates", "1", "--top", "3", "--quiet").output == (
        "best centres among 1 candidate (exact):\n    1. Carey Mulligan  average 1.633, reaches 218 other people\n")


def test_clusters_one_and_many_and_what_modularity_means(store, tmp_path):
    import shutil

    copy = tmp_path / "store"
    shutil.copytree(store, copy)  # clustering writes the ids back: leave the shared store as it is
    lines = run(copy, "clusters", "--quiet").output.splitlines()
    assert lines[0] == "4 clusters, modularity 0.247 (networkx, seed 0)"
    assert lines[1] == ("    0. Romance / Comedy (around Anna Karenina, 2012) — 8 films: "
                        "Anna Karenina, Atonement, Love Actually, Brooklyn, About Time")
    assert lines[-1] == "cluster ids written to the store"
    lines = run(copy, "clusters", "--resolution", "0.5", "--quiet").output.splitlines()
    assert lines == [
        "1 cluster, modularity 0.000 at the standard resolution 1 (0.500 at resolution 0.5, comparable only at that "
        "resolution); networkx, seed 0",
        "    0. Drama / Romance (around Never Let Me Go, 2010) — 30 films: Never Let Me Go, Pride & Prejudice, "
        "An Education, Atonement, Shame",
        "cluster ids written to the store",
    ]
    data = json.loads(run(copy, "clusters", "--resolution", "0.5", "--json").stdout)
    assert (data["modularity"], data["standard_modularity"], data["resolution"]) == (0.5, 0.0, 0.5)


# -- hints ---------------------------------------------------------------------------------------------------


def test_a_director_given_to_path_suggests_any_credit(store):
    result = run(store, "path", "Mark Romanek", "Carey Mulligan")
    assert result.exit_code == 1
    assert result.output == ("reelgraph: error: Mark Romanek (name:mark-romanek) has no acting credit (credited as director), "
                             "so no co-star chain reaches them; pass --any-credit to link people through any credit\n")
    assert run(store, "path", "Mark Romanek", "Carey Mulligan", "--any-credit").output == (
        "distance 1\n  Mark Romanek -> Never Let Me Go (2010) -> Carey Mulligan\n")
    result = run(store, "bacon", "Mark Romanek")
    assert result.exit_code == 1 and "pass --any-credit to link people through any credit" in result.output


def test_a_film_given_to_path_or_bacon(store):
    film = "tt1334260 Never Let Me Go (2010, movie, dir. Mark Romanek)"
    result = run(store, "path", "Never Let Me Go", "Carey Mulligan")
    assert result.exit_code == 3
    assert result.output == (f"reelgraph: error: no person named 'Never Let Me Go': it is a film, {film}; "
                             "to link two films, pass --films\n")
    result = run(store, "bacon", "Never Let Me Go")
    assert result.exit_code == 3
    assert result.output == f"reelgraph: error: no person named 'Never Let Me Go': it is a film, {film}\n"


def test_a_person_given_where_a_film_is_expected(store):
    person = "name:carey-mulligan Carey Mulligan (b. 1985, Never Let Me Go)"
    result = run(store, "similar", "Carey Mulligan")
    assert result.exit_code == 3
    assert result.output == f"reelgraph: error: no film named 'Carey Mulligan': it is a person, {person}\n"
    result = run(store, "path", "--films", "Carey Mulligan", "Paddington")
    assert result.output == (f"reelgraph: error: no film named 'Carey Mulligan': it is a person, {person}; "
                             "to link two people, leave out --films\n")
